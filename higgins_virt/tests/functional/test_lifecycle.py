"""A server's life through Nova's API, checked on the real engine."""
import time

from nova.compute import power_state

from higgins_virt.tests.functional import base


def _started_at(container):
    container.reload()
    return container.attrs['State']['StartedAt']


class ServerLifecycleTest(base.HigginsTestCase):

    def test_boot_creates_a_limited_hardened_container(self):
        server = self.boot()
        container = self.container(server)
        self.assertEqual('running', container.status)
        self.assertEqual({'higgins.managed': '1',
                          'higgins.host': self.compute_host,
                          'higgins.instance_uuid': server['id'],
                          'higgins.instance_name':
                              server['OS-EXT-SRV-ATTR:instance_name']},
                         container.labels)
        host_config = container.attrs['HostConfig']
        # c1.tiny: one vCPU, 128 MiB, no swap.
        self.assertEqual(10 ** 9, host_config['NanoCpus'])
        self.assertEqual(128 * 1024 * 1024, host_config['Memory'])
        self.assertEqual(128 * 1024 * 1024, host_config['MemorySwap'])
        self.assertEqual(1024, host_config['PidsLimit'])
        self.assertTrue(host_config['Init'])
        self.assertFalse(host_config['Privileged'])
        self.assertEqual(['ALL'], host_config['CapDrop'])
        self.assertEqual(
            ['NET_BIND_SERVICE'],
            [c.replace('CAP_', '') for c in host_config['CapAdd']])
        self.assertEqual(['no-new-privileges'], host_config['SecurityOpt'])
        self.assertEqual('none', host_config['NetworkMode'])
        self.assertFalse(host_config['Binds'])
        self.assertFalse(container.attrs['Mounts'])
        for namespace in ('PidMode', 'IpcMode', 'UTSMode', 'UsernsMode'):
            self.assertNotEqual('host', host_config[namespace], namespace)
        self.assertEqual(power_state.RUNNING,
                         server['OS-EXT-STS:power_state'])

    def test_stop_and_start(self):
        server = self.boot()
        self._stop_server(server)
        container = self.container(server)
        self.assertEqual('exited', container.status)
        self.assertEqual(power_state.SHUTDOWN,
                         self._show_server(server)['OS-EXT-STS:power_state'])
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        container.reload()
        self.assertEqual('running', container.status)

    def test_soft_and_hard_reboot_restart_the_container(self):
        server = self.boot()
        container = self.container(server)
        for hard in (False, True):
            before = _started_at(container)
            self._reboot_server(server, hard=hard)
            self.assertNotEqual(before, _started_at(container))
            self.assertEqual('running', container.status)

    def test_reboot_of_a_paused_server(self):
        server = self.boot()
        self.api.post_server_action(server['id'], {'pause': None})
        self._wait_for_state_change(server, 'PAUSED')
        self._reboot_server(server, hard=True)
        self.assertEqual('running', self.container(server).status)

    def test_pause_and_unpause_freeze_the_container(self):
        server = self.boot()
        self.api.post_server_action(server['id'], {'pause': None})
        server = self._wait_for_state_change(server, 'PAUSED')
        self.assertEqual('paused', self.container(server).status)
        self.assertEqual(power_state.PAUSED, server['OS-EXT-STS:power_state'])
        self.api.post_server_action(server['id'], {'unpause': None})
        self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual('running', self.container(server).status)

    def test_suspend_and_resume(self):
        server = self.boot()
        before = _started_at(self.container(server))
        server = self._suspend_server(server)
        self.assertEqual('paused', self.container(server).status)
        self.assertEqual(power_state.SUSPENDED,
                         server['OS-EXT-STS:power_state'])
        self._resume_server(server)
        container = self.container(server)
        self.assertEqual('running', container.status)
        # Resume thaws the same processes: no restart happened.
        self.assertEqual(before, _started_at(container))

    def test_delete_of_a_paused_server(self):
        server = self.boot()
        self.api.post_server_action(server['id'], {'pause': None})
        self._wait_for_state_change(server, 'PAUSED')
        self._delete_server(server)
        self.assertEqual([], self.host_containers())

    def test_rebuild_replaces_the_container(self):
        server = self.boot()
        before = self.container(server).id
        self._rebuild_server(server, self.image_id)
        container = self.container(server)
        self.assertNotEqual(before, container.id)
        self.assertEqual('running', container.status)
        self.assertEqual(1, len(self.host_containers()))

    def test_delete_removes_the_container(self):
        server = self.boot()
        self.container(server)
        self._delete_server(server)
        self.assertEqual([], self.host_containers())

    def test_container_stopped_behind_novas_back_shows_shutoff(self):
        server = self.boot()
        self.container(server).stop(timeout=0)
        deadline = time.monotonic() + 2.0
        status = None
        while time.monotonic() < deadline:
            status = self._show_server(server)['status']
            if status == 'SHUTOFF':
                break
            time.sleep(0.05)
        self.assertEqual('SHUTOFF', status)

    def test_console_log_shows_container_output(self):
        server = self.boot(metadata={
            'higgins:command':
                '["sh", "-c", "echo hello $WHO from $(pwd); sleep 1000"]',
            'higgins:env:WHO': 'higgins',
            'higgins:workdir': '/tmp',
        })
        expected = 'hello higgins from /tmp'
        output = ''
        for _ in range(50):
            output = self.api.post_server_action(
                server['id'], {'os-getConsoleOutput': {'length': 10}})
            output = output['output']
            if expected in output:
                break
            time.sleep(0.1)
        self.assertIn(expected, output)
        config = self.container(server).attrs['Config']
        self.assertIn('WHO=higgins', config['Env'])
        self.assertEqual('/tmp', config['WorkingDir'])


class ConcurrentBootTest(base.HigginsTestCase):

    def setUp(self):
        # Ten one-vCPU containers on a two-core host: container hosts run
        # with a higher CPU allocation ratio than Nova's VM default.
        self.flags(cpu_allocation_ratio=16.0)
        super().setUp()

    def test_ten_concurrent_boots_and_deletes(self):
        # Posting does not wait for the build (casts are asynchronous), so
        # the ten builds run in nova-compute at the same time.
        body = self._build_server(image_uuid=self.image_id,
                                  flavor_id=self.flavor_id, networks='none')
        body['min_count'] = body['max_count'] = 10
        self.api.post_server({'server': body})
        servers = self.api.get_servers()
        self.assertEqual(10, len(servers))
        # Nova's resource tracker claims one build at a time: on a loaded
        # two-core machine ten builds can outlast the helper's default 5 s.
        servers = [self._wait_for_state_change(s, 'ACTIVE', max_retries=60)
                   for s in servers]
        running = {c.labels['higgins.instance_uuid']
                   for c in self.host_containers() if c.status == 'running'}
        self.assertEqual({s['id'] for s in servers}, running)
        for server in servers:
            self.api.delete_server(server['id'])
        for server in servers:
            self._wait_until_deleted(server)
        self.assertEqual([], self.host_containers())
