"""Handlers of /v1/containers: each verb checks the container's state,
then asks Nova to do the work (translate.py owns the field mapping).

The router hands every handler its row of the verb table as ``req.verb``:
the policy rule, the statuses the verb is allowed from and the Nova action
come from there (:mod:`higgins_api.verbs`), not from the handler.
"""
import threading
import time

from oslo_log import log as logging
from oslo_utils import strutils
from oslo_utils import uuidutils

from higgins_api import errors
from higgins_api import networks
from higgins_api import nova
from higgins_api import policy
from higgins_api import schemas
from higgins_api import server_resize
from higgins_api import translate
from higgins_api import verbs

LOG = logging.getLogger(__name__)

# Signals Nova can deliver, spelt as Zun accepts them: it can only stop a
# server, which sends SIGTERM and, after the host's grace period, SIGKILL.
# python-zunclient sends "None" when no signal is given: the default.
KILL_SIGNALS = ('None', 'SIGKILL', 'KILL', 'sigkill', 'kill', '9',
                'SIGTERM', 'TERM', 'sigterm', 'term', '15')
#: Largest whole number a query parameter takes (a 64-bit integer).
MAX_INT = 2 ** 63 - 1
#: Longest repository and tag of a commit: "repository:tag" names the
#: Glance image, whose names Nova limits to 255 characters.
MAX_REPOSITORY = 126
MAX_TAG = 128


def check_state(req, server, forced=False):
    """Raise Conflict unless the verb table allows the container's status.

    ``forced``: the caller insisted (delete's force or stop).
    """
    verb = req.verb
    allowed = verb.allowed_forced if forced else verb.allowed
    status = translate.status_of(server)
    if allowed is None or status in allowed:
        return
    detail = 'cannot %s a container in status %s' % (verb.phrase, status)
    if not forced and status in (verb.allowed_forced or ()):
        detail += ': stop it first, or use %s' % verb.forced_by
    raise errors.Conflict(detail)


def find_server(req, ident):
    """The caller's server for a container uuid or unique name.

    Anything else cannot name a container: it is not found, and never
    reaches a Nova URL or filter.
    """
    uuid = translate.canonical_uuid(ident)
    if uuid is not None:
        return req.nova.server(uuid)
    if not translate.is_container_name(ident):
        raise errors.NotFound('container %s not found' % ident)
    # Names hold letters, digits, "_", "." and "-": only "." is special
    # in Nova's regular-expression filter.
    pattern = '^%s$' % ident.replace('.', '[.]')
    matches = [s for s in req.nova.servers(name=pattern)
               if s['name'] == ident]
    if not matches:
        raise errors.NotFound('container %s not found' % ident)
    if len(matches) > 1:
        raise errors.Conflict('several containers are named %s; use its '
                              'uuid' % ident)
    return matches[0]


class FlavorCache:
    """The flavors each project sees, reused for a short while."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_project = {}

    def get(self, req, fresh=False):
        ttl = req.conf.api.flavor_cache_seconds
        now = time.monotonic()
        with self._lock:
            cached = self._by_project.get(req.caller.project_id)
        if cached and now - cached[0] < ttl and not fresh:
            return cached[1]
        flavors = req.nova.flavors()
        with self._lock:
            self._by_project[req.caller.project_id] = (now, flavors)
        return flavors


def _view(req, server, ports=None):
    """The container of ``server``; ``ports`` None: ask Neutron for them."""
    status = None
    if translate.may_be_created(server) and translate.never_started(
            req.nova.server_actions(server['id'])):
        status = verbs.CREATED
    if ports is None:
        ports = networks.ports_by_server(req, [server['id']])[server['id']]
    return translate.container_view(server, req.host_url, status, ports)


def _flag(req, name):
    """A true/false query parameter; anything else is refused, as Zun does."""
    try:
        return strutils.bool_from_string(req.GET.get(name, 'false'),
                                         strict=True)
    except ValueError:
        raise errors.BadRequest('%s: must be true or false' % name)


def _image(req, image, driver):
    """(Glance image id, engine reference or None) for a requested image."""
    if driver != 'docker':
        return req.nova.image_id(image), None
    translate.check_reference(image)
    return req.glance.reference_image(image, req.caller.project_id), image


# Collection.
def create(req):
    policy.authorize(req)
    body = req.json_body_or_empty()
    if isinstance(body, dict):
        # Says why, where the schema would only say which values pass.
        translate.refuse_unsupported(body)
    body = schemas.validate(schemas.CREATE, body)
    if body.get('host'):
        policy.authorize(req, verbs.CREATE_ON_HOST)
    driver = body.get('image_driver')
    reference = body['image'] if driver == 'docker' else None
    metadata = translate.server_metadata(body, run=_flag(req, 'run'),
                                         reference=reference)
    memory = translate.memory_mib(body.get('memory'))
    # Networks are checked before a docker image is registered for them.
    plan = networks.plan(req, body)
    image_id = _image(req, body['image'], driver)[0]
    name = body.get('name') or 'higgins-%s' % uuidutils.generate_uuid()[:8]
    flavor, server_body, created = _create_with_exposed_group(
        req, body, name, plan, translate.server_request(
            name, image_id, None, metadata, plan.networks,
            plan.security_groups), memory)
    LOG.info('Container %s requested as server %s with flavor %s',
             name, created['id'], flavor['name'])
    # What Nova was just asked for is what the container is: no need to
    # read it back (Nova has made no port yet).
    view = _view(req, translate.requested_server(
        created['id'], server_body['server'], flavor, req.caller), ports=[])
    location = '%s/v1/containers/%s' % (req.host_url, created['id'])
    return 202, view, {'Location': location}


def _create_with_exposed_group(req, body, name, plan, server_body, memory):
    """Create the server, with the group opening its exposed ports.

    The group exists before the server (Nova applies it to the ports it
    makes) and is named after the server once Nova has answered.
    """
    if not plan.exposed_rules:
        return _create_server(req, body, server_body, memory)
    group = networks.create_exposed_group(req, name, plan.exposed_rules)
    server_body['server'].setdefault('security_groups', []).append(
        {'name': group['id']})
    try:
        created = _create_server(req, body, server_body, memory)
    except Exception:
        req.neutron.delete_security_group(group['id'])
        raise
    networks.name_exposed_group(req, group, created[2]['id'])
    return created


def _create_server(req, body, server_body, memory):
    """Ask Nova for the server with the smallest flavor that fits.

    Returns the flavor, the request body and the created server.
    """
    server = server_body['server']
    for field in ('availability_zone', 'host', 'hostname'):
        if body.get(field):
            server[field] = body[field]
    microversion = nova.HOSTNAME_MICROVERSION if 'hostname' in server else (
        None)
    image_id = server['imageRef']
    for fresh in (False, True):
        flavor = translate.pick_flavor(req.flavors.get(req, fresh=fresh),
                                       cpu=body.get('cpu'), memory=memory,
                                       disk=body.get('disk'))
        server['flavorRef'] = flavor['id']
        try:
            return flavor, server_body, req.nova.create_server(
                server_body, microversion=microversion)
        except errors.BadRequest:
            # Nova refuses a missing image and a missing flavor alike (400):
            # ask it which one is gone rather than read its message.
            if not req.nova.image_exists(image_id):
                raise errors.BadRequest('image: %s not found' % body['image'])
            if fresh or req.nova.flavor_exists(flavor['id']):
                raise
            # The cached flavor was deleted meanwhile: ask Nova again.


def list_(req):
    all_projects = _flag(req, 'all_projects')
    policy.authorize(req, req.verb.all_projects_rule if all_projects
                     else req.verb.rule)
    limit = _check_int('limit', req.GET.get('limit'))
    if limit == 0:
        raise errors.BadRequest('limit: must be a positive whole number')
    limit = min(limit or req.conf.api.max_limit, req.conf.api.max_limit)
    # As Zun: an empty marker is none, and one naming no container of the
    # caller's is not found.
    marker = req.GET.get('marker') or None
    if marker is not None:
        uuid = translate.canonical_uuid(marker)
        if uuid is None:
            raise errors.NotFound('container %s not found' % marker)
        marker = req.nova.server(uuid)['id']
    servers = req.nova.servers(all_projects=all_projects, limit=limit,
                               marker=marker)
    ports = networks.ports_by_server(req, [s['id'] for s in servers])
    return 200, {'containers': [_view(req, s, ports[s['id']])
                                for s in servers]}


# One container.
def show(req, ident):
    policy.authorize(req)
    return 200, _view(req, find_server(req, ident))


def patch(req, ident):
    policy.authorize(req)
    body = schemas.validate(schemas.PATCH, req.json_body_or_empty())
    limits = {k: body.pop(k) for k in ('cpu', 'memory') if k in body}
    memory = translate.memory_mib(limits.get('memory'))
    server = find_server(req, ident)
    if body:
        server = req.nova.update_server(server['id'], body)
    if limits:
        server = _update_limits(req, server, limits.get('cpu'), memory)
    return 200, _view(req, server)


def _update_limits(req, server, cpu, memory):
    """Zun's update of cpu/memory: a Nova resize, confirmed (resize)."""
    status = translate.status_of(server)
    if status not in server_resize.RESIZABLE:
        raise errors.Conflict('cannot update the cpu or memory of a '
                              'container in status %s' % status)
    flavor = server_resize.target_flavor(req.flavors.get(req), server, cpu,
                                         memory)
    if flavor is None:
        return server
    LOG.info('Container %s resized to flavor %s', server['id'],
             flavor['name'])
    return server_resize.resize(req.nova, server['id'], flavor['id'],
                                req.conf.nova.resize_timeout)


def rename(req, ident):
    policy.authorize(req)
    name = req.GET.get('name')
    if name is None:
        raise errors.BadRequest('name: is required')
    schemas.validate(schemas.PATCH, {'name': name})
    server = find_server(req, ident)
    return 200, _view(req, req.nova.update_server(server['id'],
                                                  {'name': name}))


def delete(req, ident):
    policy.authorize(req)
    # Query parameters only: a DELETE's body is never read.
    force = _flag(req, 'force')
    stop = _flag(req, 'stop')
    server = find_server(req, ident)
    check_state(req, server, forced=force or stop)
    # Nova stops a server as part of deleting it: `stop` needs no extra call.
    networks.delete_exposed_groups(
        req, server['id'], lambda: req.nova.delete_server(server['id']))
    return 204, None


def server_action(req, ident):
    """A verb that is one Nova server action without a result."""
    policy.authorize(req)
    server = find_server(req, ident)
    check_state(req, server)
    req.nova.action(server['id'], req.verb.nova_action, req.verb.nova_args)
    return 202, None


def stop(req, ident):
    """Stop, or reboot: Zun's timeout is checked, then left to Nova.

    Nova's stop and soft reboot take no timeout: the host's graceful-stop
    timeout applies.
    """
    _check_int('timeout', req.GET.get('timeout'))
    return server_action(req, ident)


def kill(req, ident):
    if req.GET.get('signal', 'None') not in KILL_SIGNALS:
        raise errors.BadRequest(
            'signal: Nova can only stop a container (SIGTERM, then SIGKILL '
            'after the grace period); use SIGKILL or SIGTERM')
    return server_action(req, ident)


def logs(req, ident):
    policy.authorize(req)
    tail = req.GET.get('tail', 'all')
    lines = None if tail == 'all' else _check_int('tail', tail)
    # Zun's other log parameters (stdout, stderr, since) ask for nothing
    # Nova's console output can leave out: they are passed over.
    if _flag(req, 'timestamps'):
        raise errors.BadRequest('timestamps: Nova\'s console output has no '
                                'timestamps')
    server = find_server(req, ident)
    check_state(req, server)
    # Nova cuts the output at newlines, counting the empty piece after a
    # final newline as a line: ask for one more, then keep whole lines.
    args = {'length': lines + 1} if lines is not None else {}
    output = req.nova.action(server['id'], req.verb.nova_action, args)
    text = (output or {}).get('output') or ''
    if lines is not None:
        text = ''.join(text.splitlines(keepends=True)[-lines:]
                       if lines else [])
    return 200, text


def stats(req, ident):
    """Zun's stats of a running container, from Nova's diagnostics."""
    policy.authorize(req)
    server = find_server(req, ident)
    check_state(req, server)
    try:
        diagnostics = req.nova.diagnostics(server['id'])
    except errors.Forbidden:
        # Nova's default keeps diagnostics for admins; the operator
        # decides whether owners may read them.
        raise errors.Forbidden(
            'Nova\'s policy does not let you read this container\'s '
            'resource use (os_compute_api:os-server-diagnostics); see '
            'docs/api-reference.md')
    return 200, translate.stats_view(server, diagnostics)


def commit(req, ident):
    policy.authorize(req)
    repository = req.GET.get('repository')
    if not repository:
        raise errors.BadRequest('repository: is required')
    tag = req.GET.get('tag')
    for field, value, longest in (('repository', repository, MAX_REPOSITORY),
                                  ('tag', tag or '', MAX_TAG)):
        if len(value) > longest:
            raise errors.BadRequest('%s: is longer than %d characters'
                                    % (field, longest))
    # As Zun names the image: the repository, with ":tag" only if asked.
    name = '%s:%s' % (repository, tag) if tag else repository
    server = find_server(req, ident)
    check_state(req, server)
    result = req.nova.action(server['id'], req.verb.nova_action,
                             {'name': name})
    return 202, {'uuid': result['image_id']}


def rebuild(req, ident):
    """Nova's rebuild, from the container's image or another one."""
    policy.authorize(req)
    body = req.json_body_or_empty()
    if isinstance(body, dict):
        # Zun's clients give the fields in the query: they win.
        body = dict(body, **{k: v for k, v in req.GET.items()
                             if k in ('image', 'image_driver')})
    body = schemas.validate(schemas.REBUILD, body)
    image, driver = body.get('image'), body.get('image_driver')
    server = find_server(req, ident)
    check_state(req, server)
    args = {'imageRef': (server.get('image') or {}).get('id')}
    if image:
        args['imageRef'], reference = _image(req, image, driver)
        items = dict(server.get('metadata') or {})
        items.pop(translate.metadata.IMAGE_KEY, None)
        if reference:
            items[translate.metadata.IMAGE_KEY] = reference
        args['metadata'] = items
    req.nova.action(server['id'], req.verb.nova_action, args)
    return 202, None


def attach(req, ident):
    """The websocket URL of the container's console, as Zun answers it.

    It is Nova's serial console: nova-serialproxy checks the token in the
    URL and bridges the websocket to the container's stdin and output.
    """
    policy.authorize(req)
    server = find_server(req, ident)
    check_state(req, server)
    # As Zun: only a container created interactive takes a console.
    if not translate.is_interactive(server):
        raise errors.BadRequest('container %s is not interactive: create '
                                'it with interactive=true to attach'
                                % ident)
    return 200, req.nova.serial_console(server['id'])


def resize(req, ident):
    """Zun's terminal resize, which Nova cannot carry: always a 400.

    Zun's client resizes right after attaching and goes on when told 400;
    the terminal keeps the size it has.
    """
    policy.authorize(req)
    for field in ('h', 'w'):
        if not _check_int(field, req.GET.get(field)):
            raise errors.BadRequest('%s: is required, a positive whole '
                                    'number' % field)
    server = find_server(req, ident)
    check_state(req, server)
    raise errors.BadRequest('h, w: the terminal size of a container cannot '
                            'be changed: Nova has no console resize')


def not_implemented(req, ident):
    raise errors.NotImplementedVerb(
        '%s: %s' % (req.verb.name, req.verb.not_implemented))


def _check_int(field, value):
    """A whole-number query parameter (digits only), or None if absent."""
    if value is None:
        return None
    digits = value[1:] if value.startswith('-') else value
    # Digits only: int() would also take "+", spaces and "_".
    if not (digits.isascii() and digits.isdigit()):
        raise errors.BadRequest('%s: must be a whole number' % field)
    if value.startswith('-'):
        raise errors.BadRequest('%s: must not be negative' % field)
    if len(value) > len(str(MAX_INT)) or int(value) > MAX_INT:
        raise errors.BadRequest('%s: must be at most %d' % (field, MAX_INT))
    return int(value)
