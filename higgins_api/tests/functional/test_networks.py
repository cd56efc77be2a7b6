"""Containers on Neutron networks through the facade, checked in the container.

The facade runs in front of Nova's in-process cloud with the Higgins driver,
the real Docker engine and a real Open vSwitch bridge of the test (as in
higgins_virt/tests/functional/test_network.py). Nova's Neutron fixture
plays Neutron for Nova; the facade's own Neutron module reads and writes
the same fixture's networks, ports and security groups through the
in-memory Neutron API of the unit tests, with the caller's project. The
test plays the Neutron agent (``network-vif-plugged`` once a port is on the
bridge). What the container sees is read with ``docker exec``; no traffic
is sent.
"""
import copy
import time

from neutronclient.common import exceptions as neutron_client_exc
from oslo_utils import uuidutils
from wsgi_intercept import interceptor
from zunclient import client as zun_client

from higgins_api import neutron
from higgins_api.tests import fake_neutron
from higgins_api.tests.functional import base
from higgins_api.tests.functional import test_zunclient
from higgins_virt.tests.functional import test_network
from higgins_virt.tests import network_fixtures as netfix

PROJECT = base.PROJECT
SECOND_PREFIX = '10.20.0.'


class FacadeNeutronFixture(netfix.PortsNeutronFixture):
    """Nova's Neutron fixture as the facade's project sees it.

    ``private`` (the fixture's network with its IPv4 and IPv6 subnets) and
    ``second`` (one IPv4 subnet, 10.20.0.0/24) belong to the facade's
    project, which has its ``default`` security group. Ports Nova creates
    are made like ``add_port``'s, on the requested network, with the
    requested fixed IP and security groups (else the default group, as
    Neutron does). Subnets are filtered by id and security groups found by
    name or id, as Neutron does.
    """

    def __init__(self, test, bridge):
        super().__init__(test, bridge)
        private = copy.deepcopy(self.network_1)
        private.update(project_id=PROJECT, tenant_id=PROJECT,
                       created_at='2026-01-01T00:00:00Z')
        second_subnet = copy.deepcopy(netfix.SUBNET_V4)
        second = dict(copy.deepcopy(private), id=uuidutils.generate_uuid(),
                      name='second', created_at='2026-02-01T00:00:00Z',
                      subnets=[second_subnet['id']])
        second_subnet.update(
            id=uuidutils.generate_uuid(), network_id=second['id'],
            cidr='10.20.0.0/24', gateway_ip=SECOND_PREFIX + '1',
            dns_nameservers=[], allocation_pools=[
                {'start': SECOND_PREFIX + '2', 'end': SECOND_PREFIX + '254'}])
        second['subnets'] = [second_subnet['id']]
        self._networks = {private['id']: private, second['id']: second}
        self._subnets[second_subnet['id']] = second_subnet
        self.private, self.second = private, second
        self.second_subnet = second_subnet
        self.default_group = {
            'id': uuidutils.generate_uuid(), 'name': 'default',
            'project_id': PROJECT, 'tenant_id': PROJECT,
            'security_group_rules': []}
        self._security_groups = {self.default_group['id']: self.default_group}

    def find_resource(self, resource, name_or_id, project_id=None,
                      cmd_resource=None, parent_id=None, fields=None):
        """neutronclient's lookup of a security group Nova is given."""
        found = [g for g in self._security_groups.values()
                 if name_or_id == g['id'] or (
                     name_or_id == g['name'] and
                     project_id in (None, g['project_id']))]
        if len(found) != 1:
            raise neutron_client_exc.NotFound()
        return copy.deepcopy(found[0])

    def list_subnets(self, retrieve_all=True, **_params):
        return {'subnets': self._list_resource(self._subnets, retrieve_all,
                                               **_params)}

    def create_port(self, body=None):
        request = body['port']
        port = self.add_port()
        if request['network_id'] == self.second['id']:
            port['fixed_ips'] = [{
                'ip_address': SECOND_PREFIX + str(self._next_host),
                'subnet_id': self.second_subnet['id']}]
        for wanted in request.get('fixed_ips') or ():
            address = wanted['ip_address']
            port['fixed_ips'] = [{'ip_address': address, 'subnet_id': (
                netfix.SUBNET_V6 if ':' in address else netfix.SUBNET_V4
            )['id']}]
        port.update(
            network_id=request['network_id'],
            project_id=request['tenant_id'], tenant_id=request['tenant_id'],
            device_id=request.get('device_id', ''),
            security_groups=list(request.get('security_groups') or
                                 [self.default_group['id']]))
        return {'port': copy.deepcopy(port)}

    def facade_view(self):
        """What the facade's Neutron module reads and writes."""
        return _FixtureResources(self)


class _FixtureResources:
    """The fixture's resources in the shape fake_neutron serves."""

    neutron_available = True
    neutron_fail_next = None

    def __init__(self, fixture):
        self.neutron = {'networks': fixture._networks,
                        'ports': fixture._ports,
                        'security-groups': fixture._security_groups}


class FacadeNetworkTestCase(base.FacadeTestCase,
                            test_network.NetworkTestCase):
    """The facade, its Neutron module on the fixture, and the test's OVS."""
    neutron_fixture = FacadeNeutronFixture

    def neutron_client(self, conf, auth=None, identity_headers=None):
        client = neutron.Neutron(conf)
        client._api = fake_neutron.FakeNeutronAPI(
            self.neutron.facade_view(), identity_headers['X-Project-Id'])
        return client

    def ports_of(self, uuid):
        return [p for p in self.neutron._ports.values()
                if p['device_id'] == uuid]

    def run_on_networks(self, ports=1, **fields):
        """Run a container, playing the agent for its ``ports`` ports."""
        fields.setdefault('image', self.image_id)
        uuid = self.call('POST', '/v1/containers?run=true', fields,
                         expect=202).json['uuid']
        deadline = time.monotonic() + 30
        while len(self.ports_of(uuid)) < ports:
            self.assertLess(time.monotonic(), deadline, 'no port made')
            time.sleep(0.05)
        for port in self.ports_of(uuid):
            self.wait_for_ovs_port(port['id'])
            self.send_vif_plugged(uuid, port['id'])
        return self.wait_for_status(uuid, 'Running'), {'id': uuid}

    def wait_for(self, predicate, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail('still waiting for %s' % what)
            time.sleep(0.1)


class FacadeNetworkTest(FacadeNetworkTestCase):

    def test_run_attach_list_detach(self):
        private = self.neutron.private['id']
        container, server = self.run_on_networks(
            nets=[{'network': 'private', 'v4-fixed-ip': '192.168.1.77'}])
        (port,) = self.ports_of(server['id'])
        self.assertEqual({private: [{
            'addr': '192.168.1.77', 'version': 4, 'port': port['id'],
            'subnet_id': netfix.SUBNET_V4['id'],
            'preserve_on_delete': None}]}, container['addresses'])
        eth0 = self.sh(server, 'ip addr show eth0')
        self.assertIn('inet 192.168.1.77/24', eth0)
        self.assertIn('link/ether %s' % port['mac_address'], eth0)
        path = '/v1/containers/%s/' % server['id']

        # A second network: a second interface in the container.
        self.call('POST', path + 'network_attach?network=second',
                  expect=202)
        (second,) = [p for p in self.ports_of(server['id'])
                     if p['network_id'] == self.neutron.second['id']]
        address = second['fixed_ips'][0]['ip_address']
        self.assertTrue(address.startswith(SECOND_PREFIX))
        eth1 = self.sh(server, 'ip addr show eth1')
        self.assertIn('inet %s/24' % address, eth1)
        self.assertIn('link/ether %s' % second['mac_address'], eth1)
        listed = self.call('GET', path + 'network_list', expect=200).json
        self.assertEqual(
            sorted([(private, port['id'], '192.168.1.77'),
                    (self.neutron.second['id'], second['id'], address)]),
            sorted((n['net_id'], n['port_id'], n['fixed_ips'][0][
                'ip_address']) for n in listed['networks']))
        shown = self.call('GET', path[:-1], expect=200).json
        self.assertEqual({private, self.neutron.second['id']},
                         set(shown['addresses']))

        # Detached: gone from the container, Neutron and the view.
        self.call('POST', path + 'network_detach?port=%s' % second['id'],
                  expect=202)
        self.wait_for(lambda: second['mac_address'] not in self.sh(
            server, 'ip link'), 'eth1 to leave the container')
        self.wait_for(lambda: list(self.call('GET', path[:-1]).json[
            'addresses']) == [private], 'the view to drop the network')
        self.assertIsNone(netfix.ovs_interface(second['id']))
        self.assertIn('inet 192.168.1.77/24',
                      self.sh(server, 'ip addr show eth0'))

    def test_default_network_groups_and_exposed_ports(self):
        web = {'id': uuidutils.generate_uuid(), 'name': 'web',
               'project_id': PROJECT, 'tenant_id': PROJECT,
               'security_group_rules': []}
        self.neutron._security_groups[web['id']] = web
        # No nets: the project's oldest network, as Zun picks it.
        container, server = self.run_on_networks(
            security_groups=['web'], exposed_ports={'8080/tcp': {}})
        (port,) = self.ports_of(server['id'])
        self.assertEqual(self.neutron.private['id'], port['network_id'])
        self.assertWired(server, port)
        (group,) = [g for g in self.neutron._security_groups.values()
                    if g['name'] == 'higgins-ports-%s' % server['id']]
        # Nova passes the groups on in no particular order.
        self.assertEqual({web['id'], group['id']},
                         set(port['security_groups']))
        self.assertEqual(sorted(port['security_groups']),
                         sorted(container['security_groups']))
        self.assertEqual({('IPv4', 'tcp', 8080), ('IPv6', 'tcp', 8080)},
                         {(r['ethertype'], r['protocol'],
                           r['port_range_min'])
                          for r in group['security_group_rules']})

        self.call('DELETE', '/v1/containers/%s?stop=true' % server['id'],
                  expect=204)
        self.wait_until_gone(server['id'])
        self.assertNotIn(group['id'], self.neutron._security_groups)
        self.assertIn(web['id'], self.neutron._security_groups)
        self.wait_for(lambda: not self.ports_of(server['id']),
                      'Nova to delete the port it made')
        self.assertNothingLeft([port])


class ZunclientNetworkTest(FacadeNetworkTestCase):
    """python-zunclient, unmodified, as zun-tempest-plugin drives networks."""

    def setUp(self):
        super().setUp()
        intercept = interceptor.RequestsInterceptor(
            lambda: test_zunclient.identity_from_token(self.facade),
            url=test_zunclient.FACADE_URL)
        intercept.install_intercept()
        self.addCleanup(intercept.uninstall_intercept)
        self.zun = zun_client.Client(
            '1.40', auth_token='user-of-%s:%s' % (PROJECT, PROJECT),
            endpoint_override=test_zunclient.FACADE_URL + '/v1')

    def addresses(self, uuid):
        return self.zun.containers.get(uuid).addresses

    def test_detach_and_attach_network_to_container(self):
        # zun-tempest-plugin's test of the same name, plus the container's
        # own view of its interfaces.
        created = self.zun.containers.run(image=self.image_id,
                                          command=['sleep', '10000'])
        self.wait_for(lambda: self.ports_of(created.uuid), 'a port')
        (port,) = self.ports_of(created.uuid)
        self.wait_for_ovs_port(port['id'])
        self.send_vif_plugged(created.uuid, port['id'])
        self.wait_for_status(created.uuid, 'Running')
        server = {'id': created.uuid}
        (network,) = self.addresses(created.uuid)
        self.assertEqual(self.neutron.private['id'], network)
        (listed,) = self.zun.containers.network_list(created.uuid)
        self.assertEqual((network, port['id']),
                         (listed.net_id, listed.port_id))

        self.zun.containers.network_detach(created.uuid, network=network)
        self.wait_for(lambda: network not in self.addresses(created.uuid),
                      'the network to be detached')
        self.wait_for(lambda: port['mac_address'] not in self.sh(
            server, 'ip link'), 'the interface to leave the container')

        self.zun.containers.network_attach(created.uuid, network=network)
        self.wait_for(lambda: network in self.addresses(created.uuid),
                      'the network to be attached')
        (again,) = self.ports_of(created.uuid)
        self.assertNotEqual(port['id'], again['id'])
        address = again['fixed_ips'][0]['ip_address']
        self.assertIn('inet %s/24' % address, self.sh(server, 'ip addr'))
        self.assertEqual(address,
                         self.addresses(created.uuid)[network][0]['addr'])
