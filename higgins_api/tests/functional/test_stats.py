"""The stats verb through Nova's diagnostics and the real driver."""
import time

from higgins_api.tests.functional import base

MiB = 1024 * 1024
HELD_MIB = 40
# 40 MiB held in the container's tmpfs, then short bursts of counting.
COMMAND = ['sh', '-c',
           'head -c %d /dev/zero > /dev/shm/held; echo held; '
           'while :; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; '
           'sleep 0.2; done' % (HELD_MIB * MiB)]
WAIT = 60.0


class StatsTest(base.FacadeTestCase):

    def stats(self, uuid, **kwargs):
        return self.call('GET', '/v1/containers/%s/stats' % uuid, **kwargs)

    def _wait_for_output(self, uuid, text):
        deadline = time.monotonic() + WAIT
        while text not in self.engine_container(uuid).logs().decode():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)

    def test_stats_from_nova_diagnostics(self):
        container = self.run_container(command=COMMAND, memory='128')
        uuid = container['uuid']
        self._wait_for_output(uuid, 'held')

        # Nova's default policy keeps diagnostics for admins.
        error = self.stats(uuid, expect=403).json['errors'][0]
        self.assertEqual('higgins.forbidden', error['code'])
        self.assertIn('os_compute_api:os-server-diagnostics',
                      error['detail'])

        # The operator lets the project's readers see them.
        self.policy.set_rules({
            'os_compute_api:os-server-diagnostics':
                'rule:project_reader_or_admin'}, overwrite=False)
        deadline = time.monotonic() + WAIT
        while True:
            stats = self.stats(uuid, expect=200).json
            # CPU % is an average over the run: there once it lasted 1 s.
            if stats['CPU %'] is not None:
                break
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.3)
        self.assertEqual(container['name'], stats['CONTAINER'])
        self.assertGreater(stats['CPU %'], 0)
        self.assertEqual(128, stats['MEM LIMIT(MiB)'])
        self.assertGreaterEqual(stats['MEM USAGE(MiB)'], HELD_MIB)
        self.assertAlmostEqual(
            stats['MEM USAGE(MiB)'] / 128 * 100, stats['MEM %'])
        self.assertEqual('0/0', stats['NET I/O(B)'])
        self.assertRegex(stats['BLOCK I/O(B)'], r'^(\d+/\d+|-- / --)$')

        # Nova answers only for running servers.
        self.call('POST', '/v1/containers/%s/stop' % uuid, expect=202)
        self.wait_for_status(uuid, 'Stopped')
        error = self.stats(uuid, expect=409).json['errors'][0]
        self.assertEqual('higgins.invalid_state', error['code'])
