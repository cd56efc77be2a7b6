"""How the driver waits for Neutron and cleans up, with mocked plumbing."""
import contextlib
from unittest import mock

from nova import exception
from nova.network import model

from higgins_virt.network import plumbing
from higgins_virt.tests.unit import test_driver


def _vif(port_id, active):
    return model.VIF(id=port_id, address='fa:16:3e:00:00:01', type='ovs',
                     devname='tap' + port_id[:11], active=active,
                     network=model.Network(id='n', bridge='br-int',
                                           subnets=[]))


class SpawnWithPortsTest(test_driver.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.network = mock.create_autospec(plumbing.Plumbing,
                                            instance=True)
        self.network.split_spec.side_effect = lambda i, spec, n: (
            mock.sentinel.sandbox, spec)
        self.driver._network = self.network
        self.waits = []
        self.timeout = False

        @contextlib.contextmanager
        def wait(instance, events, timeout, error_callback):
            self.waits.append((events, timeout))
            yield
            if self.timeout and events:
                raise exception.InstanceEventTimeout()
        self.driver.virtapi.wait_for_instance_event = wait
        self.network_info = model.NetworkInfo(
            [_vif('down-port-1', False), _vif('up-port-22', True)])

    def _spawn_with_ports(self):
        self.driver.spawn(None, self.instance, self.image_meta, [], None,
                          {}, network_info=self.network_info)

    def test_waits_for_ports_neutron_reports_down(self):
        self.flags(vif_plugging_timeout=42)
        self._spawn_with_ports()
        self.assertEqual([([('network-vif-plugged', 'down-port-1')], 42)],
                         self.waits)
        self.network.start_sandbox.assert_called_once_with(
            self.instance, mock.sentinel.sandbox)
        self.network.plug.assert_called_once_with(self.instance,
                                                  self.network_info)
        self.engine.start.assert_called_once()

    def test_no_wait_when_the_timeout_is_zero(self):
        self.flags(vif_plugging_timeout=0)
        self._spawn_with_ports()
        self.assertEqual([([], 0)], self.waits)

    def test_fatal_timeout_fails_and_removes_everything(self):
        self.flags(vif_plugging_timeout=1, vif_plugging_is_fatal=True)
        self.timeout = True
        self.assertRaises(exception.VirtualInterfaceCreateException,
                          self._spawn_with_ports)
        self.engine.create.assert_not_called()
        self.engine.remove.assert_called_once()
        self.network.teardown.assert_called_once_with(self.instance,
                                                      self.network_info)

    def test_timeout_that_is_not_fatal_boots_anyway(self):
        self.flags(vif_plugging_timeout=1, vif_plugging_is_fatal=False)
        self.timeout = True
        self._spawn_with_ports()
        self.engine.start.assert_called_once()
        self.network.teardown.assert_not_called()

    def test_plumbing_failure_aborts_the_build(self):
        self.network.plug.side_effect = plumbing.NetworkError('no')
        self.assertRaises(exception.VirtualInterfaceCreateException,
                          self._spawn_with_ports)
        self.network.teardown.assert_called_once()

    def test_server_without_ports_touches_no_network(self):
        self._spawn()
        self.network.split_spec.assert_not_called()
        self.network.plug.assert_not_called()
        self.assertEqual([], self.waits)
