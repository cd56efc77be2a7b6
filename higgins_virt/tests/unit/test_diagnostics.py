"""Diagnostics: the engine's stats document, the Nova object, the driver."""
import datetime
from unittest import mock

import jsonschema
from nova.api.openstack.compute.schemas import server_diagnostics as schema
from nova.api.openstack.compute.views import server_diagnostics as view
from nova.compute import power_state
from nova import exception
from nova import objects

from higgins_virt import diagnostics
from higgins_virt.engine import base
from higgins_virt.engine import docker_stats
from higgins_virt.network import plumbing
from higgins_virt.tests.unit import test_driver

MiB = 1024 * 1024
STARTED = datetime.datetime(2026, 1, 1, 12, 0, 0,
                            tzinfo=datetime.timezone.utc)

# Trimmed from a real cgroup v1 engine's answer.
DOC = {
    'cpu_stats': {'cpu_usage': {'total_usage': 537051398}},
    'memory_stats': {'usage': 90 * MiB, 'limit': 128 * MiB,
                     'stats': {'total_inactive_file': 20 * MiB,
                               'total_cache': 60 * MiB}},
    'blkio_stats': {
        'io_service_bytes_recursive': [
            {'major': 254, 'minor': 0, 'op': 'Read', 'value': 4096},
            {'major': 254, 'minor': 0, 'op': 'Write', 'value': 3 * MiB},
            {'major': 254, 'minor': 0, 'op': 'Total', 'value': 9}],
        'io_serviced_recursive': [
            {'major': 254, 'minor': 0, 'op': 'Read', 'value': 1},
            {'major': 254, 'minor': 0, 'op': 'Write', 'value': 24}]},
    'networks': {'eth0': {'rx_bytes': 736, 'rx_packets': 8, 'rx_errors': 0,
                          'rx_dropped': 1, 'tx_bytes': 90, 'tx_packets': 2,
                          'tx_errors': 0, 'tx_dropped': 0}},
}


def _nic(name='eth0', mac='fa:16:3e:00:00:01', base_value=1):
    return base.InterfaceCounters(
        name=name, mac=mac, rx_bytes=base_value * 100, rx_packets=base_value,
        rx_errors=0, rx_dropped=0, tx_bytes=base_value * 50,
        tx_packets=base_value, tx_errors=0, tx_dropped=0)


class _TestCase(test_driver.test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def setUp(self):
        super().setUp()
        objects.register_all()


class DockerStatsTest(_TestCase):

    def test_counts_as_the_engine_cli_does(self):
        stats = docker_stats.container_stats(DOC)
        self.assertEqual(537051398, stats.cpu_time_ns)
        # Page cache the kernel can drop is not in use; the rest (tmpfs
        # and anonymous memory included) is.
        self.assertEqual(70 * MiB, stats.memory_used_bytes)
        self.assertEqual(128 * MiB, stats.memory_limit_bytes)
        self.assertEqual((4096, 1, 3 * MiB, 24),
                         (stats.disk_read_bytes, stats.disk_read_requests,
                          stats.disk_write_bytes, stats.disk_write_requests))
        nic = stats.interfaces[0]
        self.assertEqual(('eth0', 736, 1, 90),
                         (nic.name, nic.rx_bytes, nic.rx_dropped,
                          nic.tx_bytes))

    def test_unmeasured_block_io_is_none_not_zero(self):
        doc = dict(DOC, blkio_stats={'io_service_bytes_recursive': [],
                                     'io_serviced_recursive': None})
        stats = docker_stats.container_stats(doc)
        self.assertIsNone(stats.disk_write_bytes)
        self.assertIsNone(stats.disk_read_requests)

    def test_cgroup_v2_names(self):
        doc = dict(DOC, memory_stats={'usage': 50 * MiB, 'limit': 1,
                                      'stats': {'inactive_file': 10 * MiB}})
        self.assertEqual(40 * MiB,
                         docker_stats.container_stats(doc).memory_used_bytes)

    def test_no_networks_means_no_interfaces(self):
        doc = dict(DOC)
        del doc['networks']
        self.assertEqual((), docker_stats.container_stats(doc).interfaces)


class BuildTest(_TestCase):

    def _build(self, interfaces=()):
        stats = docker_stats.container_stats(DOC)
        now = STARTED + datetime.timedelta(seconds=75, microseconds=500)
        return diagnostics.build(power_state.RUNNING, STARTED, stats,
                                 interfaces, now=now)

    def test_fields(self):
        diags = self._build([_nic()])
        self.assertEqual('running', diags.state)
        self.assertEqual('docker', diags.hypervisor)
        self.assertEqual(75, diags.uptime)
        self.assertFalse(diags.config_drive)
        self.assertEqual((128, 70), (diags.memory_details.maximum,
                                     diags.memory_details.used))
        self.assertEqual((1, 1, 1), (diags.num_cpus, diags.num_disks,
                                     diags.num_nics))
        self.assertEqual(537051398, diags.cpu_details[0].time)
        self.assertIsNone(diags.cpu_details[0].utilisation)
        self.assertEqual(3 * MiB, diags.disk_details[0].write_bytes)
        self.assertEqual('fa:16:3e:00:00:01', diags.nic_details[0].mac_address)
        self.assertEqual(100, diags.nic_details[0].rx_octets)

    def test_nova_api_accepts_the_answer(self):
        # Nova validates its response against this schema (an error in its
        # functional tests and, per its docs, in production one day).
        for interfaces in ((), [_nic(), _nic('eth1', None, 2)]):
            body = view.ViewBuilder().instance_diagnostics(
                self._build(interfaces))
            jsonschema.validate(body, schema.index_response_v248)

    def test_never_started_has_no_uptime(self):
        diags = diagnostics.build(power_state.RUNNING, None,
                                  docker_stats.container_stats(DOC), ())
        self.assertIsNone(diags.uptime)

    def test_legacy(self):
        found = diagnostics.legacy(self._build([_nic()]), [_nic()])
        self.assertEqual(537051398, found['cpu0_time'])
        self.assertEqual(128 * 1024, found['memory'])
        self.assertEqual(3 * MiB, found['root_write'])
        self.assertEqual(100, found['eth0_rx'])
        self.assertEqual(50, found['eth0_tx'])


class DriverDiagnosticsTest(test_driver.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.network = mock.create_autospec(plumbing.Plumbing, instance=True)
        self.network.counters.return_value = ()
        self.driver._network = self.network
        self.engine.stats.return_value = docker_stats.container_stats(DOC)

    def _running(self, state=base.RUNNING):
        uuid = self.instance.uuid
        self.engine.inspect.return_value = test_driver.base.ContainerInfo(
            id=uuid, name='higgins-' + uuid, state=state,
            labels={'higgins.host': 'node-1'}, started_at=STARTED)

    def test_one_stats_call_for_the_container(self):
        self._running()
        diags = self.driver.get_instance_diagnostics(self.instance)
        self.engine.stats.assert_called_once_with(
            'higgins-' + self.instance.uuid)
        self.assertEqual(537051398, diags.cpu_details[0].time)
        # No ports: the engine's own interfaces.
        self.assertEqual(736, diags.nic_details[0].rx_octets)

    def test_ports_are_counted_in_the_sandbox(self):
        self._running()
        self.network.counters.return_value = (_nic(), _nic('eth1', None, 3))
        diags = self.driver.get_instance_diagnostics(self.instance)
        self.network.counters.assert_called_once_with(self.instance)
        self.assertEqual([100, 300],
                         [n.rx_octets for n in diags.nic_details])

    def test_container_that_stopped_meanwhile_is_a_state_error(self):
        for state in (base.EXITED, base.PAUSED, base.RESTARTING):
            self._running(state)
            self.assertRaises(exception.InstanceInvalidState,
                              self.driver.get_instance_diagnostics,
                              self.instance)
        self.engine.stats.assert_not_called()

    def test_engine_errors_are_nova_errors_without_engine_text(self):
        self._running()
        self.engine.stats.side_effect = test_driver.errors.EngineUnavailable()
        exc = self.assertRaises(exception.NovaException,
                                self.driver.get_instance_diagnostics,
                                self.instance)
        self.assertIn('not reachable', str(exc))

    def test_missing_container(self):
        self.engine.inspect.side_effect = (
            test_driver.errors.ContainerNotFound())
        self.assertRaises(exception.InstanceNotFound,
                          self.driver.get_instance_diagnostics, self.instance)

    def test_legacy_api(self):
        self._running()
        found = self.driver.get_diagnostics(self.instance)
        self.assertEqual(537051398, found['cpu0_time'])
        self.assertEqual(736, found['eth0_rx'])
