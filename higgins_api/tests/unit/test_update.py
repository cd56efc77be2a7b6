"""Zun's update of cpu/memory: a Nova resize, confirmed, against fake Nova."""
import unittest

from higgins_api import errors
from higgins_api import server_resize
from higgins_api.tests.unit import base
from higgins_api import translate


class UpdateLimitsTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        self.uuid = self.server(name='web')['id']
        self.path = '/v1/containers/%s' % self.uuid

    def nova_actions(self):
        return [(action, args) for _, action, args in self.cloud.actions]

    def test_memory_resizes_to_the_smallest_fitting_flavor_and_confirms(self):
        updated = self.call('PATCH', self.path, {'memory': '200M'},
                            expect=200).json
        self.assertEqual([('resize', {'flavorRef': 'c1.small'}),
                          ('confirmResize', None)], self.nova_actions())
        self.assertEqual(('256', 1.0, 'Running'),
                         (updated['memory'], updated['cpu'],
                          updated['status']))
        self.assertEqual('ACTIVE', self.cloud.servers[self.uuid]['status'])

    def test_cpu_keeps_the_memory_and_never_shrinks_the_disk(self):
        self.call('PATCH', self.path, {'cpu': 2}, expect=200)
        self.assertEqual([('resize', {'flavorRef': 'c1.medium'}),
                          ('confirmResize', None)], self.nova_actions())

    def test_a_stopped_container_stays_stopped(self):
        self.cloud.servers[self.uuid]['status'] = 'SHUTOFF'
        updated = self.call('PATCH', self.path, {'memory': 256},
                            expect=200).json
        self.assertEqual('Stopped', updated['status'])

    def test_values_the_flavor_already_has_change_nothing(self):
        updated = self.call('PATCH', self.path, {'memory': '128', 'cpu': 1},
                            expect=200).json
        self.assertEqual([], self.nova_actions())
        self.assertEqual('128', updated['memory'])

    def test_name_and_memory_together(self):
        updated = self.call('PATCH', self.path,
                            {'name': 'renamed', 'memory': '256M'},
                            expect=200).json
        self.assertEqual(('renamed', '256'),
                         (updated['name'], updated['memory']))

    def test_paused_container_is_a_conflict(self):
        self.cloud.servers[self.uuid]['status'] = 'PAUSED'
        detail = self.error(self.call('PATCH', self.path, {'memory': 256}),
                            409, 'higgins.invalid_state')
        self.assertIn('status Paused', detail)
        self.assertEqual([], self.nova_actions())

    def test_values_no_flavor_has_are_a_bad_request(self):
        detail = self.error(self.call('PATCH', self.path, {'memory': '64G'}),
                            400, 'higgins.bad_request')
        self.assertIn('no container flavor', detail)
        for bad in ({'memory': 'lots'}, {'cpu': 0}, {'cpu': 'two'}):
            self.call('PATCH', self.path, bad, expect=400)
        self.assertEqual([], self.nova_actions())

    def test_rolled_back_resize_is_a_conflict(self):
        self.cloud.resize_outcome = 'rollback'
        detail = self.error(self.call('PATCH', self.path, {'memory': 256}),
                            409, 'higgins.invalid_state')
        self.assertIn('keeps its old ones', detail)
        self.assertEqual(['resize'], [a for a, _ in self.nova_actions()])

    def test_failed_resize_is_an_upstream_error(self):
        self.cloud.resize_outcome = 'error'
        self.call('PATCH', self.path, {'memory': 256}, expect=502)


class _StuckNova:
    def __init__(self):
        self.actions = []

    def action(self, server_id, action, args=None):
        self.actions.append(action)

    def server(self, server_id):
        return {'id': server_id, 'status': 'RESIZE',
                'OS-EXT-STS:task_state': 'resize_migrating'}


class ResizeWaitTest(unittest.TestCase):

    def test_gives_up_at_the_deadline_without_confirming(self):
        now = [0.0]

        def sleep(seconds):
            now[0] += seconds

        nova = _StuckNova()
        self.assertRaises(errors.UpstreamError, server_resize.resize, nova,
                          'id', 'c1.small', 10, sleep=sleep,
                          clock=lambda: now[0])
        self.assertEqual(['resize'], nova.actions)
        self.assertGreater(now[0], 10)

    def test_status_while_resizing_follows_the_power_state(self):
        self.assertEqual('Running', translate.status_of(
            {'status': 'VERIFY_RESIZE', 'OS-EXT-STS:power_state': 1}))
        self.assertEqual('Stopped', translate.status_of(
            {'status': 'RESIZE', 'OS-EXT-STS:power_state': 4}))
