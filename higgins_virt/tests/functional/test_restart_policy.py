"""Restart policies: the engine restarts the container, Nova does not fight.

Each test reads what Nova recorded (status, instance actions) and what the
engine did (its restart count, its events).
"""
import datetime
import time

from nova.compute import power_state
from nova import context as nova_context
from nova import objects
from nova.virt import event as virtevent

from higgins_virt.engine import base as engine_base
from higgins_virt.tests.functional import base

# Bounded waits for the engine and Nova; nothing passes or fails on time.
WAIT = 60.0


class RestartPolicyTest(base.HigginsTestCase):

    def _actions(self, server):
        return sorted(a['action'] for a in
                      self.api.get_instance_actions(server['id']))

    def _until(self, check, what):
        deadline = time.monotonic() + WAIT
        while True:
            found = check()
            if found:
                return found
            self.assertLess(time.monotonic(), deadline, what)
            time.sleep(0.1)

    def _sync_power_state_at_each_exit(self, server):
        """Run Nova's periodic power-state sync at the worst moment.

        The sync lists the host's containers, then asks for each server's
        state; here an exit lands between the two, every time. Returns the
        power states Nova recorded right after each of these syncs.
        """
        manager = self.compute.manager
        driver = manager.driver
        handle = driver._handle_engine_event
        synced = []

        def handle_then_sync(event):
            if event.kind != engine_base.EVENT_STOPPED:
                return handle(event)
            driver.list_instance_uuids()
            handle(event)
            ctx = nova_context.get_admin_context()
            manager._query_driver_power_state_and_sync(
                ctx, objects.Instance.get_by_uuid(ctx, server['id']))
            synced.append(objects.Instance.get_by_uuid(
                ctx, server['id']).power_state)
        driver._listener._on_event = handle_then_sync
        return synced

    def _lifecycle_events(self, server):
        """The lifecycle events the driver gives Nova for the server."""
        driver = self.compute.manager.driver
        emit = driver.emit_event
        emitted = []

        def recording_emit(event):
            if event.get_instance_uuid() == server['id']:
                emitted.append(event.get_transition())
            return emit(event)
        driver.emit_event = recording_emit
        return emitted

    def _restart_count(self, server):
        container = self.container(server)
        return container.attrs['RestartCount']

    def test_on_failure_restarts_then_nova_shows_shutoff(self):
        # Each run outlives the build, fails, and the engine restarts it
        # twice; the third failure is final.
        server = self.boot(metadata={
            'higgins:command': '["sh", "-c", "echo run; sleep 2; exit 3"]',
            'higgins:restart_policy': 'on-failure:2'})
        policy = self.container(server).attrs['HostConfig']['RestartPolicy']
        self.assertEqual({'Name': 'on-failure', 'MaximumRetryCount': 2},
                         policy)
        synced = self._sync_power_state_at_each_exit(server)
        emitted = self._lifecycle_events(server)
        seen = set()

        def ended():
            # Between failures Nova keeps the server ACTIVE.
            status = self._show_server(server)['status']
            container = self.container(server)
            seen.add((container.attrs['RestartCount'], status))
            if status == 'SHUTOFF':
                return container
            self.assertEqual('ACTIVE', status)
            return None
        container = self._until(ended, 'server never went SHUTOFF')
        self.assertEqual('exited', container.status)
        self.assertEqual(3, container.attrs['State']['ExitCode'])
        # Exactly the two restarts the policy allows: Nova never stopped
        # it in between (a stop through the engine's API ends restarts).
        self.assertEqual(2, container.attrs['RestartCount'])
        self.assertIn((2, 'ACTIVE'), seen)
        self.assertEqual(3, container.logs().decode().count('run'))
        # Nova recorded the server running after each exit the engine
        # answered with a restart, and shut down after the last.
        self.assertEqual([power_state.RUNNING] * 2 + [power_state.SHUTDOWN],
                         synced)
        # Nova heard of each restart, and of one stop: the last.
        self.assertEqual([virtevent.EVENT_LIFECYCLE_STARTED] * 2 +
                         [virtevent.EVENT_LIFECYCLE_STOPPED], emitted)
        # Nova's one stop is its power sync after the final exit.
        self.assertEqual(['create', 'stop'], self._actions(server))

        # A start through Nova runs it again, under the same policy.
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        self.assertLessEqual(self._restart_count(server), 2)

    def test_always_keeps_running_when_its_command_dies(self):
        server = self.boot(metadata={
            'higgins:command':
                '["sh", "-c", "echo run; sleep 1; kill -KILL $$"]',
            'higgins:restart_policy': 'always'})
        synced = self._sync_power_state_at_each_exit(server)
        emitted = self._lifecycle_events(server)
        self._until(lambda: len(synced) >= 3 and (
            self._restart_count(server) >= 3),
                    'the engine did not restart the container')
        self.assertEqual('ACTIVE', self._show_server(server)['status'])
        self.assertEqual({power_state.RUNNING}, set(synced))
        self.assertNotIn(virtevent.EVENT_LIFECYCLE_STOPPED, emitted)
        self.assertEqual(['create'], self._actions(server))

    def test_nova_stop_of_an_always_server_is_final(self):
        server = self.boot(metadata={'higgins:restart_policy': 'always'})
        # Nova's stop is final across engine restarts too: the engine's
        # "unless-stopped" differs from its "always" only in that.
        self.assertEqual(
            'unless-stopped',
            self.container(server).attrs['HostConfig']['RestartPolicy'][
                'Name'])
        stopped_at = datetime.datetime.now(datetime.timezone.utc)
        self._stop_server(server)
        self._wait_for_state_change(server, 'SHUTOFF')
        container = self.container(server)
        self.assertEqual('exited', container.status)
        # The engine's own record: no start since the stop.
        until = datetime.datetime.now(datetime.timezone.utc) + (
            datetime.timedelta(seconds=2))
        events = self.engine.api.events(
            since=stopped_at, until=until, decode=True,
            filters={'container': container.id, 'event': 'start'})
        # The engine's `since` has whole seconds: the boot's own start may
        # fall in the stop's second.
        stopped_ns = int(stopped_at.timestamp() * 1e9)
        self.assertEqual([], [e for e in events
                              if e['timeNano'] > stopped_ns])
        self.assertEqual('exited', self.container(server).status)
        self.assertEqual('SHUTOFF', self._show_server(server)['status'])

        # Start and reboot work as for any server.
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        self._reboot_server(server, hard=False)
        self.assertEqual('running', self.container(server).status)

    def test_invalid_policy_set_through_nova_fails_the_build(self):
        # Server metadata is the user's to write, so the driver checks it.
        server = self.boot(metadata={'higgins:restart_policy': 'always:3'},
                           expected_state='ERROR')
        self.assertIn('higgins:restart_policy: a retry count is only valid '
                      'with on-failure', server['fault']['message'])
        self.assertEqual([], self.host_containers())
