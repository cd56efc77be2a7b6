"""Issue 11: nets, security_groups, exposed_ports, addresses and the
network verbs, against the in-memory Nova and Neutron."""
from higgins_api import neutron
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova

PROJECT = base.PROJECT
OTHER = base.OTHER_PROJECT


class NetworkTestCase(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        self.net = self.cloud.add_network(PROJECT)

    def create(self, expect=202, **fields):
        fields.setdefault('image', fake_nova.IMAGE_ID)
        return self.call('POST', '/v1/containers?run=true', fields,
                         expect=expect)

    def run_container(self, **fields):
        """A running container; returns its uuid."""
        uuid = self.create(**fields).json['uuid']
        self.cloud.servers[uuid]['status'] = 'ACTIVE'
        return uuid

    def request(self, uuid):
        return self.cloud.servers[uuid]['request']

    def show(self, uuid, **kwargs):
        return self.call('GET', '/v1/containers/%s' % uuid, expect=200,
                         **kwargs).json

    def bad(self, response, status=400):
        codes = {400: 'higgins.bad_request', 404: 'higgins.not_found',
                 406: 'higgins.version_not_supported',
                 409: 'higgins.invalid_state'}
        return self.error(response, status, codes[status])


class NetsTest(NetworkTestCase):

    def test_network_by_id_becomes_nova_s_network(self):
        uuid = self.run_container(nets=[{'network': self.net['id']}])
        self.assertEqual([{'uuid': self.net['id']}],
                         self.request(uuid)['networks'])
        (port,) = self.cloud.ports_of(uuid)
        self.assertEqual({self.net['id']: [{
            'addr': port['fixed_ips'][0]['ip_address'], 'version': 4,
            'port': port['id'], 'subnet_id': self.net['subnet_id'],
            'preserve_on_delete': None}]}, self.show(uuid)['addresses'])

    def test_network_by_name_with_a_fixed_ip(self):
        uuid = self.run_container(nets=[{'network': 'private',
                                         'v4-fixed-ip': '10.0.1.50'}])
        self.assertEqual([{'uuid': self.net['id'], 'fixed_ip': '10.0.1.50'}],
                         self.request(uuid)['networks'])
        (address,) = self.show(uuid)['addresses'][self.net['id']]
        self.assertEqual('10.0.1.50', address['addr'])

    def test_v6_fixed_ip(self):
        uuid = self.run_container(nets=[{'network': self.net['id'],
                                         'v6-fixed-ip': 'fd00::0005'}])
        self.assertEqual('fd00::5',
                         self.request(uuid)['networks'][0]['fixed_ip'])
        self.assertEqual(6, self.show(uuid)['addresses'][self.net['id']][0][
            'version'])

    def test_port_by_id_and_by_name(self):
        port = self.cloud.add_port(self.net, name='mine')
        other = self.cloud.add_port(self.net)
        first = self.run_container(nets=[{'port': 'mine'}])
        second = self.run_container(nets=[{'port': other['id']}])
        self.assertEqual([{'port': port['id']}],
                         self.request(first)['networks'])
        self.assertEqual([{'port': other['id']}],
                         self.request(second)['networks'])
        self.assertEqual(port['id'], self.show(first)['addresses'][
            self.net['id']][0]['port'])

    def test_malformed_nets_name_the_entry(self):
        one_network_or_port = ('nets.0: give either a network (with at most '
                               'one fixed IP) or a port')
        port = self.cloud.add_port(self.net)
        for nets, detail in (
                ([{}], one_network_or_port),
                ([{'network': self.net['id'], 'port': port['id']}],
                 one_network_or_port),
                ([{'port': port['id'], 'v4-fixed-ip': '10.0.1.9'}],
                 one_network_or_port),
                ([{'network': 'private', 'v4-fixed-ip': '10.0.1.9',
                   'v6-fixed-ip': 'fd00::9'}],
                 one_network_or_port),
                ([{'network': 'private', 'v4-fixed-ip': 'fd00::9'}],
                 "nets.0.v4-fixed-ip: 'fd00::9' is not an IPv4 address"),
                ([{'network': 'private', 'v6-fixed-ip': 'nope'}],
                 "nets.0.v6-fixed-ip: 'nope' is not an IPv6 address"),
                ([{'network': 'private', 'mac': 'x'}],
                 'nets.0.mac: is not a known field'),
                ('private', 'nets: must be of type')):
            with self.subTest(nets=nets):
                self.assertIn(detail, self.bad(self.create(
                    expect=None, nets=nets)))
        self.assertEqual({}, self.cloud.servers)

    def test_networks_and_ports_the_caller_cannot_see_are_not_found(self):
        theirs = self.cloud.add_network(OTHER, name='theirs')
        their_port = self.cloud.add_port(theirs)
        for nets, detail in (
                ([{'network': theirs['id']}],
                 'network %s not found' % theirs['id']),
                ([{'network': 'theirs'}], 'network theirs not found'),
                ([{'network': 'nowhere'}], 'network nowhere not found'),
                ([{'port': their_port['id']}],
                 'port %s not found' % their_port['id'])):
            with self.subTest(nets=nets):
                self.assertEqual(detail, self.bad(self.create(
                    expect=None, nets=nets), 404))
        self.assertEqual({}, self.cloud.servers)

    def test_shared_network_of_another_project(self):
        shared = self.cloud.add_network(OTHER, name='shared', shared=True)
        uuid = self.run_container(nets=[{'network': 'shared'}])
        self.assertIn(shared['id'], self.show(uuid)['addresses'])

    def test_port_in_use_and_ambiguous_names(self):
        used = self.cloud.add_port(self.net, device_id='someone')
        self.cloud.add_network(PROJECT, name='private')
        self.assertEqual('nets[0]: port %s is in use' % used['id'], self.bad(
            self.create(expect=None, nets=[{'port': used['id']}])))
        self.assertEqual('several networks are named private; use its id',
                         self.bad(self.create(
                             expect=None, nets=[{'network': 'private'}])))


class DefaultNetworkTest(NetworkTestCase):

    def test_the_project_s_oldest_network(self):
        self.cloud.add_network(PROJECT, name='newer',
                               created_at='2026-06-01T00:00:00Z')
        self.cloud.add_network(OTHER, name='shared', shared=True,
                               created_at='2025-01-01T00:00:00Z')
        uuid = self.run_container()
        self.assertEqual([{'uuid': self.net['id']}],
                         self.request(uuid)['networks'])
        self.assertEqual([self.net['id']], list(self.show(uuid)['addresses']))

    def test_a_shared_network_when_the_project_has_none(self):
        self.cloud.neutron['networks'].clear()
        self.cloud.add_network(OTHER, name='public', external=True,
                               shared=True)
        shared = self.cloud.add_network(OTHER, name='shared', shared=True)
        uuid = self.run_container()
        self.assertEqual([{'uuid': shared['id']}],
                         self.request(uuid)['networks'])

    def test_no_network_when_the_project_sees_none(self):
        self.cloud.neutron['networks'].clear()
        self.cloud.add_network(OTHER, name='theirs')
        self.cloud.add_network(OTHER, name='public', external=True)
        uuid = self.run_container(security_groups=['default'])
        self.assertEqual('none', self.request(uuid)['networks'])
        self.assertNotIn('security_groups', self.request(uuid))
        view = self.show(uuid)
        self.assertEqual(({}, []), (view['addresses'],
                                    view['security_groups']))

    def test_a_cloud_without_neutron(self):
        self.cloud.neutron_available = False
        uuid = self.run_container()
        self.assertEqual('none', self.request(uuid)['networks'])
        self.assertEqual({}, self.show(uuid)['addresses'])
        self.assertEqual('nets: this cloud has no network service', self.bad(
            self.create(expect=None, nets=[{'network': 'private'}])))

    def test_groups_and_ports_need_a_network(self):
        self.cloud.neutron['networks'].clear()
        self.assertEqual(
            'security_groups: the container has no network (the project '
            'sees none)', self.bad(self.create(expect=None,
                                               security_groups=['web'])))
        self.assertEqual(
            'exposed_ports: the container has no network (the project sees '
            'none)', self.bad(self.create(expect=None,
                                          exposed_ports={'80/tcp': {}})))

    def test_noauth_without_an_endpoint_has_no_neutron(self):
        self.assertFalse(neutron.Neutron(base.facade_conf()).available())


class SecurityGroupsTest(NetworkTestCase):

    def test_names_and_ids_become_ids_for_nova(self):
        web = self.cloud.add_security_group(PROJECT, 'web')
        ssh = self.cloud.add_security_group(PROJECT, 'ssh')
        uuid = self.run_container(nets=[{'network': 'private'}],
                                  security_groups=['web', ssh['id'], 'web'])
        self.assertEqual([{'name': web['id']}, {'name': ssh['id']}],
                         self.request(uuid)['security_groups'])
        self.assertEqual([web['id'], ssh['id']],
                         self.show(uuid)['security_groups'])

    def test_without_groups_nova_gives_the_default_group(self):
        uuid = self.run_container()
        self.assertNotIn('security_groups', self.request(uuid))
        (group,) = [g for g in self.cloud.neutron['security-groups'].values()
                    if g['name'] == 'default']
        self.assertEqual([group['id']], self.show(uuid)['security_groups'])

    def test_unknown_other_project_s_and_ambiguous_groups(self):
        theirs = self.cloud.add_security_group(OTHER, 'theirs')
        self.cloud.add_security_group(PROJECT, 'twin')
        self.cloud.add_security_group(PROJECT, 'twin')
        for name, detail in (
                ('nope', 'security group nope not found'),
                (theirs['id'], 'security group %s not found' % theirs['id']),
                ('twin', 'several security groups are named twin')):
            with self.subTest(name=name):
                self.assertIn('security_groups: ' + detail, self.bad(
                    self.create(expect=None, security_groups=[name])))

    def test_zun_s_default_group_with_a_given_port_asks_nothing(self):
        # What zun-tempest-plugin sends below 1.20: security_groups
        # ['default'] with a port of its own.
        port = self.cloud.add_port(self.net)
        uuid = self.run_container(nets=[{'port': port['id']}],
                                  security_groups=['default'])
        self.assertEqual([{'port': port['id']}],
                         self.request(uuid)['networks'])
        self.assertNotIn('security_groups', self.request(uuid))

    def test_groups_do_not_apply_to_given_ports(self):
        port = self.cloud.add_port(self.net)
        self.cloud.add_security_group(PROJECT, 'web')
        self.assertIn('a port given in nets keeps its own security groups',
                      self.bad(self.create(expect=None,
                                           nets=[{'port': port['id']}],
                                           security_groups=['web'])))


class ExposedPortsTest(NetworkTestCase):

    def groups(self, prefix='higgins-ports-'):
        return [g for g in self.cloud.neutron['security-groups'].values()
                if g['name'].startswith(prefix)]

    def test_a_group_of_the_container_opens_the_ports(self):
        uuid = self.run_container(exposed_ports={'80/tcp': {}, '53/udp': {},
                                                 '8080': {}})
        (group,) = self.groups()
        self.assertEqual('higgins-ports-%s' % uuid, group['name'])
        self.assertEqual(PROJECT, group['project_id'])
        # Only this group: like Zun, exposing ports replaces the default.
        self.assertEqual([{'name': group['id']}],
                         self.request(uuid)['security_groups'])
        self.assertEqual([group['id']], self.show(uuid)['security_groups'])
        rules = {(r['ethertype'], r['protocol'], r['port_range_min'],
                  r['port_range_max'], r['direction'])
                 for r in group['security_group_rules']}
        self.assertEqual({(ethertype, protocol, port, port, 'ingress')
                          for ethertype in ('IPv4', 'IPv6')
                          for protocol, port in (('tcp', 80), ('udp', 53),
                                                 ('tcp', 8080))}, rules)

    def test_with_security_groups_both_apply(self):
        web = self.cloud.add_security_group(PROJECT, 'web')
        uuid = self.run_container(exposed_ports={'80/tcp': {}},
                                  security_groups=['web'])
        (group,) = self.groups()
        self.assertEqual([web['id'], group['id']],
                         self.show(uuid)['security_groups'])

    def test_malformed_ports_are_refused_before_any_group(self):
        for ports, detail in (
                ({'80/sctp': {}}, '80/sctp: the protocol must be tcp or udp'),
                ({'http': {}}, 'http: the port must be a number'),
                ({'0/tcp': {}}, '0/tcp: the port must be a number'),
                ({'70000': {}}, '70000: the port must be a number'),
                ({'80/tcp': 'yes'}, 'exposed_ports.80/tcp: must be of type')):
            with self.subTest(ports=ports):
                self.assertIn(detail, self.bad(self.create(
                    expect=None, exposed_ports=ports)))
        self.assertEqual([], self.groups(prefix=''))

    def test_a_refused_create_leaves_no_group(self):
        self.cloud.fail_next = (403, 'forbidden', 'Quota exceeded for '
                                'instances')
        self.error(self.create(expect=None, exposed_ports={'80': {}}), 403,
                   'higgins.forbidden')
        self.assertEqual([], self.groups(prefix=''))

    def test_a_failed_rule_leaves_no_group(self):
        original = self.cloud.neutron['security-groups']

        class FailingRules(dict):
            def __setitem__(inner, key, value):
                # The group is stored; the next call (its rules) fails.
                dict.__setitem__(inner, key, value)
                self.cloud.neutron_fail_next = 500
        self.cloud.neutron['security-groups'] = FailingRules(original)
        detail = self.error(self.create(expect=None,
                                        exposed_ports={'80': {}}),
                            502, 'higgins.compute_error')
        self.assertEqual('the network service failed', detail)
        self.assertEqual([], self.groups(prefix=''))
        self.assertEqual({}, self.cloud.servers)

    def test_delete_takes_the_group_with_it(self):
        uuid = self.run_container(exposed_ports={'80/tcp': {}})
        (group,) = self.groups()
        self.call('DELETE', '/v1/containers/%s?force=true' % uuid,
                  expect=204)
        self.assertIn((uuid, 'removeSecurityGroup', {'name': group['id']}),
                      self.cloud.actions)
        self.assertEqual([], self.groups())
        self.assertNotIn(uuid, self.cloud.servers)
        self.assertEqual([], self.cloud.ports_of(uuid))

    def test_delete_when_the_group_is_no_longer_on_the_server(self):
        uuid = self.run_container(exposed_ports={'80/tcp': {}})
        (group,) = self.groups()
        (port,) = self.cloud.ports_of(uuid)
        port['security_groups'] = []
        self.call('DELETE', '/v1/containers/%s?force=true' % uuid,
                  expect=204)
        self.assertEqual([], self.groups())
        self.assertNotIn(uuid, self.cloud.servers)

    def test_delete_without_exposed_ports_touches_no_group(self):
        uuid = self.run_container()
        self.call('DELETE', '/v1/containers/%s?force=true' % uuid,
                  expect=204)
        self.assertEqual([], self.cloud.actions)
        self.assertNotIn(uuid, self.cloud.servers)


class ViewsTest(NetworkTestCase):

    def test_list_asks_neutron_once_for_every_container(self):
        uuids = [self.run_container(nets=[{'network': 'private'}])
                 for _ in range(3)]
        requests = []
        original = self.facade.neutron_factory

        def recording(conf, **kwargs):
            client = original(conf, **kwargs)
            requests.append(client._api.requests)
            return client
        self.facade.neutron_factory = recording
        listed = self.call('GET', '/v1/containers', expect=200).json
        by_uuid = {c['uuid']: c for c in listed['containers']}
        for uuid in uuids:
            (port,) = self.cloud.ports_of(uuid)
            self.assertEqual(port['id'], by_uuid[uuid]['addresses'][
                self.net['id']][0]['port'])
        (calls,) = requests
        self.assertEqual(1, len([c for c in calls if '/ports' in c[1]]))

    def test_neutron_failures_are_502_without_its_text(self):
        uuid = self.run_container()
        self.cloud.neutron_fail_next = 500
        detail = self.error(self.call('GET', '/v1/containers/%s' % uuid),
                            502, 'higgins.compute_error')
        self.assertEqual('the network service failed', detail)
        self.cloud.neutron_fail_next = 403
        response = self.call('GET', '/v1/containers/%s' % uuid)
        self.assertEqual(403, response.status_int)
        self.assertNotIn('secret', response.text)


class NetworkVerbsTest(NetworkTestCase):

    def path(self, uuid, verb, query=''):
        return '/v1/containers/%s/%s%s' % (uuid, verb, query)

    def test_network_list_in_both_of_zun_s_shapes(self):
        port = self.cloud.add_port(self.net)
        port['fixed_ips'].append({'ip_address': 'fd00::7',
                                  'subnet_id': 'v6-subnet'})
        uuid = self.run_container(nets=[{'port': port['id']}])
        listed = self.call('GET', self.path(uuid, 'network_list'),
                           expect=200).json
        self.assertEqual({'networks': [{
            'net_id': self.net['id'], 'port_id': port['id'], 'fixed_ips': [
                {'subnet_id': self.net['subnet_id'], 'version': 4,
                 'ip_address': port['fixed_ips'][0]['ip_address']},
                {'subnet_id': 'v6-subnet', 'version': 6,
                 'ip_address': 'fd00::7'}]}]}, listed)
        legacy = self.call('GET', self.path(uuid, 'network_list'),
                           version='1.17', expect=200).json['networks']
        self.assertEqual([(self.net['id'], port['id'], 4),
                          (self.net['id'], port['id'], 6)],
                         [(n['net_id'], n['port_id'], n['version'])
                          for n in legacy])
        self.assertEqual('network_list needs version 1.13 or later',
                         self.bad(self.call('GET', self.path(
                             uuid, 'network_list'), version='1.12'), 406))

    def test_attach_a_network_a_port_or_the_default(self):
        second = self.cloud.add_network(PROJECT, name='second')
        third = self.cloud.add_network(PROJECT, name='third')
        port = self.cloud.add_port(third, name='p3')
        uuid = self.run_container(nets=[{'network': 'second'}])
        self.call('POST', self.path(uuid, 'network_attach',
                                    '?network=%s&fixed_ip=10.0.1.77'
                                    % self.net['id']), expect=202)
        self.call('POST', self.path(uuid, 'network_attach'),
                  {'port': 'p3'}, expect=202)
        self.assertEqual([('attach', uuid, self.net['id'], '10.0.1.77'),
                          ('attach', uuid, port['id'], None)],
                         self.cloud.interface_calls)
        addresses = self.show(uuid)['addresses']
        self.assertEqual({self.net['id'], second['id'], third['id']},
                         set(addresses))
        self.assertEqual('10.0.1.77', addresses[self.net['id']][0]['addr'])
        # Without parameters: the default network, connected already.
        self.assertRegex(
            self.bad(self.call('POST', self.path(uuid, 'network_attach'))),
            '^network .* is already connected to the container$')
        self.assertEqual(2, len(self.cloud.interface_calls))

    def test_attach_without_parameters_takes_the_default_network(self):
        self.cloud.add_network(PROJECT, name='newer',
                               created_at='2026-06-01T00:00:00Z')
        uuid = self.run_container(nets=[{'network': 'newer'}])
        self.call('POST', self.path(uuid, 'network_attach'), expect=202)
        self.assertEqual([('attach', uuid, self.net['id'], None)],
                         self.cloud.interface_calls)

    def test_attach_refusals(self):
        uuid = self.run_container()
        used = self.cloud.add_port(self.net, device_id='someone')
        for query, status, detail in (
                ('?network=private&port=x', 400,
                 'network, port: give one of them'),
                ('?port=x&fixed_ip=10.0.1.5', 400,
                 'fixed_ip: a port brings its own fixed IPs'),
                ('?network=private&fixed_ip=ten', 400,
                 "fixed_ip: 'ten' is not an IPv4 or IPv6 address"),
                ('?net=private', 400, 'net: not a parameter of '
                                      'network_attach'),
                ('?port=%s' % used['id'], 400,
                 'port: port %s is in use' % used['id']),
                ('?network=nowhere', 404, 'network nowhere not found')):
            with self.subTest(query=query):
                self.assertEqual(detail, self.bad(self.call(
                    'POST', self.path(uuid, 'network_attach', query)),
                    status))
        self.assertEqual('the request body must be a JSON object',
                         self.bad(self.call('POST', self.path(
                             uuid, 'network_attach'), ['private'])))
        self.assertEqual('network: must be a string of 1 to 255 characters',
                         self.bad(self.call('POST', self.path(
                             uuid, 'network_attach'), {'network': 7})))
        self.assertEqual('network_attach needs version 1.8 or later',
                         self.bad(self.call('POST', self.path(
                             uuid, 'network_attach'), version='1.7'), 406))
        self.assertEqual([], self.cloud.interface_calls)

    def test_attach_to_a_container_created_without_network(self):
        self.cloud.neutron['networks'].clear()
        uuid = self.run_container()
        self.net = self.cloud.add_network(PROJECT)
        # The compute host cannot give such a container a port: Nova 500.
        detail = self.bad(self.call('POST', self.path(
            uuid, 'network_attach', '?network=private')), 409)
        self.assertIn('only containers created on a network can be given '
                      'more', detail)

    def test_detach_a_port_or_a_network(self):
        self.cloud.add_network(PROJECT, name='second')
        uuid = self.run_container(nets=[{'network': 'private'},
                                        {'network': 'second'}])
        first, second = self.cloud.ports_of(uuid)
        self.call('POST', self.path(uuid, 'network_detach',
                                    '?port=%s' % first['id']), expect=202)
        self.call('POST', self.path(uuid, 'network_detach'),
                  {'network': 'second'}, expect=202)
        self.assertEqual([('detach', uuid, first['id']),
                          ('detach', uuid, second['id'])],
                         self.cloud.interface_calls)
        self.assertEqual({}, self.show(uuid)['addresses'])

    def test_detach_refusals(self):
        uuid = self.run_container()
        elsewhere = self.cloud.add_port(self.net)
        for query, status, detail in (
                ('', 400, 'network, port: give one of them'),
                ('?port=%s' % elsewhere['id'], 400,
                 'port %s is not attached to the container'
                 % elsewhere['id']),
                ('?network=nowhere', 404, 'network nowhere not found'),
                ('?fixed_ip=10.0.1.5', 400,
                 'fixed_ip: not a parameter of network_detach')):
            with self.subTest(query=query):
                self.assertEqual(detail, self.bad(self.call(
                    'POST', self.path(uuid, 'network_detach', query)),
                    status))
        self.assertEqual('network_detach needs version 1.6 or later',
                         self.bad(self.call('POST', self.path(
                             uuid, 'network_detach'), version='1.5'), 406))
        self.assertEqual([], self.cloud.interface_calls)

    def test_verbs_need_neutron_and_the_caller_s_container(self):
        uuid = self.run_container()
        other = self.call('POST', '/v1/containers?run=true',
                          {'image': fake_nova.IMAGE_ID}, project=OTHER,
                          expect=202).json['uuid']
        self.bad(self.call('POST', self.path(other, 'network_attach')), 404)
        self.bad(self.call('GET', self.path(other, 'network_list')), 404)
        self.cloud.neutron_available = False
        self.assertEqual('network_attach: this cloud has no network service',
                         self.bad(self.call('POST', self.path(
                             uuid, 'network_attach'))))
        self.assertEqual({'networks': []}, self.call(
            'GET', self.path(uuid, 'network_list'), expect=200).json)

    def test_reader_lists_but_cannot_attach(self):
        uuid = self.run_container()
        self.call('GET', self.path(uuid, 'network_list'), roles='reader',
                  expect=200)
        self.error(self.call('POST', self.path(uuid, 'network_attach'),
                             roles='reader'), 403, 'higgins.forbidden')


class NeutronQuotaTest(NetworkTestCase):

    def test_no_room_for_the_exposed_ports_group_is_403(self):
        self.cloud.neutron_fail_next = (409, 'POST')
        self.assertEqual(
            'exposed_ports: the network service refused a new security '
            'group (quota)',
            self.error(self.create(expect=None, exposed_ports={'80': {}}),
                       403, 'higgins.forbidden'))
        self.assertEqual({}, self.cloud.servers)
