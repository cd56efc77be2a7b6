"""Zun's update of cpu/memory through the facade: a real Nova resize.

The container keeps running with the same processes and files; the engine
shows the new limits once the facade answers, and Nova has the resize
confirmed.
"""
from higgins_common import contract

from higgins_api.tests.functional import base

MIB = 1024 * 1024


class UpdateLimitsTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        # One compute host: the resize stays on it.
        self.flags(allow_resize_to_same_host=True)
        self._create_flavor(
            name='c1.small', memory_mb=256, vcpu=1, disk=1, ephemeral=0,
            extra_spec={'trait:%s' % contract.CONTAINER_TRAIT: 'required'})

    def test_memory_update_resizes_in_place_and_confirms(self):
        uuid = self.run_container(name='web')['uuid']
        engine = self.engine_container(uuid)
        self.assertEqual(0, engine.exec_run(
            ['sh', '-c', 'echo kept > /root/mark']).exit_code)
        started = engine.attrs['State']['StartedAt']

        updated = self.call('PATCH', '/v1/containers/web', {'memory': '256M'},
                            expect=200).json
        self.assertEqual(('256', 'Running'),
                         (updated['memory'], updated['status']))
        server = self.admin_api.get_server(uuid)
        self.assertEqual(('ACTIVE', 'c1.small'),
                         (server['status'], server['flavor']['original_name']))
        migration = self._wait_for_migration_status(server, ['confirmed'])
        self.assertEqual('resize', migration['migration_type'])

        engine.reload()
        self.assertEqual(256 * MIB, engine.attrs['HostConfig']['Memory'])
        self.assertEqual(started, engine.attrs['State']['StartedAt'])
        result = engine.exec_run(['cat', '/root/mark'])
        self.assertEqual((0, b'kept\n'), (result.exit_code, result.output))

    def test_paused_container_is_a_conflict(self):
        uuid = self.run_container()['uuid']
        self.call('POST', '/v1/containers/%s/pause' % uuid, expect=202)
        self.wait_for_status(uuid, 'Paused')
        self.call('PATCH', '/v1/containers/%s' % uuid, {'memory': 256},
                  expect=409)
        self.assertEqual('c1.tiny', self.admin_api.get_server(uuid)[
            'flavor']['original_name'])
