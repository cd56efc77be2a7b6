"""Server diagnostics through Nova's API, from a container doing real work."""
import time

from nova.tests.functional.api import client

from higgins_virt.tests.functional import base

MiB = 1024 * 1024
# What the container's command does, then keeps doing: 40 MiB into its
# tmpfs (counted as memory in use), 8 MiB written and synced to its root
# filesystem, then short bursts of counting, so its CPU time grows.
HELD_MIB = 40
WRITTEN_MIB = 8
WORK = (
    'head -c %d /dev/zero > /dev/shm/held; '
    'dd if=/dev/zero of=/written bs=1M count=%d conv=fsync 2>/dev/null; '
    'echo work-done; '
    'while :; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; '
    'sleep 0.2; done' % (HELD_MIB * MiB, WRITTEN_MIB))
# How long the container may take to do its first work (bounded waits,
# not pass/fail timings).
WAIT = 60.0


class DiagnosticsTest(base.HigginsTestCase):

    def _diagnostics(self, server, api=None):
        return (api or self.admin_api).api_get(
            '/servers/%s/diagnostics' % server['id']).body

    def _wait_for_output(self, server, text):
        container = self.container(server)
        deadline = time.monotonic() + WAIT
        while text not in container.logs().decode():
            self.assertLess(time.monotonic(), deadline, 'no %r' % text)
            time.sleep(0.2)

    def test_diagnostics_reflect_the_work_done(self):
        server = self.boot(metadata={
            'higgins:command': '["sh", "-c", "%s"]' % WORK})
        self._wait_for_output(server, 'work-done')
        first = self._diagnostics(server)
        engine = self.container(server).stats(stream=False, one_shot=True)

        self.assertEqual('running', first['state'])
        self.assertEqual('docker', first['hypervisor'])
        self.assertFalse(first['config_drive'])
        # The flavor's memory is the limit the engine enforces.
        self.assertEqual(128, first['memory_details']['maximum'])
        self.assertGreaterEqual(first['memory_details']['used'], HELD_MIB)
        self.assertLessEqual(first['memory_details']['used'], 128)
        self.assertEqual(1, first['num_cpus'])
        cpu_time = first['cpu_details'][0]['time']
        self.assertGreater(cpu_time, 0)
        self.assertLessEqual(
            cpu_time, engine['cpu_stats']['cpu_usage']['total_usage'])
        self.assertGreaterEqual(first['uptime'], 0)
        # No Neutron port and no engine network: no interface to count.
        self.assertEqual([], first['nic_details'])
        disk = first['disk_details'][0]
        written = [e for e in engine['blkio_stats'][
            'io_service_bytes_recursive'] or () if e['op'] == 'Write']
        if written:
            self.assertGreaterEqual(disk['write_bytes'], WRITTEN_MIB * MiB)
        else:
            # This host's kernel accounts no block I/O per container: the
            # answer says "not measured", never "nothing written".
            self.assertIsNone(disk['write_bytes'])

        # CPU time keeps growing while the container works.
        deadline = time.monotonic() + WAIT
        while self._diagnostics(server)['cpu_details'][0]['time'] <= (
                cpu_time):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.3)

    def test_legacy_microversion(self):
        server = self.boot()
        self.admin_api.microversion = '2.47'
        found = self._diagnostics(server)
        self.assertEqual(128 * 1024, found['memory'])
        self.assertGreater(found['cpu0_time'], 0)

    def test_stopped_server_is_a_conflict(self):
        server = self.boot()
        self._stop_server(server)
        exc = self.assertRaises(client.OpenStackApiException,
                                self._diagnostics, server)
        self.assertEqual(409, exc.response.status_code)
        self.assertNotIn('docker', str(exc).lower())

    def test_owner_needs_the_policy_relaxed(self):
        server = self.boot()
        exc = self.assertRaises(client.OpenStackApiException,
                                self._diagnostics, server, self.api)
        self.assertEqual(403, exc.response.status_code)
        # The relaxation the operator docs give (docs/diagnostics.md).
        self.policy.set_rules({
            'os_compute_api:os-server-diagnostics':
                'rule:project_reader_or_admin'}, overwrite=False)
        self.assertEqual('running',
                         self._diagnostics(server, self.api)['state'])


class EngineNetworkDiagnosticsTest(base.HigginsTestCase):
    """A container on the engine's own network: the engine counts it."""

    def setUp(self):
        self.flags(network_mode='bridge', group='higgins')
        super().setUp()

    def test_engine_counted_interface(self):
        server = self.boot()
        nics = self.admin_api.api_get(
            '/servers/%s/diagnostics' % server['id']).body['nic_details']
        engine = self.container(server).stats(
            stream=False, one_shot=True)['networks']
        self.assertEqual(1, len(nics))
        # Read after Nova's answer: the engine's counters can only have
        # grown since; the engine knows no MAC to go with them.
        for key, name in (('rx_octets', 'rx_bytes'),
                          ('rx_packets', 'rx_packets'),
                          ('tx_octets', 'tx_bytes')):
            self.assertLessEqual(nics[0][key], engine['eth0'][name], key)
        self.assertIsNone(nics[0]['mac_address'])
