"""Resize and migration in the driver, with a mocked engine and Glance.

The functional tests (test_migration) show what real engines do; these pin
down the decisions: in place or moved, what is refused, what is cleaned up
when a step fails.
"""
import json
from unittest import mock

from nova.compute import task_states
from nova import exception
from nova import objects

from higgins_virt.engine import base
from higgins_virt.engine import errors
from higgins_virt import migration
from higgins_virt.tests.unit import test_driver

GLANCE_ID = '2f0a3b1c-1111-4c61-9cb4-5e2a1a0a6d6b'


def _migration(dest='node-1'):
    objects.register_all()
    return objects.Migration(source_compute='node-1', dest_compute=dest,
                             migration_type='resize')


def _flavor(vcpus=2, memory_mb=256, root_gb=1):
    return objects.Flavor(vcpus=vcpus, memory_mb=memory_mb, swap=0,
                          root_gb=root_gb, ephemeral_gb=0, name='c2',
                          flavorid='c2', extra_specs={})


class MigrationTestCase(test_driver.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.engine.inspect.return_value = test_driver._container(
            self.instance.uuid, base.RUNNING)
        self.image_api = mock.Mock()
        self.image_api.create.return_value = {'id': GLANCE_ID}
        self.driver._image_api = self.image_api

    def migrate(self, dest='node-1', flavor=None):
        self.instance.migration_context = objects.MigrationContext(
            migration_id=1)
        with mock.patch.object(migration, 'migration_of',
                               return_value=_migration(dest)):
            return self.driver.migrate_disk_and_power_off(
                None, self.instance, '10.0.0.2', flavor or _flavor(), [])

    def fail_export_of_a_running_server(self):
        """The engine fails the commit of a running server's container."""
        self.driver._images.export_container.side_effect = (
            errors.EngineError())
        self.engine.inspect.side_effect = [
            test_driver._container(self.instance.uuid, base.RUNNING),
            test_driver._container(self.instance.uuid, base.RUNNING),
            test_driver._container(self.instance.uuid, base.EXITED),
        ]


class SameHostTest(MigrationTestCase):

    def test_new_limits_applied_to_the_running_container(self):
        disk_info = self.migrate()
        self.assertEqual({migration.IN_PLACE: True}, json.loads(disk_info))
        self.engine.update_limits.assert_called_once_with(
            'higgins-' + self.instance.uuid,
            base.Limits(nano_cpus=2 * 10 ** 9, memory_bytes=256 << 20,
                        memory_swap_bytes=256 << 20, pids_limit=1024))
        self.engine.stop.assert_not_called()
        self.engine.commit.assert_not_called()

    def test_disk_change_refused_where_the_disk_is_enforced(self):
        with mock.patch('higgins_virt.resources.enforces_disk_quota',
                        return_value=True):
            exc = self.assertRaises(exception.InstanceFaultRollback,
                                    self.migrate, flavor=_flavor(root_gb=5))
        self.assertIsInstance(exc.inner_exception, exception.ResizeError)
        self.engine.update_limits.assert_not_called()

    def test_disk_change_accepted_where_it_is_not_enforced(self):
        self.migrate(flavor=_flavor(root_gb=5))
        self.engine.update_limits.assert_called_once()

    def test_engine_refusal_rolls_back(self):
        self.engine.update_limits.side_effect = errors.InvalidContainer()
        exc = self.assertRaises(exception.InstanceFaultRollback, self.migrate)
        self.assertIsInstance(exc.inner_exception, exception.ResizeError)

    def test_finish_and_confirm_leave_the_container_alone(self):
        self.driver.finish_migration(None, _migration(), self.instance, '{}',
                                     [], None, True, {})
        self.driver.confirm_migration(None, _migration(), self.instance, [])
        self.engine.remove.assert_not_called()
        self.engine.create.assert_not_called()
        self.engine.start.assert_not_called()

    def test_revert_keeps_the_container_and_restores_limits(self):
        self.instance.task_state = task_states.RESIZE_REVERTING
        self.instance.migration_context = objects.MigrationContext(
            migration_id=1)
        with mock.patch.object(migration, 'migration_of',
                               return_value=_migration()):
            self.driver.destroy(None, self.instance, [])
        self.engine.remove.assert_not_called()
        self.driver.finish_revert_migration(None, self.instance, [],
                                            _migration())
        limits = self.engine.update_limits.call_args[0][1]
        self.assertEqual(128 << 20, limits.memory_bytes)
        self.assertEqual(10 ** 9, limits.nano_cpus)


class OtherHostTest(MigrationTestCase):

    def test_source_stops_and_exports_to_a_hidden_image(self):
        disk_info = self.migrate(dest='node-2')
        self.assertEqual(GLANCE_ID, migration.transfer_image_of(disk_info))
        self.engine.stop.assert_called_once()
        record = self.image_api.create.call_args[0][1]
        self.assertEqual('private', record['visibility'])
        self.assertTrue(record['os_hidden'])
        self.assertEqual(self.instance.uuid,
                         record['properties'][migration.TRANSFER_PROPERTY])
        self.driver._images.export_container.assert_called_once_with(
            None, 'higgins-' + self.instance.uuid, GLANCE_ID)

    def test_failed_export_restarts_and_deletes_the_image(self):
        self.fail_export_of_a_running_server()
        self.assertRaises(exception.InstanceFaultRollback, self.migrate,
                          dest='node-2')
        self.image_api.delete.assert_called_once_with(None, GLANCE_ID)
        self.engine.start.assert_called_once()

    def test_destination_builds_from_the_transfer_image(self):
        self.driver._images.import_as.return_value = base.ImageInfo(
            id='sha256:2', environment={})
        self.driver.finish_migration(
            None, _migration('node-2'), self.instance,
            migration.transfer_disk_info(GLANCE_ID), [], None, True, {})
        spec = self.engine.create.call_args[0][0]
        self.assertEqual(migration.migration_reference(self.instance.uuid),
                         spec.image)
        self.engine.start.assert_called_once_with(spec.name)
        self.image_api.delete.assert_called_once_with(None, GLANCE_ID)

    def test_failed_import_leaves_nothing(self):
        self.driver._images.import_as.side_effect = errors.InvalidImage()
        self.assertRaises(
            exception.MigrationError, self.driver.finish_migration,
            None, _migration('node-2'), self.instance,
            migration.transfer_disk_info(GLANCE_ID), [], None, True, {})
        self.engine.remove_image.assert_called_once_with(
            migration.migration_reference(self.instance.uuid))
        self.image_api.delete.assert_called_once_with(None, GLANCE_ID)
        self.engine.create.assert_not_called()

    def test_finish_without_a_transfer_image_fails_clearly(self):
        self.assertRaises(
            exception.MigrationError, self.driver.finish_migration,
            None, _migration('node-2'), self.instance, '{}', [], None, True,
            {})

    def test_confirm_removes_the_source_container_and_its_image(self):
        self.driver.confirm_migration(None, _migration('node-2'),
                                      self.instance, [])
        self.engine.remove.assert_called_once_with(
            'higgins-' + self.instance.uuid)
        self.engine.remove_image.assert_called_once_with(
            migration.migration_reference(self.instance.uuid))

    def test_revert_starts_the_stopped_source(self):
        self.engine.inspect.return_value = test_driver._container(
            self.instance.uuid, base.EXITED)
        self.driver.finish_revert_migration(None, self.instance, [],
                                            _migration('node-2'))
        self.engine.start.assert_called_once()
        self.engine.update_limits.assert_not_called()

    def test_revert_of_a_stopped_server_does_not_start_it(self):
        self.driver.finish_revert_migration(None, self.instance, [],
                                            _migration('node-2'),
                                            power_on=False)
        self.engine.start.assert_not_called()


class WithoutMigrationRecordTest(MigrationTestCase):

    def test_destination_address_decides(self):
        self.instance.migration_context = None
        self.flags(my_ip='10.0.0.1')
        self.driver.migrate_disk_and_power_off(
            None, self.instance, '10.0.0.1', _flavor(), [])
        self.engine.update_limits.assert_called_once()
        self.engine.stop.assert_not_called()
        self.driver.migrate_disk_and_power_off(
            None, self.instance, '10.0.0.2', _flavor(), [])
        self.engine.stop.assert_called_once()


class CapabilitiesTest(MigrationTestCase):

    def test_evacuate_is_supported(self):
        self.assertTrue(self.driver.capabilities['supports_evacuate'])
        self.assertFalse(
            self.driver.capabilities['supports_migrate_to_same_host'])


class PortsTest(MigrationTestCase):

    def test_ports_leave_the_source_and_come_back_on_failure(self):
        vif = {'id': 'port-1'}
        network = self.driver._network = mock.Mock()
        self.fail_export_of_a_running_server()
        self.instance.migration_context = objects.MigrationContext(
            migration_id=1)
        with mock.patch.object(migration, 'migration_of',
                               return_value=_migration('node-2')):
            self.assertRaises(
                exception.InstanceFaultRollback,
                self.driver.migrate_disk_and_power_off,
                None, self.instance, '10.0.0.2', _flavor(), [vif])
        network.unplug.assert_called_once_with(self.instance, vif)
        network.plug.assert_called_once_with(self.instance, [vif])
        self.engine.start.assert_called_once()
