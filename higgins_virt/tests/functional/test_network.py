"""Neutron ports in containers, on a real Open vSwitch and Docker engine.

Each test has its own OVS bridge on the userspace datapath; Nova's Neutron
fixture gives ports bound to it, and the test plays the Neutron agent by
sending ``network-vif-plugged`` once the port is on the bridge. What the
container sees is read with ``docker exec``; traffic flows only between
the containers these tests create.
"""
import time

from nova.compute import power_state

from higgins_virt.network import sandbox
from higgins_virt.tests import engine_fixtures
from higgins_virt.tests.functional import base
from higgins_virt.tests import network_fixtures as netfix


class NetworkTestCase(base.HigginsTestCase):
    #: Nova's Neutron fixture, with ports bound to the test's bridge.
    neutron_fixture = netfix.PortsNeutronFixture

    def setUp(self):
        if not netfix.ovs_running():
            self.skipTest(netfix.SKIP_REASON)
        super().setUp()
        self.bridge = self.useFixture(netfix.OvsBridgeFixture()).name
        self.useFixture(netfix.InProcessNetworkFixture(self))
        self.neutron = self.useFixture(
            self.neutron_fixture(self, self.bridge))
        # The fixture turns the wait off; a real cloud waits.
        self.flags(vif_plugging_timeout=30, vif_plugging_is_fatal=True)

    def boot_with_ports(self, ports, expected_state='ACTIVE', agent=True):
        """Boot a server on ``ports``; play the agent unless told not to."""
        body = self._build_server(
            image_uuid=self.image_id, flavor_id=self.flavor_id,
            networks=[{'port': p['id']} for p in ports])
        server = self.api.post_server({'server': body})
        if agent:
            for port in ports:
                self.wait_for_ovs_port(port['id'])
                self.send_vif_plugged(server['id'], port['id'])
        return self._wait_for_state_change(server, expected_state,
                                           max_retries=100)

    def wait_for_ovs_port(self, port_id, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = netfix.ovs_interface(port_id)
            if found:
                return found
            time.sleep(0.05)
        self.fail('port %s never reached OVS' % port_id)

    def send_vif_plugged(self, server_id, port_id):
        self.admin_api.api_post('/os-server-external-events', {'events': [
            {'name': 'network-vif-plugged', 'server_uuid': server_id,
             'tag': port_id, 'status': 'completed'}]})

    def sh(self, server, command):
        result = self.container(server).exec_run(['sh', '-c', command])
        self.assertEqual(0, result.exit_code, result.output)
        return result.output.decode()

    def assertWired(self, server, port, ifname='eth0', default_route=True):
        addr = self.sh(server, 'ip addr show %s' % ifname)
        self.assertIn('link/ether %s' % port['mac_address'], addr)
        self.assertIn('mtu 1450', addr)
        v4, v6 = [ip['ip_address'] for ip in port['fixed_ips']]
        self.assertIn('inet %s/24' % v4, addr)
        self.assertIn('inet6 %s/64' % v6, addr)
        if default_route:
            self.assertIn('default via 192.168.1.1 dev %s' % ifname,
                          self.sh(server, 'ip route'))
            self.assertIn('default via fd37:44e8:ad06::1 dev %s' % ifname,
                          self.sh(server, 'ip -6 route'))

    def sandbox(self, server):
        return self.engine.containers.get(sandbox.name(server['id']))

    def assertNothingLeft(self, ports, netns=()):
        self.assertEqual([], self.host_containers())
        self.assertEqual([], engine_fixtures.sandboxes_of_host(
            self.engine, self.compute_host))
        self.assertEqual([], netfix.bridge_ports(self.bridge))
        for port in ports:
            self.assertIsNone(netfix.ovs_interface(port['id']))
            self.assertFalse(netfix.link_exists('tap' + port['id'][:11]))
        self.assertFalse(set(netns) & netfix.net_namespaces())

    def netns_inode(self, server):
        pid = self.sandbox(server).attrs['State']['Pid']
        return netfix.run('stat', '-L', '-c', '%i',
                          '/proc/%d/ns/net' % pid).strip()


class PortWiringTest(NetworkTestCase):

    def test_boot_gives_the_container_its_port(self):
        port = self.neutron.add_port()
        server = self.boot_with_ports([port])
        self.assertWired(server, port)
        self.assertIn('nameserver %s' % netfix.DNS_V4,
                      self.sh(server, 'cat /etc/resolv.conf'))
        found = self.wait_for_ovs_port(port['id'])
        self.assertEqual('tap' + port['id'][:11], found['name'])
        self.assertEqual({'iface-id': port['id'],
                          'attached-mac': port['mac_address'],
                          'vm-uuid': server['id'],
                          'iface-status': 'active'}, found['external_ids'])
        self.assertEqual([found['name']], netfix.bridge_ports(self.bridge))
        # The server's container joins its sandbox's namespace.
        host_config = self.container(server).attrs['HostConfig']
        self.assertEqual('container:' + self.sandbox(server).id,
                         host_config['NetworkMode'])
        self.assertEqual(['ALL'], self.sandbox(server).attrs[
            'HostConfig']['CapDrop'])

    def test_two_servers_on_one_bridge_reach_each_other(self):
        port_a, port_b = self.neutron.add_port(), self.neutron.add_port()
        server_a = self.boot_with_ports([port_a])
        server_b = self.boot_with_ports([port_b])
        for source, target in ((server_a, port_b), (server_b, port_a)):
            v4, v6 = [ip['ip_address'] for ip in target['fixed_ips']]
            self.assertIn(' 0% packet loss', self.ping_from(source, v4))
            self.assertIn(' 0% packet loss', self.ping_from(source, v6))

    def test_diagnostics_count_the_ports_traffic(self):
        port_a, port_b = self.neutron.add_port(), self.neutron.add_port()
        server_a = self.boot_with_ports([port_a])
        self.boot_with_ports([port_b])
        v4 = port_b['fixed_ips'][0]['ip_address']
        self.assertIn(' 0% packet loss', self.ping_from(server_a, v4))
        nics = self.admin_api.api_get(
            '/servers/%s/diagnostics' % server_a['id']).body['nic_details']
        # Read after Nova's answer: the kernel's counters inside the
        # container can only have grown since.
        inside = {name: int(self.sh(
            server_a, 'cat /sys/class/net/eth0/statistics/' + name))
            for name in ('rx_packets', 'tx_packets', 'rx_bytes',
                         'tx_bytes')}
        self.assertEqual([port_a['mac_address']],
                         [n['mac_address'] for n in nics])
        nic = nics[0]
        # Two echo requests out and two replies in, at least.
        self.assertGreaterEqual(nic['tx_packets'], 2)
        self.assertGreaterEqual(nic['rx_packets'], 2)
        for key, name in (('rx_packets', 'rx_packets'),
                          ('tx_packets', 'tx_packets'),
                          ('rx_octets', 'rx_bytes'),
                          ('tx_octets', 'tx_bytes')):
            self.assertLessEqual(nic[key], inside[name], key)
            self.assertGreater(nic[key], 0, key)

    def test_tcp_between_two_servers_on_one_bridge(self):
        # The userspace datapath forwards packets as the veth gave them: a
        # checksum left to offload would reach the other side unfinished,
        # and TCP (unlike ping) would never connect.
        port_a, port_b = self.neutron.add_port(), self.neutron.add_port()
        server_a = self.boot_with_ports([port_a])
        server_b = self.boot_with_ports([port_b])
        self.container(server_b).exec_run(
            ['nc', '-ll', '-p', '8080', '-e', 'echo', 'tcp-marker'],
            detach=True)
        for ip in port_b['fixed_ips']:
            result = self.container(server_a).exec_run(
                ['nc', '-w', '3', ip['ip_address'], '8080'])
            self.assertEqual(0, result.exit_code, result.output)
            self.assertIn(b'tcp-marker', result.output)

    def ping_from(self, server, address):
        # busybox's ping needs a raw socket the server's container does not
        # have: a short-lived helper joins the same namespace with one.
        return self.engine.containers.run(
            engine_fixtures.TEST_IMAGE,
            ['ping', '-c', '2', '-W', '3', address],
            network_mode='container:' + self.sandbox(server).id,
            cap_add=['NET_RAW'], remove=True).decode()

    def test_interfaces_survive_stop_start_reboot_and_pause(self):
        port = self.neutron.add_port()
        server = self.boot_with_ports([port])
        self._stop_server(server)
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        self.assertWired(server, port)
        for hard in (False, True):
            self._reboot_server(server, hard=hard)
            self.assertWired(server, port)
        self.api.post_server_action(server['id'], {'pause': None})
        self._wait_for_state_change(server, 'PAUSED')
        self.api.post_server_action(server['id'], {'unpause': None})
        self._wait_for_state_change(server, 'ACTIVE')
        self.assertWired(server, port)

    def test_compute_restart_and_lost_sandbox_replug(self):
        port = self.neutron.add_port()
        server = self.boot_with_ports([port])
        self.restart_compute_service(self.compute)
        self.assertWired(server, port)
        # A host restart stops both containers: the namespace is gone.
        self.container(server).stop(timeout=0)
        self.sandbox(server).stop(timeout=0)
        self._wait_for_state_change(server, 'SHUTOFF')
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        self.assertWired(server, port)
        self.assertEqual(power_state.RUNNING, self._show_server(server)[
            'OS-EXT-STS:power_state'])

    def test_attach_and_detach_on_a_running_server(self):
        first, second = self.neutron.add_port(), self.neutron.add_port()
        server = self.boot_with_ports([first])
        self.api.attach_interface(server['id'], {'interfaceAttachment': {
            'port_id': second['id']}})
        self.assertWired(server, second, ifname='eth1', default_route=False)
        self.assertIsNotNone(netfix.ovs_interface(second['id']))
        self.api.detach_interface(server['id'], second['id'])
        self._wait_for_port_gone(server, second)
        self.assertNotIn('eth1', self.sh(server, 'ip link'))
        self.assertIsNone(netfix.ovs_interface(second['id']))
        self.assertFalse(netfix.link_exists('tap' + second['id'][:11]))
        self.assertWired(server, first)

    def _wait_for_port_gone(self, server, port):
        for _ in range(100):
            if port['mac_address'] not in self.sh(server, 'ip link'):
                return
            time.sleep(0.1)
        self.fail('port %s still in the container' % port['id'])

    def test_delete_leaves_no_port_veth_or_namespace(self):
        port = self.neutron.add_port()
        server = self.boot_with_ports([port])
        netns = self.netns_inode(server)
        self._delete_server(server)
        self.assertNothingLeft([port], [netns])

    def test_no_event_from_neutron_fails_the_build_cleanly(self):
        self.flags(vif_plugging_timeout=2)
        port = self.neutron.add_port()
        server = self.boot_with_ports([port], expected_state='ERROR',
                                      agent=False)
        message = server['fault']['message']
        self.assertIn('Failed to allocate the network', message)
        self.assertLess(len(message), 255)
        self.assertNothingLeft([port])

    def test_server_without_ports_keeps_loopback_only(self):
        server = self.boot()
        self.assertEqual('none',
                         self.container(server).attrs['HostConfig'][
                             'NetworkMode'])
        self.assertEqual([], engine_fixtures.sandboxes_of_host(
            self.engine, self.compute_host))
        links = self.sh(server, 'ip -o link')
        self.assertEqual(['lo'], [line.split(':')[1].strip()
                                  for line in links.splitlines()])


class BootTimingTest(NetworkTestCase):
    """Boot→ACTIVE with one port and without, printed (run with -s)."""

    RUNS = 3

    def _time(self, boot):
        started = time.monotonic()
        server = boot()
        elapsed = time.monotonic() - started
        self._delete_server(server)
        return elapsed

    def test_print_boot_timings(self):
        with_port = [self._time(lambda: self.boot_with_ports(
            [self.neutron.add_port()])) for _ in range(self.RUNS)]
        without = [self._time(self.boot) for _ in range(self.RUNS)]
        print('\nboot->ACTIVE with a port: %s s; without: %s s' % (
            ' '.join('%.2f' % t for t in with_port),
            ' '.join('%.2f' % t for t in without)))
