"""Zun's container action view of Nova's instance actions."""
import unittest

from higgins_api import actions
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova

ACTION = {'action': 'rebuild', 'instance_uuid': 'u1', 'message': None,
          'project_id': 'p', 'request_id': 'req-1', 'user_id': 'x',
          'start_time': '2026-01-01T00:00:00.000000', 'updated_at': 'y'}


def _event(finish, result='Success'):
    return {'event': 'compute_rebuild_instance', 'result': result,
            'start_time': '2026-01-01T00:00:01.000000',
            'finish_time': finish, 'traceback': 'engine text',
            'host': 'compute-1', 'hostId': 'h'}


class ActionViewTest(unittest.TestCase):

    def test_listed_action_has_zun_s_fields_and_no_finish_time(self):
        self.assertEqual({'action': 'rebuild', 'container_uuid': 'u1',
                          'message': None, 'project_id': 'p',
                          'request_id': 'req-1', 'user_id': 'x',
                          'start_time': '2026-01-01T00:00:00.000000'},
                         actions.action_view('u1', ACTION))

    def test_finished_when_every_event_finished(self):
        view = actions.action_view('u1', ACTION, [
            _event('2026-01-01T00:00:02.000000'),
            _event('2026-01-01T00:00:03.000000')])
        self.assertEqual('2026-01-01T00:00:03.000000', view['finish_time'])
        # Nova's hosts and tracebacks stay in Nova.
        self.assertEqual({'event', 'finish_time', 'result', 'start_time',
                          'traceback'}, set(view['events'][0]))
        self.assertIsNone(view['events'][0]['traceback'])

    def test_running_or_not_begun_is_not_finished(self):
        self.assertIsNone(actions.action_view(
            'u1', ACTION, [_event('2026-01-01T00:00:02.000000'),
                           _event(None, result=None)])['finish_time'])
        self.assertIsNone(actions.action_view('u1', ACTION,
                                              [])['finish_time'])


class ActionRequestIdTest(base.FacadeTestCase):

    def test_a_stop_answers_with_the_request_id_of_nova_s_action(self):
        uuid = self.call('POST', '/v1/containers?run=true', {
            'image': fake_nova.IMAGE_ID}, expect=202).json['uuid']
        self.cloud.servers[uuid]['status'] = 'ACTIVE'
        answer = self.call('POST', '/v1/containers/%s/stop' % uuid,
                           expect=202)
        request_id = answer.headers['X-OpenStack-Request-Id']
        (nova_id,) = self.cloud.servers[uuid]['action_ids']
        self.assertEqual(nova_id, request_id)
        action = self.call('GET', '/v1/containers/%s/container_actions/%s'
                           % (uuid, request_id), expect=200).json
        self.assertEqual(('stop', 't1'), (action['action'],
                                          action['finish_time']))
        self.call('GET', '/v1/containers/%s/container_actions/req-x'
                  % uuid, expect=404)

    def test_a_read_keeps_the_facade_s_request_id(self):
        uuid = self.call('POST', '/v1/containers?run=true', {
            'image': fake_nova.IMAGE_ID}, expect=202).json['uuid']
        answer = self.call('GET', '/v1/containers/%s' % uuid, expect=200)
        self.assertNotIn(answer.headers['X-OpenStack-Request-Id'],
                         self.cloud.servers[uuid].get('action_ids', {}))
