"""Container actions are the server's instance actions in Nova.

Found by the request id the facade answered the verb with.
"""
import time

import fixtures
from nova import context

from higgins_api.tests.functional import base


def _context_with_the_request_id(env, **kwargs):
    """Nova's test context, with the request id, as the real one is made.

    Nova's own context is built from the environ, with the request id its
    middleware answers; the harness's stub drops it, so Nova's actions
    would carry another.
    """
    return context.RequestContext(
        env['HTTP_X_AUTH_USER'], env['HTTP_X_AUTH_PROJECT_ID'],
        is_admin=env['HTTP_X_AUTH_USER'] == 'admin',
        roles=env['HTTP_X_ROLES'].split(','),
        request_id=env['openstack.request_id'], **kwargs)


class ContainerActionsTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'nova.api.auth.NovaKeystoneContext._create_context',
            _context_with_the_request_id))

    def finished_action(self, uuid, request_id, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            action = self.call('GET', '/v1/containers/%s/container_actions/%s'
                               % (uuid, request_id), expect=200).json
            if action['finish_time'] or time.monotonic() > deadline:
                return action
            time.sleep(0.2)

    def test_a_stop_is_found_by_the_request_id_it_was_answered_with(self):
        uuid = self.run_container()['uuid']
        self.wait_for_status(uuid, 'Running')
        answer = self.call('POST', '/v1/containers/%s/stop' % uuid,
                           expect=202)
        request_id = answer.headers['X-OpenStack-Request-Id']
        action = self.finished_action(uuid, request_id)
        self.assertEqual(('stop', uuid, request_id, None),
                         (action['action'], action['container_uuid'],
                          action['request_id'], action['message']))
        self.assertIsNotNone(action['finish_time'], action)
        self.assertEqual({'Success'}, {e['result'] for e in action['events']})
        self.wait_for_status(uuid, 'Stopped')

        listed = self.call('GET', '/v1/containers/%s/container_actions'
                           % uuid, expect=200).json['containerActions']
        self.assertEqual(['stop', 'create'],
                         [a['action'] for a in listed])
        self.assertIn(request_id, [a['request_id'] for a in listed])

    def test_an_unknown_request_id_is_a_404(self):
        uuid = self.run_container()['uuid']
        self.wait_for_status(uuid, 'Running')
        self.call('GET', '/v1/containers/%s/container_actions/req-%s'
                  % (uuid, '0' * 8 + '-0000-0000-0000-' + '0' * 12),
                  expect=404)
        self.call('GET', '/v1/containers/%s/container_actions/x%%2Fy'
                  % uuid, expect=404)
