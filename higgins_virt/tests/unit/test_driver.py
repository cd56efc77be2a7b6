"""The driver's translation and error boundary, with a mocked engine.

These tests only pin down how the driver reacts to what an engine says;
the functional tests show what a real engine does.
"""
import time
from unittest import mock

from nova.compute import power_state
from nova.compute import task_states
from nova import exception
from nova import objects
from nova import test
from nova.virt import event as virtevent

from higgins_virt import created_only
from higgins_virt import driver as higgins_driver
from higgins_virt.engine import base
from higgins_virt.engine import errors
from higgins_virt import images
from higgins_virt.tests.unit import fakes


def _container(uuid, state, host='node-1'):
    return base.ContainerInfo(
        id=uuid, name='higgins-' + uuid, state=state,
        labels={'higgins.host': host, 'higgins.instance_uuid': uuid,
                'higgins.instance_name': 'instance-' + uuid[:8]})


class DriverTestCase(test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def setUp(self):
        super().setUp()
        self.flags(host='node-1')
        self.engine = mock.create_autospec(base.ContainerEngine,
                                           instance=True)
        self.engine.info.return_value = base.EngineInfo(
            cpus=2, memory_bytes=4 << 30, version='20.10.24',
            storage_driver='overlay2', root_dir='/', architecture='x86_64')
        self.driver = higgins_driver.HigginsDriver(mock.Mock(),
                                                   engine=self.engine)
        self.driver._images = mock.create_autospec(images.ImageManager,
                                                   instance=True)
        self.driver._images.prepare.return_value = (
            'higgins/glance-1:latest',
            base.ImageInfo(id='sha256:1', environment={'PATH': '/bin'}))
        self.instance = fakes.instance()
        self.image_meta = objects.ImageMeta.from_dict(
            {'id': '0c8f3a43-2a49-4c61-9cb4-5e2a1a0a6d6b',
             'name': 'busybox'})

    def _spawn(self, metadata=None):
        self.instance.metadata = metadata or {}
        self.driver.spawn(None, self.instance, self.image_meta, [], None, {})


class SpawnTest(DriverTestCase):

    def test_spawn_creates_then_starts(self):
        self._spawn()
        spec = self.engine.create.call_args[0][0]
        self.engine.start.assert_called_once_with(spec.name)
        self.engine.stat.assert_not_called()

    def test_failures_remove_the_container_and_map_to_nova(self):
        cases = [
            (errors.CommandFailed(), exception.InvalidInput),
            (errors.InvalidContainer(), exception.InvalidInput),
            (errors.ImageNotFound(), exception.ImageUnacceptable),
            (errors.EngineUnavailable(), exception.InstanceDeployFailure),
            (errors.EngineError(), exception.InstanceDeployFailure),
        ]
        for engine_error, nova_error in cases:
            self.engine.reset_mock()
            self.engine.start.side_effect = engine_error
            exc = self.assertRaises(nova_error, self._spawn)
            self.assertIs(engine_error, exc.__cause__)
            self.engine.remove.assert_called_once_with(
                'higgins-' + self.instance.uuid)

    def test_unexpected_error_also_cleans_up(self):
        self.engine.start.side_effect = KeyboardInterrupt
        self.assertRaises(KeyboardInterrupt, self._spawn)
        self.engine.remove.assert_called_once()

    def test_missing_user_command_is_refused_before_start(self):
        self.engine.stat.return_value = None
        self.assertRaises(exception.InvalidInput, self._spawn,
                          {'higgins:command': 'nope'})
        self.engine.stat.assert_called_once_with(
            'higgins-' + self.instance.uuid, '/bin/nope')
        self.engine.start.assert_not_called()
        self.engine.remove.assert_called_once()

    def test_image_refused(self):
        self.driver._images.prepare.side_effect = images.ImageUnusable(
            'x', 'it is not a container image')
        exc = self.assertRaises(exception.ImageUnacceptable, self._spawn)
        self.assertIn('it is not a container image', str(exc))
        self.assertIsInstance(exc.__cause__, images.ImageUnusable)
        self.engine.create.assert_not_called()

    def test_image_refused_while_precaching(self):
        self.driver._images.precache.side_effect = images.ImageUnusable(
            'x', 'no data')
        self.assertRaises(exception.ImageUnacceptable,
                          self.driver.cache_image, None, 'x')

    def test_engine_down_while_preparing_the_image(self):
        self.driver._images.prepare.side_effect = errors.EngineUnavailable()
        self.assertRaises(exception.InstanceDeployFailure, self._spawn)
        self.engine.create.assert_not_called()

    def test_invalid_metadata_never_reaches_the_engine(self):
        self.assertRaises(exception.InvalidInput, self._spawn,
                          {'higgins:workdir': '/proc/1/cwd'})
        self.engine.create.assert_not_called()

    def test_stale_container_of_the_same_instance_is_replaced(self):
        self.engine.create.side_effect = [errors.ContainerConflict(), 'id']
        self._spawn()
        self.assertEqual(2, self.engine.create.call_count)
        self.engine.remove.assert_called_once()


class CreatedOnlyTest(DriverTestCase):
    """``higgins:run=false``: created, never started, SHUTDOWN at once."""

    def _spawn_building(self, metadata):
        self.instance.task_state = task_states.SPAWNING
        with mock.patch.object(created_only, 'announce_stopped') as announce:
            self._spawn(metadata)
        return announce

    def test_first_boot_creates_without_starting(self):
        announce = self._spawn_building({'higgins:run': 'false'})
        self.engine.create.assert_called_once()
        self.engine.start.assert_not_called()
        announce.assert_called_once_with(self.instance,
                                         self.driver.emit_event)
        self.engine.list.return_value = [
            _container(self.instance.uuid, base.CREATED)]
        self.assertEqual(power_state.SHUTDOWN,
                         self.driver.get_info(self.instance).state)

    def test_without_the_key_the_container_starts(self):
        announce = self._spawn_building({'higgins:run': 'true'})
        self.engine.start.assert_called_once()
        announce.assert_not_called()

    def test_a_rebuild_starts_it(self):
        self.instance.task_state = task_states.REBUILD_SPAWNING
        with mock.patch.object(created_only, 'announce_stopped') as announce:
            self._spawn({'higgins:run': 'false'})
        self.engine.start.assert_called_once()
        announce.assert_not_called()

    def test_power_on_starts_a_created_container(self):
        self.engine.inspect.return_value = _container(
            self.instance.uuid, base.CREATED)
        self.driver.power_on(None, self.instance, None)
        self.engine.start.assert_called_once_with(
            'higgins-' + self.instance.uuid)

    def test_entrypoint_reaches_the_spec_and_its_program_is_checked(self):
        self.engine.stat.return_value = None
        self.assertRaises(exception.InvalidInput, self._spawn,
                          {'higgins:entrypoint': 'nope', 'higgins:command':
                           'echo'})
        self.engine.stat.assert_called_once_with(
            'higgins-' + self.instance.uuid, '/bin/nope')
        spec = self.engine.create.call_args[0][0]
        self.assertEqual(('nope',), spec.entrypoint)
        self.assertEqual(('echo',), spec.command)


class AnnounceStoppedTest(test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def test_waits_for_the_build_to_end_then_emits_stopped(self):
        instance = fakes.instance(task_state=task_states.SPAWNING)
        emitted = []
        thread = created_only.announce_stopped(
            instance, emitted.append, timeout=5, poll=0.01,
            delays=(0.0, 0.05))
        time.sleep(0.1)
        self.assertEqual([], emitted)
        instance.task_state = None
        thread.join(5)
        self.assertEqual(2, len(emitted))
        for event in emitted:
            self.assertEqual(instance.uuid, event.get_instance_uuid())
            self.assertEqual(virtevent.EVENT_LIFECYCLE_STOPPED,
                             event.get_transition())

    def test_gives_up_when_the_build_never_ends(self):
        instance = fakes.instance(task_state=task_states.SPAWNING)
        emitted = []
        created_only.announce_stopped(instance, emitted.append,
                                      timeout=0.05, poll=0.01).join(5)
        self.assertEqual([], emitted)


class StateTest(DriverTestCase):

    def test_get_info_for_many_instances_lists_once(self):
        instances = [fakes.instance() for _ in range(20)]
        self.engine.list.return_value = [
            _container(i.uuid, base.RUNNING) for i in instances]
        for instance in instances:
            self.assertEqual(power_state.RUNNING,
                             self.driver.get_info(instance).state)
        self.engine.list.assert_called_once()
        self.engine.inspect.assert_not_called()

    def test_get_info_without_cache_asks_the_engine(self):
        self.engine.inspect.return_value = _container(self.instance.uuid,
                                                      base.EXITED)
        self.assertEqual(power_state.SHUTDOWN, self.driver.get_info(
            self.instance, use_cache=False).state)

    def test_container_of_another_host_is_not_found(self):
        self.engine.inspect.return_value = _container(
            self.instance.uuid, base.RUNNING, host='node-2')
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          self.instance, use_cache=False)

    def test_missing_container_is_instance_not_found(self):
        self.engine.inspect.side_effect = errors.ContainerNotFound()
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          self.instance, use_cache=False)

    def test_an_operation_drops_the_cached_state(self):
        self.engine.list.return_value = [
            _container(self.instance.uuid, base.RUNNING)]
        self.driver.get_info(self.instance)
        self.engine.inspect.return_value = _container(self.instance.uuid,
                                                      base.RUNNING)
        self.driver.power_off(self.instance, timeout=30)
        self.engine.stop.assert_called_once_with(
            'higgins-' + self.instance.uuid, 30)
        self.engine.inspect.return_value = _container(self.instance.uuid,
                                                      base.EXITED)
        self.assertEqual(power_state.SHUTDOWN,
                         self.driver.get_info(self.instance).state)

    def test_destroy_of_a_missing_container_succeeds(self):
        self.driver.destroy(None, self.instance, None)
        self.engine.remove.assert_called_once()

    def test_destroy_with_engine_down_fails_cleanly(self):
        self.engine.remove.side_effect = errors.EngineUnavailable()
        exc = self.assertRaises(exception.InstanceTerminationFailure,
                                self.driver.destroy, None, self.instance,
                                None)
        self.assertIsInstance(exc.__cause__, errors.EngineUnavailable)

    def test_claims_and_spawns_reuse_the_engine_facts(self):
        tree = mock.Mock()
        tree.data.return_value.inventory = {}
        self.driver.update_provider_tree(tree, 'node-1')
        self._spawn()
        self.engine.info.assert_called_once_with()
        # The periodic audit asks the engine again; the next claim only
        # checks that the engine answers.
        self.driver.get_available_resource('node-1')
        self.driver.update_provider_tree(tree, 'node-1')
        self.assertEqual(2, self.engine.info.call_count)
        self.assertEqual(2, self.engine.ping.call_count)

    def test_a_claim_on_a_host_whose_engine_is_down_fails(self):
        tree = mock.Mock()
        tree.data.return_value.inventory = {}
        self.driver.get_available_resource('node-1')
        self.engine.ping.side_effect = errors.EngineUnavailable()
        self.assertRaises(exception.HypervisorUnavailable,
                          self.driver.update_provider_tree, tree, 'node-1')
        tree.update_inventory.assert_not_called()

    def test_engine_down_is_hypervisor_unavailable(self):
        self.engine.info.side_effect = errors.EngineUnavailable()
        self.assertRaises(exception.HypervisorUnavailable,
                          self.driver.get_available_resource, 'node-1')

    def test_other_engine_failures_are_operation_failures(self):
        self.engine.inspect.return_value = _container(self.instance.uuid,
                                                      base.RUNNING)
        self.engine.pause.side_effect = errors.EngineError()
        exc = self.assertRaises(higgins_driver.ContainerOperationFailed,
                                self.driver.pause, self.instance)
        self.assertIsInstance(exc.__cause__, errors.EngineError)


class EventTest(DriverTestCase):

    def test_engine_events_become_lifecycle_events(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        for kind in (base.EVENT_STOPPED, base.EVENT_STARTED,
                     base.EVENT_PAUSED, base.EVENT_RESUMED):
            self.driver._handle_engine_event(base.ContainerEvent(
                container_id='c', kind=kind,
                labels={'higgins.instance_uuid': self.instance.uuid}))
        self.assertEqual([virtevent.EVENT_LIFECYCLE_STOPPED,
                          virtevent.EVENT_LIFECYCLE_STARTED,
                          virtevent.EVENT_LIFECYCLE_PAUSED,
                          virtevent.EVENT_LIFECYCLE_RESUMED],
                         [e.get_transition() for e in emitted])
        # The cache follows the events without asking the engine.
        self.driver._states.replace({}, 0)
        self.assertEqual((False, None),
                         self.driver._states.lookup(self.instance.uuid))

    def test_the_start_of_a_spawn_is_not_reported_again(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        self._spawn()
        for kind in (base.EVENT_STARTED, base.EVENT_STOPPED,
                     base.EVENT_STARTED):
            self.driver._handle_engine_event(base.ContainerEvent(
                container_id='c', kind=kind,
                labels={'higgins.instance_uuid': self.instance.uuid}))
        # The build reports the first start; what follows is news to Nova.
        self.assertEqual([virtevent.EVENT_LIFECYCLE_STOPPED,
                          virtevent.EVENT_LIFECYCLE_STARTED],
                         [e.get_transition() for e in emitted])

    def test_the_stop_of_a_destroy_is_not_reported(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        self.driver.destroy(None, self.instance, None)
        self.driver._handle_engine_event(base.ContainerEvent(
            container_id='c', kind=base.EVENT_STOPPED,
            labels={'higgins.instance_uuid': self.instance.uuid}))
        self.assertEqual([], emitted)

    def test_a_failed_start_expects_no_event(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        self.engine.start.side_effect = errors.EngineError()
        self.assertRaises(exception.InstanceDeployFailure, self._spawn)
        self.driver._handle_engine_event(base.ContainerEvent(
            container_id='c', kind=base.EVENT_STARTED,
            labels={'higgins.instance_uuid': self.instance.uuid}))
        self.assertEqual([virtevent.EVENT_LIFECYCLE_STARTED],
                         [e.get_transition() for e in emitted])

    def test_unlabelled_events_are_ignored(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        self.driver._handle_engine_event(base.ContainerEvent(
            container_id='c', kind=base.EVENT_STOPPED, labels={}))
        self.assertEqual([], emitted)

    def _exit_of_a_restarting_container(self, state_after):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        self.driver._states.replace({}, time.monotonic())
        self.engine.inspect.return_value = _container(self.instance.uuid,
                                                      state_after)
        self.driver._handle_engine_event(base.ContainerEvent(
            container_id='c', kind=base.EVENT_STOPPED,
            labels={'higgins.instance_uuid': self.instance.uuid,
                    'higgins.restart_policy': 'on-failure'}))
        self.engine.inspect.assert_called_once_with('c')
        return emitted

    def test_an_exit_the_engine_answers_with_a_restart_is_not_a_stop(self):
        for state in (base.RESTARTING, base.RUNNING):
            self.engine.reset_mock()
            self.assertEqual([], self._exit_of_a_restarting_container(state))
            self.assertEqual(power_state.RUNNING,
                             self.driver.get_info(self.instance).state)

    def test_an_exit_the_engine_gives_up_on_is_a_stop(self):
        emitted = self._exit_of_a_restarting_container(base.EXITED)
        self.assertEqual([virtevent.EVENT_LIFECYCLE_STOPPED],
                         [e.get_transition() for e in emitted])
        self.assertEqual(power_state.SHUTDOWN,
                         self.driver.get_info(self.instance).state)

    def test_an_exit_without_a_policy_asks_the_engine_nothing(self):
        self.driver._handle_engine_event(base.ContainerEvent(
            container_id='c', kind=base.EVENT_STOPPED,
            labels={'higgins.instance_uuid': self.instance.uuid}))
        self.engine.inspect.assert_not_called()

    def test_an_event_sets_the_state_it_leaves(self):
        # A fresh, empty listing: only the events can answer.
        self.driver._states.replace({}, time.monotonic())
        for kind, expected in ((base.EVENT_STOPPED, power_state.SHUTDOWN),
                               (base.EVENT_PAUSED, power_state.PAUSED),
                               (base.EVENT_RESUMED, power_state.RUNNING)):
            self.driver._handle_engine_event(base.ContainerEvent(
                container_id='c', kind=kind,
                labels={'higgins.instance_uuid': self.instance.uuid}))
            self.assertEqual(expected,
                             self.driver.get_info(self.instance).state)
        self.engine.inspect.assert_not_called()

    def test_resync_reports_settled_states_only(self):
        emitted = []
        self.driver.register_event_listener(emitted.append)
        running, stopped, created, passing = (
            fakes.instance() for _ in range(4))
        self.driver._resync_from_engine([
            _container(running.uuid, base.RUNNING),
            _container(stopped.uuid, base.EXITED),
            _container(created.uuid, base.CREATED),
            _container(passing.uuid, base.RESTARTING),
            base.ContainerInfo(id='x', name='x', state=base.RUNNING,
                               labels={})])
        self.assertEqual(
            [(running.uuid, virtevent.EVENT_LIFECYCLE_STARTED),
             (stopped.uuid, virtevent.EVENT_LIFECYCLE_STOPPED),
             (created.uuid, virtevent.EVENT_LIFECYCLE_STOPPED)],
            [(e.get_instance_uuid(), e.get_transition()) for e in emitted])


class HostIsolationReportTest(DriverTestCase):

    def _tree(self):
        tree = mock.Mock()
        tree.data.return_value.inventory = {}
        return tree

    def test_traits_follow_what_the_engine_enforces(self):
        self.engine.info.return_value = base.EngineInfo(
            cpus=2, memory_bytes=4 << 30, version='20.10.24',
            storage_driver='btrfs', root_dir='/', architecture='x86_64',
            userns_remapped=True)
        tree = self._tree()
        self.driver.update_provider_tree(tree, 'node-1')
        tree.add_traits.assert_called_once()
        self.assertEqual('node-1', tree.add_traits.call_args[0][0])
        self.assertEqual(
            {'CUSTOM_HIGGINS_CONTAINER', 'CUSTOM_HIGGINS_USERNS',
             'CUSTOM_HIGGINS_DISK_QUOTA'},
            set(tree.add_traits.call_args[0][1:]))
        tree.remove_traits.assert_called_once_with('node-1')

    def test_a_plain_engine_loses_the_isolation_traits(self):
        tree = self._tree()
        self.driver.update_provider_tree(tree, 'node-1')
        self.assertEqual({'CUSTOM_HIGGINS_CONTAINER'},
                         set(tree.add_traits.call_args[0][1:]))
        self.assertEqual(
            {'CUSTOM_HIGGINS_USERNS', 'CUSTOM_HIGGINS_DISK_QUOTA'},
            set(tree.remove_traits.call_args[0][1:]))

    def test_start_up_warns_about_weak_isolation(self):
        with mock.patch.object(higgins_driver, 'LOG') as log, \
                mock.patch.object(higgins_driver.events, 'EventListener'):
            self.driver.init_host('node-1')
        warnings = ' '.join(call[0][0] for call in log.warning.call_args_list)
        self.assertIn('does not remap user ids', warnings)
        self.assertIn('Root disks are not enforced', warnings)

    def test_spawn_on_btrfs_limits_the_root_disk(self):
        self.engine.info.return_value = base.EngineInfo(
            cpus=2, memory_bytes=4 << 30, version='20.10.24',
            storage_driver='btrfs', root_dir='/', architecture='x86_64')
        self._spawn()
        spec = self.engine.create.call_args[0][0]
        self.assertEqual(self.instance.flavor.root_gb << 30, spec.disk_bytes)


class SerialConsoleTest(DriverTestCase):

    def setUp(self):
        super().setUp()
        self.flags(enabled=True, proxyclient_address='127.0.0.1',
                   group='serial_console')
        self.addCleanup(self.driver.cleanup_host, 'node-1')

    def test_disabled_is_unavailable_like_libvirt(self):
        self.flags(enabled=False, group='serial_console')
        self.assertRaises(exception.ConsoleTypeUnavailable,
                          self.driver.get_serial_console, None,
                          self.instance)
        self.engine.inspect.assert_not_called()

    def test_stopped_server_is_not_ready(self):
        self.engine.inspect.return_value = _container(
            self.instance.uuid, base.EXITED)
        self.assertRaises(exception.InstanceNotReady,
                          self.driver.get_serial_console, None,
                          self.instance)

    def test_one_endpoint_per_server_closed_by_destroy(self):
        self.engine.inspect.return_value = _container(
            self.instance.uuid, base.RUNNING)
        first = self.driver.get_serial_console(None, self.instance)
        again = self.driver.get_serial_console(None, self.instance)
        self.assertEqual(('127.0.0.1', first.port), (again.host, again.port))
        self.driver.destroy(None, self.instance, None)
        self.assertEqual({}, self.driver._consoles.ports())
