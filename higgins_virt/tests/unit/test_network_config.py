"""network_info → container interface settings, with no OVS and no kernel."""
import unittest

from nova.network import model

from higgins_virt.engine import base
from higgins_virt.network import config
from higgins_virt.network import sandbox


def _subnet(cidr, ips, gateway=None, dns=(), routes=()):
    return model.Subnet(
        cidr=cidr,
        ips=[model.FixedIP(address=ip) for ip in ips],
        gateway=model.IP(address=gateway, type='gateway'),
        dns=[model.IP(address=d, type='dns') for d in dns],
        routes=[model.Route(cidr=c, gateway=model.IP(address=g))
                for c, g in routes])


def _vif(port_id, mac, subnets, mtu=1450, vif_type='ovs', hybrid=False):
    network = model.Network(id='net-1', bridge='br-int', subnets=subnets)
    if mtu:
        network['meta']['mtu'] = mtu
    return model.VIF(id=port_id, address=mac, network=network, type=vif_type,
                     devname='tap' + port_id[:11],
                     details={model.VIF_DETAILS_OVS_HYBRID_PLUG: hybrid})


V4 = _subnet('10.0.0.0/24', ['10.0.0.5'], gateway='10.0.0.1',
             dns=['10.0.0.2'], routes=[('172.16.0.0/16', '10.0.0.254')])
V6 = _subnet('fd00::/64', ['fd00::5'], gateway='fd00::1',
             dns=['fd00::2', '10.0.0.2'])


class InterfaceTest(unittest.TestCase):

    def test_one_port_with_ipv4_and_ipv6(self):
        vif = _vif('11111111-2222-3333-4444-555555555555',
                   'fa:16:3e:00:00:01', [V4, V6])
        [iface] = config.interfaces(model.NetworkInfo([vif]))
        self.assertEqual(config.InterfaceConfig(
            port_id='11111111-2222-3333-4444-555555555555',
            host_dev='tap11111111-22', mac='fa:16:3e:00:00:01', mtu=1450,
            addresses=(('10.0.0.5', 24), ('fd00::5', 64)),
            routes=(('default', '10.0.0.1'),
                    ('172.16.0.0/16', '10.0.0.254'),
                    ('default', 'fd00::1'))), iface)

    def test_only_the_first_port_of_a_version_carries_the_default(self):
        first = _vif('aaaaaaaa-0000', 'fa:16:3e:00:00:01', [V4])
        second = _vif('bbbbbbbb-0000', 'fa:16:3e:00:00:02',
                      [_subnet('10.1.0.0/24', ['10.1.0.5'],
                               gateway='10.1.0.1'), V6])
        one, two = config.interfaces([first, second])
        self.assertIn(('default', '10.0.0.1'), one.routes)
        self.assertNotIn(('default', '10.1.0.1'), two.routes)
        self.assertIn(('default', 'fd00::1'), two.routes)

    def test_subnet_without_gateway_or_address_routes_nothing(self):
        vif = _vif('cccccccc-0000', 'fa:16:3e:00:00:03',
                   [_subnet('10.2.0.0/24', ['10.2.0.5']),
                    _subnet('10.3.0.0/24', [], gateway='10.3.0.1')])
        [iface] = config.interfaces([vif])
        self.assertEqual((), iface.routes)
        self.assertEqual((('10.2.0.5', 24),), iface.addresses)

    def test_network_without_mtu_gets_the_ethernet_default(self):
        vif = _vif('dddddddd-0000', 'fa:16:3e:00:00:04', [V4], mtu=None)
        self.assertEqual(1500, config.interface(vif).mtu)

    def test_attached_port_adds_no_default_route(self):
        vif = _vif('eeeeeeee-0000', 'fa:16:3e:00:00:05', [V4])
        self.assertEqual((('172.16.0.0/16', '10.0.0.254'),),
                         config.interface(vif).routes)

    def test_dns_servers_in_order_without_repeats(self):
        vifs = [_vif('a-0000', 'fa:16:3e:00:00:01', [V4]),
                _vif('b-0000', 'fa:16:3e:00:00:02', [V6])]
        self.assertEqual(['10.0.0.2', 'fd00::2'], config.dns_servers(vifs))

    def test_unsupported_vifs_are_refused(self):
        for vif in (_vif('f-0000', 'fa:16:3e:00:00:06', [V4],
                         vif_type='bridge'),
                    _vif('f-0000', 'fa:16:3e:00:00:06', [V4], hybrid=True)):
            self.assertRaises(config.UnsupportedVif, config.interfaces,
                              [vif])


class SandboxSpecTest(unittest.TestCase):

    def test_hostname_and_resolvers_move_to_the_sandbox(self):
        app = base.ContainerSpec(name='higgins-u1', image='img', labels={},
                                 hostname='web-1', network_mode='none')
        box, joined = sandbox.spec_for(app, 'u1', 'node-1', ['10.0.0.2'])
        self.assertEqual('higgins-net-u1', box.name)
        self.assertEqual('web-1', box.hostname)
        self.assertEqual(('10.0.0.2',), box.dns)
        self.assertEqual({'higgins.host': 'node-1',
                          'higgins.sandbox_for': 'u1'}, box.labels)
        self.assertNotIn('higgins.managed', box.labels)
        self.assertEqual('none', box.network_mode)
        self.assertIsNone(joined.hostname)
        self.assertEqual((), joined.dns)
        self.assertEqual('container:higgins-net-u1', joined.network_mode)
