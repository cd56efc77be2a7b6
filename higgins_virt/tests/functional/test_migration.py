"""Resize, cold migration and evacuate through Nova, on real engines.

Same-host resizes run on one compute host. Moves between hosts need two
compute services with two engines (their containers share names, one per
server uuid): the first host uses the machine's engine, the second the
hardened engine tools/run-tests.sh starts (HIGGINS_ISOLATED_ENGINE_URL).
Every test checks what the engines really hold: limits, processes, files,
and that no container, engine image or Glance image is left behind.
"""
import os
import unittest
from unittest import mock

from docker import errors as docker_errors
from nova.compute import power_state
from nova.virt import node
from oslo_utils import uuidutils

from higgins_common import contract
from higgins_virt import migration
from higgins_virt.tests import engine_fixtures
from higgins_virt.tests.functional import base

SECOND_ENGINE_URL = os.environ.get('HIGGINS_ISOLATED_ENGINE_URL')
MIB = 1024 * 1024
NANO = 10 ** 9
MARK = '/root/written-before'


class MigrationTestCase(base.HigginsTestCase):

    def setUp(self):
        super().setUp()
        self.bigger_flavor_id = self._create_flavor(
            name='c1.small', memory_mb=256, vcpu=2, disk=1, ephemeral=0,
            extra_spec={'trait:%s' % contract.CONTAINER_TRAIT: 'required'})

    def write_mark(self, container):
        result = container.exec_run(['sh', '-c', 'echo kept > %s' % MARK])
        self.assertEqual(0, result.exit_code)

    def assertMarkKept(self, container):
        result = container.exec_run(['cat', MARK])
        self.assertEqual((0, b'kept\n'), (result.exit_code, result.output))

    def assertLimits(self, container, vcpus, memory_mb):
        container.reload()
        host_config = container.attrs['HostConfig']
        self.assertEqual(vcpus * NANO, host_config['NanoCpus'])
        self.assertEqual(memory_mb * MIB, host_config['Memory'])
        self.assertEqual(memory_mb * MIB, host_config['MemorySwap'])

    def transfer_images(self):
        return [image for image in self.glance.images.values()
                if (image.get('properties') or {}).get(
                    migration.TRANSFER_PROPERTY)]

    def engine_images_of(self, engine, server):
        """Images on ``engine`` a migration of ``server`` made."""
        labelled = engine.images.list(
            all=True, filters={'label': '%s=%s' % (
                contract.LABEL_INSTANCE_UUID, server['id'])})
        try:
            named = [engine.images.get(
                migration.migration_reference(server['id']))]
        except docker_errors.ImageNotFound:
            named = []
        return {image.id for image in labelled + named}


class SameHostResizeTest(MigrationTestCase):

    def setUp(self):
        super().setUp()
        self.flags(allow_resize_to_same_host=True)

    def test_resize_changes_limits_in_place(self):
        server = self.boot()
        container = self.container(server)
        self.write_mark(container)
        before = container.attrs['State']
        self.assertLimits(container, 1, 128)

        server = self._resize_server(server, self.bigger_flavor_id)
        self.assertEqual(power_state.RUNNING,
                         server['OS-EXT-STS:power_state'])
        container = self.container(server)
        self.assertLimits(container, 2, 256)
        # The same container, the same processes, the same files.
        self.assertEqual(before['Pid'], container.attrs['State']['Pid'])
        self.assertEqual(before['StartedAt'],
                         container.attrs['State']['StartedAt'])
        self.assertMarkKept(container)

        server = self._confirm_resize(server)
        self.assertEqual('c1.small', server['flavor']['original_name'])
        self.assertLimits(self.container(server), 2, 256)
        self.assertEqual(1, len(self.host_containers()))
        self.assertEqual([], self.transfer_images())

    def test_revert_restores_the_old_limits(self):
        server = self.boot()
        container = self.container(server)
        self.write_mark(container)
        started = container.attrs['State']['StartedAt']
        server = self._resize_server(server, self.bigger_flavor_id)
        self.assertLimits(self.container(server), 2, 256)

        server = self._revert_resize(server)
        container = self.container(server)
        self.assertLimits(container, 1, 128)
        self.assertEqual('running', container.status)
        self.assertEqual(started, container.attrs['State']['StartedAt'])
        self.assertMarkKept(container)
        self.assertEqual('c1.tiny', server['flavor']['original_name'])

    def test_resize_of_a_stopped_server_stays_stopped(self):
        server = self.boot()
        server = self._stop_server(server)
        self.api.post_server_action(
            server['id'], {'resize': {'flavorRef': self.bigger_flavor_id}})
        server = self._wait_for_state_change(server, 'VERIFY_RESIZE')
        container = self.container(server)
        self.assertEqual('exited', container.status)
        self.assertLimits(container, 2, 256)
        self.api.post_server_action(server['id'], {'confirmResize': None})
        self._wait_for_state_change(server, 'SHUTOFF')
        self.assertEqual('exited', self.container(server).status)


@unittest.skipUnless(SECOND_ENGINE_URL, 'needs an engine that enforces '
                     'root disks: tools/run-tests.sh starts one and sets '
                     'HIGGINS_ISOLATED_ENGINE_URL')
class SameHostDiskTest(MigrationTestCase):
    engine_url = SECOND_ENGINE_URL

    def test_new_disk_size_is_refused_and_rolled_back(self):
        self.flags(allow_resize_to_same_host=True)
        bigger_disk = self._create_flavor(
            name='c1.disk', memory_mb=256, vcpu=1, disk=2, ephemeral=0,
            extra_spec={'trait:%s' % contract.CONTAINER_TRAIT: 'required'})
        server = self.boot()
        started = self.container(server).attrs['State']['StartedAt']
        self.api.post_server_action(
            server['id'], {'resize': {'flavorRef': bigger_disk}})
        self._wait_for_migration_status(server, ['error'])
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual('c1.tiny', server['flavor']['original_name'])
        container = self.container(server)
        self.assertLimits(container, 1, 128)
        self.assertEqual(started, container.attrs['State']['StartedAt'])
        # Fails the test unless Nova recorded the refusal.
        self._wait_for_instance_action_event(
            server, 'resize', 'compute_resize_instance', 'Error')


@unittest.skipUnless(SECOND_ENGINE_URL, 'moving a server needs a second '
                     'engine: tools/run-tests.sh starts one and sets '
                     'HIGGINS_ISOLATED_ENGINE_URL')
class TwoHostTestCase(MigrationTestCase):
    """Host one on the machine's engine, host two on the second engine."""

    def setUp(self):
        super().setUp()
        self.second_host = self.compute_host + '-b'
        self.second_engine = engine_fixtures.engine_client(SECOND_ENGINE_URL)
        self.addCleanup(self.second_engine.close)
        # Cleanups run last-in first-out: containers before their images.
        self.addCleanup(self._remove_second_engine_images)
        self.useFixture(engine_fixtures.EngineCleanupFixture(
            self.second_host, SECOND_ENGINE_URL))
        # The driver reads its engine when the compute service builds it.
        self.flags(engine_url=SECOND_ENGINE_URL, group='higgins')
        # Each real compute host has its own node identity file; in one
        # process Nova keeps one identity, so the second host gets its own
        # while it starts.
        with mock.patch.object(node, 'LOCAL_NODE_UUID',
                               uuidutils.generate_uuid()):
            self._start_compute(self.second_host)
        self.flags(engine_url=None, group='higgins')

    def _remove_second_engine_images(self):
        for reference in reversed(self._engine_images):
            try:
                self.second_engine.images.remove(reference)
            except docker_errors.NotFound:
                pass

    def boot_on_first_host(self):
        body = self._build_server(image_uuid=self.image_id,
                                  flavor_id=self.flavor_id, networks='none',
                                  az='nova:%s' % self.compute_host)
        server = self.admin_api.post_server({'server': body})
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.remove_at_cleanup(migration.migration_reference(server['id']))
        return server

    def second_container(self, server):
        return self.second_engine.containers.get('higgins-%s' % server['id'])

    def assertGone(self, engine, server):
        self.assertRaises(docker_errors.NotFound, engine.containers.get,
                          'higgins-%s' % server['id'])


class ResizeToAnotherHostTest(TwoHostTestCase):

    def test_resize_moves_the_filesystem(self):
        server = self.boot_on_first_host()
        source = self.container(server)
        self.write_mark(source)

        server = self._resize_server(server, self.bigger_flavor_id)
        self.assertEqual(self.second_host, server['OS-EXT-SRV-ATTR:host'])
        moved = self.second_container(server)
        self.assertEqual('running', moved.status)
        self.assertLimits(moved, 2, 256)
        self.assertMarkKept(moved)
        source.reload()
        self.assertEqual('exited', source.status)
        # The destination deleted the transfer image once loaded.
        self.assertEqual([], self.transfer_images())

        self._confirm_resize(server)
        self.assertGone(self.engine, server)
        self.assertEqual(set(), self.engine_images_of(self.engine, server))
        self.assertEqual('running', self.second_container(server).status)

        self._delete_server(server)
        self.assertGone(self.second_engine, server)
        self.assertEqual(set(),
                         self.engine_images_of(self.second_engine, server))

    def test_revert_starts_the_source_again(self):
        server = self.boot_on_first_host()
        self.write_mark(self.container(server))
        server = self._resize_server(server, self.bigger_flavor_id)

        server = self._revert_resize(server)
        self.assertEqual(self.compute_host, server['OS-EXT-SRV-ATTR:host'])
        source = self.container(server)
        self.assertEqual('running', source.status)
        self.assertLimits(source, 1, 128)
        self.assertMarkKept(source)
        self.assertGone(self.second_engine, server)
        self.assertEqual(set(),
                         self.engine_images_of(self.second_engine, server))
        self.assertEqual(set(), self.engine_images_of(self.engine, server))
        self.assertEqual([], self.transfer_images())

    def test_cold_migration_keeps_the_flavor(self):
        server = self.boot_on_first_host()
        self.write_mark(self.container(server))
        server = self._migrate_server(server, api=self.admin_api)
        self.assertEqual(self.second_host, server['OS-EXT-SRV-ATTR:host'])
        moved = self.second_container(server)
        self.assertLimits(moved, 1, 128)
        self.assertMarkKept(moved)
        self._confirm_resize(server)
        self.assertGone(self.engine, server)
        self.assertEqual([], self.transfer_images())


class EvacuateTest(TwoHostTestCase):

    def test_evacuate_rebuilds_from_the_image(self):
        server = self.boot_on_first_host()
        source = self.container(server)
        self.write_mark(source)
        self.computes[self.compute_host].stop()
        service = self.admin_api.get_services(
            binary='nova-compute', host=self.compute_host)[0]
        self.admin_api.put_service_force_down(service['id'], True)

        # Since microversion 2.95 an evacuated server arrives stopped.
        server = self._evacuate_server(server,
                                       expected_host=self.second_host,
                                       expected_state='SHUTOFF')
        self.assertNotEqual('running', self.second_container(server).status)
        server = self._start_server(server)
        rebuilt = self.second_container(server)
        self.assertEqual('running', rebuilt.status)
        # Rebuilt from the image: the source's files did not come along.
        self.assertNotEqual(0, rebuilt.exec_run(['cat', MARK]).exit_code)
        # The source engine still runs the old container until its
        # compute service returns and removes it.
        self.assertEqual('running', self.container(server).status)

        # The returning host's compute service removes what was evacuated.
        self.computes[self.compute_host] = self.restart_compute_service(
            self.computes[self.compute_host], keep_hypervisor_state=False)
        self.admin_api.put_service_force_down(service['id'], False)
        self.assertGone(self.engine, server)
        self.assertEqual('running', self.second_container(server).status)
