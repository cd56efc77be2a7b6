"""An in-memory Nova behind the interface of :class:`higgins_api.nova.Nova`.

One ``FakeCloud`` holds what Nova would (servers, flavors, images, console
output) and the Neutron resources its servers use (networks, ports,
security groups: fake_neutron.py serves them to the facade's Neutron
module); each request's caller gets a ``FakeNova`` that sees only their
project, as Nova's API does. Server actions move servers between Nova's
statuses, refusing a wrong status with Nova's 409. Errors go through
``nova.error_for`` with the bodies Nova sends, so the facade's mapping is
exercised as it is against the real service. Nothing here imports Nova or
talks to Docker.
"""
import re

from oslo_utils import uuidutils

from higgins_api import errors
from higgins_api import glance
from higgins_api import nova
from higgins_common import contract

IMAGE_ID = '6b3c1b1e-3f5e-4e53-9a8e-9c1bfa1c0a01'
IMAGE_NAME = 'busybox'

# Nova server action -> (statuses it is accepted in, status it leads to).
_ACTIONS = {
    'os-start': (('SHUTOFF',), 'ACTIVE'),
    'os-stop': (('ACTIVE', 'PAUSED', 'SUSPENDED', 'ERROR'), 'SHUTOFF'),
    'pause': (('ACTIVE',), 'PAUSED'),
    'unpause': (('PAUSED',), 'ACTIVE'),
    'reboot': (('ACTIVE', 'SHUTOFF', 'PAUSED', 'ERROR'), 'ACTIVE'),
    'createImage': (('ACTIVE', 'SHUTOFF', 'PAUSED'), None),
    'os-getConsoleOutput': (('ACTIVE', 'SHUTOFF', 'PAUSED', 'ERROR'), None),
    'rebuild': (('ACTIVE', 'SHUTOFF', 'ERROR'), 'ACTIVE'),
    # Nova's resize ends in VERIFY_RESIZE; confirming restores the status
    # the server had before (FakeNova._resize).
    'resize': (('ACTIVE', 'SHUTOFF'), 'VERIFY_RESIZE'),
    'confirmResize': (('VERIFY_RESIZE',), None),
}
# What Nova records in a server's action list for each action.
_RECORDED = {'os-start': 'start', 'os-stop': 'stop', 'reboot': 'reboot',
             'pause': 'pause', 'unpause': 'unpause', 'rebuild': 'rebuild',
             'createImage': 'createImage', 'resize': 'resize',
             'confirmResize': 'confirmResize'}
HYPERVISOR_ID = '2f6f7a52-0b0a-4c1e-9d3e-6a5f0e9b7c11'


def nova_error(status, fault, message):
    """The facade error for Nova's answer ``status`` with this fault."""
    return nova.error_for(status, {fault: {'code': status,
                                           'message': message}})


class FakeCloud:
    """What Nova holds, shared by every caller."""

    def __init__(self):
        spec = {contract.CONTAINER_TRAIT_SPEC: 'required'}
        self.flavors = {}
        for name, vcpus, ram, disk in contract.FLAVORS:
            self.add_flavor(name, vcpus, ram, disk, spec)
        self.add_flavor('m1.small', 1, 2048, 20, {})
        self.images = {IMAGE_ID: {'id': IMAGE_ID, 'name': IMAGE_NAME}}
        self.servers = {}
        self.console = {}
        self.actions = []   # (server id, action, args) Nova was asked for
        self.fail_next = None   # (status, fault, message) for the next call
        self.serial_console = True   # [serial_console] enabled
        self.console_urls = []   # serial console URLs handed out
        # What a resize does: 'verify' (VERIFY_RESIZE), 'rollback' (Nova
        # puts the server back as it was), 'error'.
        self.resize_outcome = 'verify'
        self.hypervisors = {HYPERVISOR_ID: {
            'id': HYPERVISOR_ID, 'hypervisor_hostname': 'compute-1',
            'vcpus': 2, 'vcpus_used': 1, 'memory_mb': 4096,
            'memory_mb_used': 640, 'local_gb': 40, 'local_gb_used': 1,
            'running_vms': 1, 'hypervisor_type': 'docker', 'state': 'up',
            'status': 'enabled', 'cpu_info': {'arch': 'x86_64'}}}
        self.glance_images = {}   # id -> Glance record (data-less images)
        self.neutron = {'networks': {}, 'ports': {}, 'security-groups': {}}
        self.neutron_available = True
        self.neutron_fail_next = None   # an HTTP status for the next call
        self.interface_calls = []   # (method, server id, attachment)
        self.diagnostics = {}   # server id -> Nova's 2.48 diagnostics
        # Nova's default policy: diagnostics are for admins only.
        self.owners_read_diagnostics = False

    def add_network(self, project, name='private', shared=False,
                    external=False, created_at='2026-01-01T00:00:00Z'):
        number = len(self.neutron['networks']) + 1
        network = {'id': uuidutils.generate_uuid(), 'name': name,
                   'project_id': project, 'shared': shared,
                   'router:external': external, 'created_at': created_at,
                   # One IPv4 subnet, numbered after the network.
                   'subnet_id': uuidutils.generate_uuid(),
                   'prefix': '10.0.%d.' % number, 'next_host': 10}
        self.neutron['networks'][network['id']] = network
        return network

    def add_port(self, network, project=None, fixed_ip=None, name='',
                 device_id='', security_groups=None, by_nova=False):
        if fixed_ip is None:
            network['next_host'] += 1
            fixed_ip = '%s%d' % (network['prefix'], network['next_host'])
        port = {'id': uuidutils.generate_uuid(), 'name': name,
                'network_id': network['id'],
                'project_id': project or network['project_id'],
                'device_id': device_id, 'by_nova': by_nova,
                'fixed_ips': [{'ip_address': fixed_ip,
                               'subnet_id': network['subnet_id']}],
                'security_groups': list(security_groups or [])}
        self.neutron['ports'][port['id']] = port
        return port

    def add_security_group(self, project, name):
        group = {'id': uuidutils.generate_uuid(), 'name': name,
                 'project_id': project, 'security_group_rules': []}
        self.neutron['security-groups'][group['id']] = group
        return group

    def ports_of(self, server_id):
        return [p for p in self.neutron['ports'].values()
                if p['device_id'] == server_id]

    def add_flavor(self, name, vcpus, ram, disk, extra_specs):
        self.flavors[name] = {'id': name, 'name': name, 'vcpus': vcpus,
                              'ram': ram, 'disk': disk,
                              'extra_specs': dict(extra_specs)}

    def add_server(self, project, name='web', status='ACTIVE', **fields):
        server = {'id': uuidutils.generate_uuid(), 'name': name,
                  'status': status, 'tenant_id': project,
                  'user_id': 'user-of-%s' % project,
                  'image': {'id': IMAGE_ID}, 'metadata': {},
                  'flavor': {'vcpus': 1, 'ram': 128, 'disk': 1,
                             'original_name': 'c1.tiny'},
                  'OS-EXT-STS:task_state': None}
        server.update(fields)
        self.servers[server['id']] = server
        return server

    def client(self, conf, auth=None, identity_headers=None):
        """A ``nova_factory`` for the application (noauth headers)."""
        headers = identity_headers or {}
        roles = headers.get('X-Roles', '').split(',')
        return FakeNova(self, headers['X-Project-Id'], headers['X-User-Id'],
                        admin='admin' in roles)

    def glance_client(self, conf, auth=None, identity_headers=None):
        """A ``glance_factory`` for the application."""
        return FakeGlance(self, identity_headers['X-Project-Id'])


class FakeGlance:
    """Glance's data-less reference images, as higgins_api.glance sees them.

    An image registered here is visible to the fake Nova at once.
    """

    def __init__(self, cloud, project):
        self.cloud = cloud
        self.project = project

    def reference_image(self, reference, project_id):
        for image in self.cloud.glance_images.values():
            if glance.is_reference_image(image, reference, project_id):
                return image['id']
        image_id = uuidutils.generate_uuid()
        self.cloud.glance_images[image_id] = {
            'id': image_id, 'name': reference, 'owner': self.project,
            'container_format': 'docker', 'status': 'active', 'size': 0,
            glance.REFERENCE_PROPERTY: reference}
        self.cloud.images[image_id] = {'id': image_id, 'name': reference}
        return image_id


class FakeNova:
    """One caller's view of the cloud, with nova.Nova's methods."""

    def __init__(self, cloud, project, user, admin=False):
        self.cloud = cloud
        self.project = project
        self.user = user
        self.admin = admin

    def _maybe_fail(self):
        if self.cloud.fail_next:
            failure, self.cloud.fail_next = self.cloud.fail_next, None
            raise nova_error(*failure)

    def _visible(self, server, all_projects=False):
        return (all_projects and self.admin) or (
            server['tenant_id'] == self.project)

    def _get(self, server_id):
        server = self.cloud.servers.get(server_id)
        if server is None or not self._visible(server):
            # nova.Nova names the container in its 404.
            raise nova.error_for(404, {'itemNotFound': {
                'code': 404, 'message': 'Instance could not be found.'}},
                not_found='container %s not found' % server_id)
        return server

    # Servers.
    def servers(self, all_projects=False, name=None, limit=None,
                marker=None):
        self._maybe_fail()
        found = [s for s in self.cloud.servers.values()
                 if self._visible(s, all_projects) and
                 (name is None or re.search(name, s['name']))]
        if marker:
            ids = [s['id'] for s in found]
            found = found[ids.index(marker) + 1:]
        return [dict(s) for s in found[:limit]]

    def server(self, server_id):
        self._maybe_fail()
        return dict(self._get(server_id))

    def create_server(self, body, microversion=None):
        self._maybe_fail()
        request = body['server']
        if 'host' in request and not self.admin:
            raise nova_error(403, 'forbidden', 'Policy doesn\'t allow '
                             'compute:servers:create:requested_destination')
        flavor = self.cloud.flavors.get(request['flavorRef'])
        if flavor is None:
            raise nova_error(400, 'badRequest', 'Flavor %s could not be '
                             'found.' % request['flavorRef'])
        if request['imageRef'] not in self.cloud.images:
            raise nova_error(400, 'badRequest', 'Image %s could not be '
                             'found.' % request['imageRef'])
        server = self.cloud.add_server(
            self.project, name=request['name'], status='BUILD',
            user_id=self.user, image={'id': request['imageRef']},
            metadata=dict(request.get('metadata', {})),
            flavor={'vcpus': flavor['vcpus'], 'ram': flavor['ram'],
                    'disk': flavor['disk'], 'original_name': flavor['name']},
            request=dict(request), microversion=microversion,
            history=['create'])
        if 'hostname' in request:
            server['OS-EXT-SRV-ATTR:hostname'] = request['hostname']
        try:
            groups = self._groups(request.get('security_groups'))
            for network in (request['networks']
                            if request['networks'] not in ('none', 'auto')
                            else ()):
                self._plug(server['id'], network, groups)
        except errors.APIError:
            self.delete_server(server['id'])
            raise
        return {'id': server['id'], 'links': []}

    def _groups(self, requested):
        """Ids of the requested groups, else of the project's default."""
        mine = [g for g in self.cloud.neutron['security-groups'].values()
                if g['project_id'] == self.project]
        if not requested:
            default = [g for g in mine if g['name'] == 'default'] or [
                self.cloud.add_security_group(self.project, 'default')]
            return [default[0]['id']]
        ids = []
        for wanted in requested:
            found = [g['id'] for g in mine
                     if wanted['name'] in (g['id'], g['name'])]
            if len(found) != 1:
                raise nova_error(400, 'badRequest', 'Security group %s not '
                                 'found.' % wanted['name'])
            ids.append(found[0])
        return ids

    def _plug(self, server_id, network, groups):
        """Nova's allocation: bind a given port, or make one."""
        if 'port' in network:
            port = self.cloud.neutron['ports'][network['port']]
            if port['device_id']:
                raise nova_error(409, 'conflictingRequest', 'Port %s is '
                                 'still in use.' % port['id'])
            port['device_id'] = server_id
            return port
        net = self.cloud.neutron['networks'].get(network['uuid'])
        if net is None:
            raise nova_error(400, 'badRequest', 'Network %s could not be '
                             'found.' % network['uuid'])
        return self.cloud.add_port(
            net, project=self.project, fixed_ip=network.get('fixed_ip'),
            device_id=server_id, security_groups=groups, by_nova=True)

    def server_actions(self, server_id):
        self._maybe_fail()
        server = self._get(server_id)
        return [{'action': a, 'instance_uuid': server_id,
                 'request_id': 'req-%d' % i, 'user_id': server['user_id'],
                 'project_id': server['tenant_id'], 'message': None,
                 'start_time': '2026-01-01T00:00:00.000000'}
                for i, a in reversed(list(enumerate(
                    server.get('history', []))))]

    def server_action(self, server_id, request_id):
        self._maybe_fail()
        name = self._get(server_id).get('action_ids', {}).get(request_id)
        if name is None:
            raise errors.NotFound('action %s not found' % request_id)
        return {'action': name, 'instance_uuid': server_id,
                'request_id': request_id, 'message': None,
                'events': [{'event': 'compute_%s_instance' % name,
                            'result': 'Success', 'start_time': 't0',
                            'finish_time': 't1'}]}

    def update_server(self, server_id, fields):
        self._maybe_fail()
        server = self._get(server_id)
        server.update(fields)
        return dict(server)

    def delete_server(self, server_id):
        self._maybe_fail()
        del self.cloud.servers[self._get(server_id)['id']]
        for port in self.cloud.ports_of(server_id):
            self._unplug(port)

    def _unplug(self, port):
        """Nova deletes the ports it made and keeps those it was given."""
        if port['by_nova']:
            del self.cloud.neutron['ports'][port['id']]
        else:
            port['device_id'] = ''

    # Ports of a server.
    def attach_interface(self, server_id, port_id=None, net_id=None,
                         fixed_ip=None):
        self._maybe_fail()
        server = self._get(server_id)
        if server['status'] not in ('ACTIVE', 'PAUSED', 'SHUTOFF'):
            raise nova_error(409, 'conflictingRequest', 'Cannot '
                             '\'attach_interface\' instance in this state')
        self.cloud.interface_calls.append(
            ('attach', server_id, port_id or net_id, fixed_ip))
        if server.get('request', {}).get('networks') == 'none':
            # Higgins hosts keep a network namespace only for servers
            # booted with a port: the compute host fails the attach.
            raise nova_error(500, 'computeFault', 'Failed to attach network '
                             'adapter device to %s' % server_id)
        network = {'port': port_id} if port_id else {'uuid': net_id}
        if fixed_ip:
            network['fixed_ip'] = fixed_ip
        port = self._plug(server_id, network, self._groups(None))
        return {'port_id': port['id'], 'net_id': port['network_id']}

    def detach_interface(self, server_id, port_id):
        self._maybe_fail()
        self._get(server_id)
        self.cloud.interface_calls.append(('detach', server_id, port_id))
        port = self.cloud.neutron['ports'].get(port_id)
        if port is None or port['device_id'] != server_id:
            raise nova_error(404, 'itemNotFound', 'Port %s could not be '
                             'found.' % port_id)
        self._unplug(port)

    def action(self, server_id, action, args=None):
        self._maybe_fail()
        server = self._get(server_id)
        if action == 'removeSecurityGroup':
            return self._remove_group(server_id, args['name'])
        accepted, after = _ACTIONS[action]
        if server['status'] not in accepted:
            raise nova_error(409, 'conflictingRequest',
                             'Cannot \'%s\' instance %s while it is in '
                             'vm_state %s' % (action, server_id,
                                              server['status'].lower()))
        self.cloud.actions.append((server_id, action, args))
        if action in _RECORDED:
            server.setdefault('history', []).append(_RECORDED[action])
            # Nova names the action it records by its request id.
            self.action_request_id = 'req-' + uuidutils.generate_uuid()
            server.setdefault('action_ids', {})[self.action_request_id] = (
                _RECORDED[action])
        if action in ('resize', 'confirmResize'):
            return self._resize(server, action, args)
        if after:
            server['status'] = after
            server['OS-EXT-STS:power_state'] = 4 if after == 'SHUTOFF' else 1
        if action == 'rebuild' and 'metadata' in args:
            server['metadata'] = dict(args['metadata'])
        if action == 'createImage':
            image_id = uuidutils.generate_uuid()
            self.cloud.images[image_id] = {'id': image_id,
                                           'name': args['name']}
            return {'image_id': image_id}
        if action == 'os-getConsoleOutput':
            return {'output': self._console(server_id, args.get('length'))}
        return None

    def _remove_group(self, server_id, group_id):
        self.cloud.actions.append((server_id, 'removeSecurityGroup',
                                   {'name': group_id}))
        ports = [p for p in self.cloud.ports_of(server_id)
                 if group_id in p['security_groups']]
        if not ports:
            raise nova_error(404, 'itemNotFound', 'Security group %s not '
                             'associated with the instance' % group_id)
        for port in ports:
            port['security_groups'].remove(group_id)

    def _resize(self, server, action, args):
        if action == 'confirmResize':
            server['status'] = server.pop('status_before_resize')
            return None
        outcome = self.cloud.resize_outcome
        if outcome == 'error':
            server['status'] = 'ERROR'
        elif outcome == 'verify':
            flavor = self.cloud.flavors[args['flavorRef']]
            server['flavor'] = {
                'vcpus': flavor['vcpus'], 'ram': flavor['ram'],
                'disk': flavor['disk'], 'original_name': flavor['name']}
            server['status_before_resize'] = server['status']
            server['status'] = 'VERIFY_RESIZE'
        return None

    def _console(self, server_id, length):
        # Like Nova: the last `length` pieces between newlines.
        lines = self.cloud.console.get(server_id, '').split('\n')
        return '\n'.join(lines[-length:] if length else lines)

    def serial_console(self, server_id):
        self._maybe_fail()
        server = self._get(server_id)
        if not self.cloud.serial_console:
            raise nova_error(400, 'badRequest',
                             'Unavailable console type serial.')
        if server['status'] != 'ACTIVE':
            raise nova_error(409, 'conflictingRequest',
                             'Instance %s is not ready yet.' % server_id)
        url = 'ws://127.0.0.1:6083/?token=%s' % uuidutils.generate_uuid()
        self.cloud.console_urls.append(url)
        return url

    def diagnostics(self, server_id):
        self._maybe_fail()
        server = self._get(server_id)
        if not (self.admin or self.cloud.owners_read_diagnostics):
            raise nova_error(403, 'forbidden', 'Policy doesn\'t allow '
                             'os_compute_api:os-server-diagnostics to be '
                             'performed.')
        if server['status'] != 'ACTIVE':
            raise nova_error(409, 'conflictingRequest',
                             'Cannot \'get_diagnostics\' instance %s while '
                             'it is in power state shutdown' % server_id)
        return dict(self.cloud.diagnostics[server_id])

    # Compute hosts.
    def hypervisors(self):
        self._maybe_fail()
        if not self.admin:
            raise nova_error(403, 'forbidden', 'Policy doesn\'t allow '
                             'os_compute_api:os-hypervisors:list-detail')
        return [dict(h) for h in self.cloud.hypervisors.values()]

    def hypervisor(self, hypervisor_id):
        found = [h for h in self.hypervisors() if h['id'] == hypervisor_id]
        if not found:
            raise nova.error_for(404, None, not_found='host %s not found'
                                 % hypervisor_id)
        return found[0]

    # Flavors and images.
    def flavors(self):
        self._maybe_fail()
        return [dict(f) for f in self.cloud.flavors.values()]

    def flavor_exists(self, flavor_id):
        return flavor_id in self.cloud.flavors

    def image_exists(self, image_id):
        return image_id in self.cloud.images

    def image_id(self, name_or_id):
        if uuidutils.is_uuid_like(name_or_id):
            return name_or_id
        return self.image_named(name_or_id)['id']

    def image_named(self, name_or_id):
        matches = [i for i in self.cloud.images.values()
                   if i['name'] == name_or_id]
        # nova.Nova's own answers for a name it cannot resolve.
        if not matches:
            raise errors.BadRequest('image: %s not found' % name_or_id)
        if len(matches) > 1:
            raise errors.Conflict('image: several images are named %s; use '
                                  'its id' % name_or_id)
        return matches[0]
