"""The one place that maps between Zun-style containers and Nova servers.

Container fields become a Nova server request (flavor, image, metadata of
the driver's contract in docs/container-metadata.md); Nova servers become
container views with Zun's status names.
"""
import re

from higgins_common import contract
from higgins_common import metadata

from higgins_api import errors
from higgins_api import verbs

TRAIT_SPEC = contract.CONTAINER_TRAIT_SPEC

# Zun's status names (verbs.py) for Nova's server status.
_STATUS = {
    'BUILD': verbs.CREATING,
    'ACTIVE': verbs.RUNNING,
    'SHUTOFF': verbs.STOPPED,
    'PAUSED': verbs.PAUSED,
    # Higgins suspends by freezing the container: it is paused, not stopped.
    'SUSPENDED': verbs.PAUSED,
    'REBOOT': verbs.RESTARTING,
    'HARD_REBOOT': verbs.RESTARTING,
    'REBUILD': verbs.REBUILDING,
    'ERROR': verbs.ERROR,
    'DELETED': verbs.DELETED,
    'SOFT_DELETED': verbs.DELETED,
}

# Fields of Zun's create request that Higgins cannot honour yet: accepted
# when empty (python-zunclient sends some of them by default), else refused.
UNSUPPORTED_CREATE_FIELDS = (
    'auto_remove', 'image_pull_policy', 'hints', 'nets', 'mounts', 'runtime',
    'hostname', 'disk', 'registry', 'host', 'entrypoint', 'healthcheck',
    'auto_heal', 'security_groups', 'exposed_ports', 'restart_policy',
    'interactive', 'tty', 'privileged', 'cpu_policy',
)

_MEMORY = re.compile(r'^\s*(\d+)\s*([mMgG]?)[bB]?\s*$')


def status_of(server):
    if server.get('OS-EXT-STS:task_state') == 'deleting':
        return verbs.DELETING
    return _STATUS.get(server.get('status'), verbs.UNKNOWN)


def memory_mib(value):
    """Memory in MiB from Zun's forms: 512, "512", "512M", "1G"."""
    if value is None:
        return None
    if isinstance(value, int):
        mib = value
    else:
        match = _MEMORY.match(str(value))
        if not match:
            raise errors.BadRequest(
                'memory: %r is not a size like 512, "512M" or "1G"' % value)
        unit = match.group(2).lower()
        mib = int(match.group(1)) * (1024 if unit == 'g' else 1)
    if mib <= 0:
        raise errors.BadRequest('memory: must be greater than 0')
    return mib


def is_container_flavor(flavor):
    return (flavor.get('extra_specs') or {}).get(TRAIT_SPEC) == 'required'


def pick_flavor(flavors, cpu=None, memory=None):
    """The smallest container flavor with at least ``cpu`` and ``memory``."""
    fitting = [f for f in flavors if is_container_flavor(f) and
               f['vcpus'] >= (cpu or 0) and f['ram'] >= (memory or 0)]
    if not fitting:
        raise errors.BadRequest(
            'cpu/memory: no container flavor has %s vCPUs and %s MiB'
            % (cpu or 'any', memory or 'any'))
    return min(fitting, key=lambda f: (f['ram'], f['vcpus'], f['disk'],
                                       f['name']))


def refuse_unsupported(body):
    for field in UNSUPPORTED_CREATE_FIELDS:
        if body.get(field) not in (None, False, '', [], {}):
            raise errors.BadRequest(
                '%s: not supported by Higgins (containers run through Nova; '
                'see docs/api-reference.md)' % field)


def server_metadata(body):
    """Server metadata for the container's command, workdir, env, labels."""
    try:
        return metadata.to_metadata(
            command=body.get('command') or None,
            workdir=body.get('workdir'),
            environment=body.get('environment'),
            labels=body.get('labels'))
    except metadata.InvalidMetadata as exc:
        field = _FIELD_OF_KEY.get(exc.field) or _field_of_prefix(exc.field)
        raise errors.BadRequest('%s: %s' % (field, exc.reason))


_FIELD_OF_KEY = {metadata.COMMAND_KEY: 'command',
                 metadata.WORKDIR_KEY: 'workdir'}


def _field_of_prefix(key):
    if key.startswith(metadata.ENV_PREFIX):
        return 'environment.%s' % key[len(metadata.ENV_PREFIX):]
    if key.startswith(metadata.LABEL_PREFIX):
        return 'labels.%s' % key[len(metadata.LABEL_PREFIX):]
    return key


def server_request(name, image_id, flavor_id, metadata_items):
    server = {'name': name, 'imageRef': image_id, 'flavorRef': flavor_id,
              # No Neutron ports for containers yet.
              'networks': 'none'}
    if metadata_items:
        server['metadata'] = metadata_items
    return {'server': server}


def requested_server(server_id, request, flavor, caller):
    """The server Nova accepted, as Nova will show it while it builds."""
    return {'id': server_id, 'name': request['name'], 'status': 'BUILD',
            'OS-EXT-STS:task_state': 'scheduling',
            'image': {'id': request['imageRef']},
            'flavor': {'vcpus': flavor['vcpus'], 'ram': flavor['ram'],
                       'disk': flavor['disk']},
            'metadata': request.get('metadata', {}),
            'tenant_id': caller.project_id, 'user_id': caller.user_id}


def container_view(server, base_url):
    """A Nova server (microversion >= 2.47) as a Zun container."""
    try:
        overrides = metadata.parse_metadata(server.get('metadata'))
    except metadata.InvalidMetadata:
        overrides = metadata.ContainerOverrides()
    flavor = server.get('flavor') or {}
    image = server.get('image') or {}
    status = status_of(server)
    fault = server.get('fault') or {}
    uuid = server['id']
    return {
        'uuid': uuid,
        'name': server.get('name'),
        'image': image.get('id') if isinstance(image, dict) else None,
        'image_driver': 'glance',
        'status': status,
        'status_reason': (fault.get('message') if status == verbs.ERROR
                          else None),
        'task_state': server.get('OS-EXT-STS:task_state'),
        'cpu': flavor.get('vcpus'),
        'memory': ('%sM' % flavor['ram']) if 'ram' in flavor else None,
        'disk': flavor.get('disk'),
        'command': list(overrides.command) if overrides.command else None,
        'workdir': overrides.workdir,
        'environment': dict(overrides.environment),
        'labels': dict(overrides.labels),
        'host': server.get('OS-EXT-SRV-ATTR:host'),
        'project_id': server.get('tenant_id'),
        'user_id': server.get('user_id'),
        'created_at': server.get('created'),
        'updated_at': server.get('updated'),
        'addresses': {},
        'ports': [],
        'restart_policy': {},
        'auto_remove': False,
        'interactive': False,
        'tty': False,
        'links': [{'href': '%s/v1/containers/%s' % (base_url, uuid),
                   'rel': 'self'}],
    }
