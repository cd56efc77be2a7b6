"""An in-memory Nova behind the interface of :class:`higgins_api.nova.Nova`.

One ``FakeCloud`` holds what Nova would (servers, flavors, images, console
output); each request's caller gets a ``FakeNova`` that sees only their
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
        return {'id': server['id'], 'links': []}

    def server_actions(self, server_id):
        self._maybe_fail()
        return [{'action': a, 'instance_uuid': server_id}
                for a in reversed(self._get(server_id).get('history', []))]

    def update_server(self, server_id, fields):
        self._maybe_fail()
        server = self._get(server_id)
        server.update(fields)
        return dict(server)

    def delete_server(self, server_id):
        self._maybe_fail()
        del self.cloud.servers[self._get(server_id)['id']]

    def action(self, server_id, action, args=None):
        self._maybe_fail()
        server = self._get(server_id)
        accepted, after = _ACTIONS[action]
        if server['status'] not in accepted:
            raise nova_error(409, 'conflictingRequest',
                             'Cannot \'%s\' instance %s while it is in '
                             'vm_state %s' % (action, server_id,
                                              server['status'].lower()))
        self.cloud.actions.append((server_id, action, args))
        if action in _RECORDED:
            server.setdefault('history', []).append(_RECORDED[action])
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
        if len(matches) != 1:
            # nova.Nova's own wording for a name it cannot resolve.
            raise errors.BadRequest('image: %s not found' % name_or_id)
        return matches[0]
