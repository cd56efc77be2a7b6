"""Handlers of /v1/containers: each verb checks the container's state,
then asks Nova to do the work (translate.py owns the field mapping)."""
import re
import threading
import time

from oslo_log import log as logging
from oslo_utils import strutils
from oslo_utils import uuidutils

from higgins_api import errors
from higgins_api import policy
from higgins_api import schemas
from higgins_api import translate

LOG = logging.getLogger(__name__)

# Signals Nova can deliver: it can only stop a server, which sends SIGTERM
# and, after the host's grace period, SIGKILL.
KILL_SIGNALS = {'SIGKILL', 'KILL', '9', 'SIGTERM', 'TERM', '15'}

NOT_IMPLEMENTED = {
    'execute': 'Nova has no way to run a process in a server',
    'execute_resize': 'Nova has no way to run a process in a server',
    'attach': 'Nova has no interactive attach for a server',
    'resize': 'Nova has no interactive attach for a server',
    'top': 'Nova does not list a server\'s processes',
    'stats': 'Nova does not report a server\'s live resource usage',
    'get_archive': 'Nova has no file transfer into or out of a server',
    'put_archive': 'Nova has no file transfer into or out of a server',
    'network_attach': 'containers get Neutron ports in a later release',
    'network_detach': 'containers get Neutron ports in a later release',
    'network_list': 'containers get Neutron ports in a later release',
    'rebuild': 'not yet offered by the facade; use Nova\'s rebuild',
}


def _require(container_status, allowed, verb):
    if container_status not in allowed:
        raise errors.Conflict(
            'cannot %s a container in status %s' % (verb, container_status))


def find_server(req, ident):
    """The caller's server for a container uuid or unique name."""
    if uuidutils.is_uuid_like(ident):
        return req.nova.server(ident)
    matches = [s for s in req.nova.servers(name='^%s$' % re.escape(ident))
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


def _view(req, server):
    return translate.container_view(server, req.host_url)


# Collection.
def create(req):
    policy.authorize('container:create', req.caller)
    body = schemas.validate(schemas.CREATE, req.json_body_or_empty())
    translate.refuse_unsupported(body)
    if not strutils.bool_from_string(req.params.get('run', 'false')):
        raise errors.BadRequest(
            'run: Higgins starts a container when it creates it; '
            'create with run=true')
    metadata = translate.server_metadata(body)
    image_id = req.nova.image_id(body['image'])
    memory = translate.memory_mib(body.get('memory'))
    name = body.get('name') or 'higgins-%s' % uuidutils.generate_uuid()[:8]
    for fresh in (False, True):
        flavor = translate.pick_flavor(req.flavors.get(req, fresh=fresh),
                                       cpu=body.get('cpu'), memory=memory)
        server_body = translate.server_request(name, image_id, flavor['id'],
                                               metadata)
        if body.get('availability_zone'):
            server_body['server']['availability_zone'] = (
                body['availability_zone'])
        try:
            created = req.nova.create_server(server_body)
            break
        except errors.BadRequest as exc:
            missing = 'not be found' in exc.detail or 'not find' in exc.detail
            if missing and exc.detail.startswith('Flavor') and not fresh:
                continue  # deleted since it was cached: ask Nova again
            if missing and 'image' in exc.detail.lower():
                raise errors.BadRequest('image: %s not found' % body['image'])
            raise
    LOG.info('Container %s requested as server %s with flavor %s',
             name, created['id'], flavor['name'])
    # What Nova was just asked for is what the container is: no need to
    # read it back.
    view = _view(req, translate.requested_server(
        created['id'], server_body['server'], flavor, req.caller))
    location = '%s/v1/containers/%s' % (req.host_url, created['id'])
    return 202, view, {'Location': location}


def list_(req):
    all_projects = strutils.bool_from_string(
        req.params.get('all_projects', 'false'))
    policy.authorize('container:get_all_all_projects' if all_projects
                     else 'container:get_all', req.caller)
    limit = min(_check_int('limit', req.params.get('limit')) or
                req.conf.api.max_limit, req.conf.api.max_limit)
    servers = req.nova.servers(all_projects=all_projects, limit=limit,
                               marker=req.params.get('marker'))
    return 200, {'containers': [_view(req, s) for s in servers]}


# One container.
def show(req, ident):
    policy.authorize('container:get_one', req.caller)
    return 200, _view(req, find_server(req, ident))


def patch(req, ident):
    policy.authorize('container:update', req.caller)
    body = schemas.validate(schemas.PATCH, req.json_body_or_empty())
    server = find_server(req, ident)
    return 200, _view(req, req.nova.update_server(server['id'], body))


def rename(req, ident):
    policy.authorize('container:update', req.caller)
    name = req.params.get('name')
    if not name:
        raise errors.BadRequest('name: is required')
    schemas.validate(schemas.PATCH, {'name': name})
    server = find_server(req, ident)
    return 200, _view(req, req.nova.update_server(server['id'],
                                                  {'name': name}))


def delete(req, ident):
    policy.authorize('container:delete', req.caller)
    force = strutils.bool_from_string(req.params.get('force', 'false'))
    stop = strutils.bool_from_string(req.params.get('stop', 'false'))
    server = find_server(req, ident)
    status = translate.status_of(server)
    if status in ('Running', 'Paused', 'Restarting') and not (force or stop):
        raise errors.Conflict(
            'container %s is %s: stop it first, or delete with force=true '
            'or stop=true' % (ident, status))
    if status == 'Deleting':
        raise errors.Conflict('container %s is being deleted' % ident)
    # Nova stops a server as part of deleting it: `stop` needs no extra call.
    req.nova.delete_server(server['id'])
    return 204, None


def _simple_action(rule, verb, allowed, nova_action, args=None):
    def handler(req, ident):
        policy.authorize(rule, req.caller)
        server = find_server(req, ident)
        _require(translate.status_of(server), allowed, verb)
        req.nova.action(server['id'], nova_action, args)
        return 202, None
    handler.__name__ = verb
    return handler


start = _simple_action('container:start', 'start', ('Stopped',), 'os-start')
pause = _simple_action('container:pause', 'pause', ('Running',), 'pause')
unpause = _simple_action('container:unpause', 'unpause', ('Paused',),
                         'unpause')
reboot = _simple_action('container:reboot', 'reboot', ('Running',), 'reboot',
                        {'type': 'SOFT'})


def stop(req, ident):
    # Nova's stop takes no timeout: the host's graceful-stop timeout applies.
    _check_int('timeout', req.params.get('timeout'))
    return _simple_action('container:stop', 'stop', ('Running', 'Paused'),
                          'os-stop')(req, ident)


def kill(req, ident):
    name = (req.params.get('signal') or 'SIGKILL').upper()
    if name not in KILL_SIGNALS:
        raise errors.BadRequest(
            'signal: Nova can only stop a container (SIGTERM, then SIGKILL '
            'after the grace period); use SIGKILL or SIGTERM')
    return _simple_action('container:kill', 'kill', ('Running', 'Paused'),
                          'os-stop')(req, ident)


def logs(req, ident):
    policy.authorize('container:logs', req.caller)
    tail = req.params.get('tail', 'all')
    lines = None if tail == 'all' else _check_int('tail', tail)
    if strutils.bool_from_string(req.params.get('timestamps', 'false')):
        raise errors.BadRequest('timestamps: Nova\'s console output has no '
                                'timestamps')
    server = find_server(req, ident)
    _require(translate.status_of(server),
             ('Running', 'Stopped', 'Paused', 'Error'), 'read the logs of')
    # Nova cuts the output at newlines, counting the empty piece after a
    # final newline as a line: ask for one more, then keep whole lines.
    args = {'length': lines + 1} if lines is not None else {}
    output = req.nova.action(server['id'], 'os-getConsoleOutput', args)
    text = (output or {}).get('output') or ''
    if lines is not None:
        text = ''.join(text.splitlines(keepends=True)[-lines:]
                       if lines else [])
    return 200, text


def commit(req, ident):
    policy.authorize('container:commit', req.caller)
    repository = req.params.get('repository')
    if not repository:
        raise errors.BadRequest('repository: is required')
    tag = req.params.get('tag') or 'latest'
    server = find_server(req, ident)
    _require(translate.status_of(server), ('Running', 'Stopped', 'Paused'),
             'commit')
    result = req.nova.action(server['id'], 'createImage',
                             {'name': '%s:%s' % (repository, tag)})
    return 202, {'uuid': result['image_id']}


def not_implemented(verb):
    def handler(req, ident):
        raise errors.NotImplementedVerb(
            '%s: %s' % (verb, NOT_IMPLEMENTED[verb]))
    handler.__name__ = verb
    return handler


def _check_int(field, value):
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise errors.BadRequest('%s: must be a whole number' % field)
    if number < 0:
        raise errors.BadRequest('%s: must not be negative' % field)
    return number
