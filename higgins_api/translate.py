"""The one place that maps between Zun-style containers and Nova servers.

Container fields become a Nova server request (flavor, image, metadata of
the driver's contract in docs/container-metadata.md); Nova servers become
container views with Zun's status names.
"""
import re
import uuid as uuid_lib

from higgins_common import contract
from higgins_common import metadata

from higgins_api import errors
from higgins_api import networks
from higgins_api import schemas
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
    'auto_remove', 'hints', 'mounts', 'registry', 'healthcheck',
    'auto_heal', 'privileged',
)

# Fields Higgins accepts only with values that ask for nothing beyond what
# every container gets.
NO_OP_VALUES = {
    # The host uses the engine's copy of a reference and pulls only what it
    # lacks; the operator's allow-list decides what may be pulled.
    'image_pull_policy': ('', 'ifnotpresent', 'always', 'never'),
    'runtime': ('', 'runc'),
    'cpu_policy': ('', 'shared'),
}

# The sizes schemas.MEMORY_PATTERN lets through.
_MEMORY = re.compile(r'^ *([0-9]+) *([mMgG]?)[bB]? *$')
# Container names as Zun allows them (schemas._NAME).
_CONTAINER_NAME = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$')
_REFERENCE = re.compile(schemas.REFERENCE_PATTERN)
#: Nova's power state of a server whose container is not running.
POWER_SHUTDOWN = 4
POWER_RUNNING = 1
# Nova's statuses of a server being resized or migrated.
_MOVING = ('RESIZE', 'VERIFY_RESIZE', 'MIGRATING', 'REVERT_RESIZE')


def status_of(server):
    if server.get('OS-EXT-STS:task_state') == 'deleting':
        return verbs.DELETING
    if may_be_created(server):
        # Created without starting: Nova may still show it ACTIVE for the
        # second it takes to hear that the container is not running.
        return verbs.STOPPED
    if server.get('status') in _MOVING:
        # Resizing: Zun has no such status; the container runs or not.
        return (verbs.RUNNING if server.get('OS-EXT-STS:power_state') ==
                POWER_RUNNING else verbs.STOPPED)
    return _STATUS.get(server.get('status'), verbs.UNKNOWN)


def may_be_created(server):
    """Whether a server created with ``run=false`` is not running.

    It is ``Created`` if it has never been started since.
    """
    if (server.get('metadata') or {}).get(metadata.RUN_KEY) != 'false':
        return False
    # Nova shows it ACTIVE until it hears the container is not running,
    # then stops the server (task powering-off) before it shows SHUTOFF.
    return server.get('status') == 'SHUTOFF' or (
        server.get('status') == 'ACTIVE' and
        server.get('OS-EXT-STS:power_state') == POWER_SHUTDOWN and
        server.get('OS-EXT-STS:task_state') in (None, 'powering-off'))


def never_started(actions):
    """Whether Nova's action records show no start since the creation."""
    return all(a.get('action') in ('create', 'stop') for a in actions)


def canonical_uuid(ident):
    """The canonical form of a uuid-like identifier, else None."""
    try:
        return str(uuid_lib.UUID(ident)) if len(ident) in (32, 36) else None
    except (ValueError, TypeError):
        return None


def is_container_name(ident):
    return bool(_CONTAINER_NAME.match(ident))


def check_reference(reference):
    """Raise BadRequest unless ``reference`` reads as an engine reference."""
    if len(reference) > metadata.MAX_METADATA_LENGTH or not (
            _REFERENCE.match(reference)):
        raise errors.BadRequest(
            'image: %r is not an image reference like nginx:1.27 or '
            'registry.example.com/app:1' % reference)


def memory_mib(value):
    """Memory in MiB from Zun's forms: 512, "512", "512M", "1G"."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        # JSON's 512.0 is the whole number the schema lets through.
        mib = int(value)
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


def is_interactive(server):
    """Whether the server's container was created with stdin open."""
    try:
        return metadata.parse_metadata(server.get('metadata')).interactive
    except metadata.InvalidMetadata:
        return False


def is_container_flavor(flavor):
    return (flavor.get('extra_specs') or {}).get(TRAIT_SPEC) == 'required'


def pick_flavor(flavors, cpu=None, memory=None, disk=None):
    """The smallest container flavor with enough CPUs, MiB and GiB."""
    fitting = [f for f in flavors if is_container_flavor(f) and
               f['vcpus'] >= (cpu or 0) and f['ram'] >= (memory or 0) and
               f['disk'] >= (disk or 0)]
    if not fitting:
        raise errors.BadRequest(
            'cpu/memory: no container flavor has %s vCPUs and %s MiB%s'
            % (cpu or 'any', memory or 'any',
               ' and %s GiB of disk' % disk if disk else ''))
    return min(fitting, key=lambda f: (f['ram'], f['vcpus'], f['disk'],
                                       f['name']))


def refuse_unsupported(body):
    for field in UNSUPPORTED_CREATE_FIELDS:
        if body.get(field) not in (None, False, '', [], {}):
            raise errors.BadRequest(
                '%s: not supported by Higgins (containers run through Nova; '
                'see docs/api-reference.md)' % field)
    for field, accepted in NO_OP_VALUES.items():
        value = body.get(field)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.lower()
        if value not in accepted:
            raise errors.BadRequest(
                '%s: only %s accepted by Higgins (see '
                'docs/api-reference.md)' % (field, ', '.join(
                    repr(v) for v in accepted if v not in ('', {}, []))))


def restart_policy(value):
    """``(name, max retries)`` of Zun's ``restart_policy`` object.

    As Zun: a retry count only with ``on-failure`` (``no`` ignores it);
    no policy, or no name, is ``no``.
    """
    name = (value or {}).get('Name') or metadata.RESTART_NO
    count = int((value or {}).get('MaximumRetryCount') or 0)
    if name == metadata.RESTART_NO:
        return name, 0
    if count and name != metadata.RESTART_ON_FAILURE:
        raise errors.BadRequest('restart_policy: maximum retry count not '
                                'valid with restart policy of %s' % name)
    if count > metadata.MAX_RESTART_RETRIES:
        raise errors.BadRequest('restart_policy: maximum retry count must '
                                'be at most %d' % metadata.MAX_RESTART_RETRIES)
    return name, count


def restart_policy_view(overrides):
    """Zun's view of a restart policy (the count as a string)."""
    return {'Name': overrides.restart_policy,
            'MaximumRetryCount': str(overrides.restart_max_retries)}


def server_metadata(body, run=True, reference=None):
    """Server metadata of a create request's container fields.

    Command, entrypoint, workdir, environment, labels, run, restart
    policy; ``reference``: the image as the user named it, kept for display.
    """
    policy, retries = restart_policy(body.get('restart_policy'))
    try:
        return metadata.to_metadata(
            command=body.get('command') or None,
            entrypoint=body.get('entrypoint') or None,
            workdir=body.get('workdir'),
            environment=body.get('environment'),
            labels=body.get('labels'), run=run, image=reference,
            interactive=bool(body.get('interactive')),
            tty=bool(body.get('tty')),
            restart_policy=policy, restart_max_retries=retries)
    except metadata.InvalidMetadata as exc:
        field = _FIELD_OF_KEY.get(exc.field) or _field_of_prefix(exc.field)
        raise errors.BadRequest('%s: %s' % (field, exc.reason))


_FIELD_OF_KEY = {metadata.COMMAND_KEY: 'command',
                 metadata.ENTRYPOINT_KEY: 'entrypoint',
                 metadata.WORKDIR_KEY: 'workdir',
                 metadata.IMAGE_KEY: 'image',
                 metadata.RESTART_POLICY_KEY: 'restart_policy'}


def _field_of_prefix(key):
    if key.startswith(metadata.ENV_PREFIX):
        return 'environment.%s' % key[len(metadata.ENV_PREFIX):]
    if key.startswith(metadata.LABEL_PREFIX):
        return 'labels.%s' % key[len(metadata.LABEL_PREFIX):]
    return key


def server_request(name, image_id, flavor_id, metadata_items,
                   networks='none', security_groups=()):
    """Nova's create body; ``networks`` as Nova takes them (networks.py).

    Without security groups Nova gives the project's ``default``.
    """
    server = {'name': name, 'imageRef': image_id, 'flavorRef': flavor_id,
              'networks': networks}
    if security_groups:
        server['security_groups'] = [{'name': g} for g in security_groups]
    if metadata_items:
        server['metadata'] = metadata_items
    return {'server': server}


def requested_server(server_id, request, flavor, caller):
    """The server Nova accepted, as Nova will show it while it builds."""
    return {'id': server_id, 'name': request['name'], 'status': 'BUILD',
            'OS-EXT-STS:task_state': 'scheduling',
            'OS-EXT-SRV-ATTR:hostname': request.get('hostname'),
            'image': {'id': request['imageRef']},
            'flavor': {'vcpus': flavor['vcpus'], 'ram': flavor['ram'],
                       'disk': flavor['disk']},
            'metadata': request.get('metadata', {}),
            'tenant_id': caller.project_id, 'user_id': caller.user_id}


def container_view(server, base_url, status=None, ports=()):
    """A Nova server (microversion >= 2.47) as a Zun container.

    ``status`` overrides the status read from the server alone (the
    facade knows more about ``Created`` containers); ``ports`` are the
    server's Neutron ports.
    """
    try:
        overrides = metadata.parse_metadata(server.get('metadata'))
    except metadata.InvalidMetadata:
        overrides = metadata.ContainerOverrides()
    flavor = server.get('flavor') or {}
    image = server.get('image') or {}
    status = status or status_of(server)
    fault = server.get('fault') or {}
    uuid = server['id']
    return {
        'uuid': uuid,
        'name': server.get('name'),
        'image': overrides.image or (image.get('id') if isinstance(
            image, dict) else None),
        'image_driver': 'docker' if overrides.image else 'glance',
        'image_pull_policy': None,
        'status': status,
        'status_reason': (fault.get('message') if status == verbs.ERROR
                          else None),
        'status_detail': None,
        'task_state': server.get('OS-EXT-STS:task_state'),
        # Zun shows CPUs as a number and memory as MiB in a string.
        'cpu': float(flavor['vcpus']) if 'vcpus' in flavor else None,
        'memory': str(flavor['ram']) if 'ram' in flavor else None,
        'disk': flavor.get('disk'),
        'command': list(overrides.command) if overrides.command else None,
        'entrypoint': (list(overrides.entrypoint) if overrides.entrypoint
                       else None),
        'workdir': overrides.workdir,
        'environment': dict(overrides.environment),
        'labels': dict(overrides.labels),
        'hostname': server.get('OS-EXT-SRV-ATTR:hostname'),
        'host': server.get('OS-EXT-SRV-ATTR:host'),
        'project_id': server.get('tenant_id'),
        'user_id': server.get('user_id'),
        'created_at': server.get('created'),
        'updated_at': server.get('updated'),
        'addresses': networks.addresses(ports),
        # Exposed ports are the rules of the container's security group,
        # not a field Higgins keeps.
        'ports': [],
        'security_groups': networks.security_group_ids(ports),
        'restart_policy': restart_policy_view(overrides),
        'auto_remove': False,
        'auto_heal': False,
        'privileged': False,
        'healthcheck': {},
        'runtime': 'runc',
        'cpu_policy': 'shared',
        'registry_id': None,
        'interactive': overrides.interactive,
        'tty': overrides.tty,
        'links': [{'href': '%s/v1/containers/%s' % (base_url, uuid),
                   'rel': 'self'}],
    }


# What Docker's client prints for a pair of figures it has no value for.
NO_VALUE_PAIR = '-- / --'


def _pair(first, second):
    if first is None or second is None:
        return NO_VALUE_PAIR
    return '%d/%d' % (first, second)


def _total(items, key):
    values = [item.get(key) for item in items]
    if not values or None in values:
        return None
    return sum(values)


def cpu_percent(diagnostics):
    """Average CPU use since the container last started (% of one core).

    None before it has run for a second. Nova reports cumulative CPU time
    and the time since the container's last start, not a live rate; a
    rate would need two samples a while apart.
    """
    uptime = diagnostics.get('uptime')
    times = [c.get('time') for c in diagnostics.get('cpu_details') or ()]
    if not uptime or not times or None in times:
        return None
    return sum(times) / (uptime * 1e9) * 100


def stats_view(server, diagnostics):
    """Nova's server diagnostics (2.48 format) in Zun's stats format."""
    memory = diagnostics.get('memory_details') or {}
    used, limit = memory.get('used'), memory.get('maximum')
    disks = diagnostics.get('disk_details') or []
    nics = diagnostics.get('nic_details') or []
    return {
        'CONTAINER': server.get('name'),
        'CPU %': cpu_percent(diagnostics),
        'MEM USAGE(MiB)': used,
        'MEM LIMIT(MiB)': limit,
        'MEM %': (used / limit * 100 if used is not None and limit
                  else None),
        'BLOCK I/O(B)': _pair(_total(disks, 'read_bytes'),
                              _total(disks, 'write_bytes')),
        # No interface at all: no traffic, which is zero.
        'NET I/O(B)': (_pair(_total(nics, 'rx_octets'),
                             _total(nics, 'tx_octets')) if nics else '0/0'),
    }
