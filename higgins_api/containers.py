"""Handlers of /v1/containers: each verb checks the container's state,
then asks Nova to do the work (translate.py owns the field mapping).

The router hands every handler its row of the verb table as ``req.verb``:
the policy rule, the statuses the verb is allowed from and the Nova action
come from there (:mod:`higgins_api.verbs`), not from the handler.
"""
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
    policy.authorize(req)
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
    flavor, server_body, created = _create_server(
        req, body, translate.server_request(name, image_id, None, metadata),
        memory)
    LOG.info('Container %s requested as server %s with flavor %s',
             name, created['id'], flavor['name'])
    # What Nova was just asked for is what the container is: no need to
    # read it back.
    view = _view(req, translate.requested_server(
        created['id'], server_body['server'], flavor, req.caller))
    location = '%s/v1/containers/%s' % (req.host_url, created['id'])
    return 202, view, {'Location': location}


def _create_server(req, body, server_body, memory):
    """Ask Nova for the server with the smallest flavor that fits.

    Returns the flavor, the request body and the created server.
    """
    if body.get('availability_zone'):
        server_body['server']['availability_zone'] = body['availability_zone']
    image_id = server_body['server']['imageRef']
    for fresh in (False, True):
        flavor = translate.pick_flavor(req.flavors.get(req, fresh=fresh),
                                       cpu=body.get('cpu'), memory=memory)
        server_body['server']['flavorRef'] = flavor['id']
        try:
            return flavor, server_body, req.nova.create_server(server_body)
        except errors.BadRequest:
            # Nova refuses a missing image and a missing flavor alike (400):
            # ask it which one is gone rather than read its message.
            if not req.nova.image_exists(image_id):
                raise errors.BadRequest('image: %s not found' % body['image'])
            if fresh or req.nova.flavor_exists(flavor['id']):
                raise
            # The cached flavor was deleted meanwhile: ask Nova again.


def list_(req):
    all_projects = strutils.bool_from_string(
        req.params.get('all_projects', 'false'))
    policy.authorize(req, req.verb.all_projects_rule if all_projects
                     else req.verb.rule)
    limit = min(_check_int('limit', req.params.get('limit')) or
                req.conf.api.max_limit, req.conf.api.max_limit)
    servers = req.nova.servers(all_projects=all_projects, limit=limit,
                               marker=req.params.get('marker'))
    return 200, {'containers': [_view(req, s) for s in servers]}


# One container.
def show(req, ident):
    policy.authorize(req)
    return 200, _view(req, find_server(req, ident))


def patch(req, ident):
    policy.authorize(req)
    body = schemas.validate(schemas.PATCH, req.json_body_or_empty())
    server = find_server(req, ident)
    return 200, _view(req, req.nova.update_server(server['id'], body))


def rename(req, ident):
    policy.authorize(req)
    name = req.params.get('name')
    if not name:
        raise errors.BadRequest('name: is required')
    schemas.validate(schemas.PATCH, {'name': name})
    server = find_server(req, ident)
    return 200, _view(req, req.nova.update_server(server['id'],
                                                  {'name': name}))


def delete(req, ident):
    policy.authorize(req)
    force = strutils.bool_from_string(req.params.get('force', 'false'))
    stop = strutils.bool_from_string(req.params.get('stop', 'false'))
    server = find_server(req, ident)
    check_state(req, server, forced=force or stop)
    # Nova stops a server as part of deleting it: `stop` needs no extra call.
    req.nova.delete_server(server['id'])
    return 204, None


def server_action(req, ident):
    """A verb that is one Nova server action without a result."""
    policy.authorize(req)
    server = find_server(req, ident)
    check_state(req, server)
    req.nova.action(server['id'], req.verb.nova_action, req.verb.nova_args)
    return 202, None


def stop(req, ident):
    # Nova's stop takes no timeout: the host's graceful-stop timeout applies.
    _check_int('timeout', req.params.get('timeout'))
    return server_action(req, ident)


def kill(req, ident):
    name = (req.params.get('signal') or 'SIGKILL').upper()
    if name not in KILL_SIGNALS:
        raise errors.BadRequest(
            'signal: Nova can only stop a container (SIGTERM, then SIGKILL '
            'after the grace period); use SIGKILL or SIGTERM')
    return server_action(req, ident)


def logs(req, ident):
    policy.authorize(req)
    tail = req.params.get('tail', 'all')
    lines = None if tail == 'all' else _check_int('tail', tail)
    if strutils.bool_from_string(req.params.get('timestamps', 'false')):
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


def commit(req, ident):
    policy.authorize(req)
    repository = req.params.get('repository')
    if not repository:
        raise errors.BadRequest('repository: is required')
    tag = req.params.get('tag') or 'latest'
    server = find_server(req, ident)
    check_state(req, server)
    result = req.nova.action(server['id'], req.verb.nova_action,
                             {'name': '%s:%s' % (repository, tag)})
    return 202, {'uuid': result['image_id']}


def not_implemented(req, ident):
    raise errors.NotImplementedVerb(
        '%s: %s' % (req.verb.name, req.verb.not_implemented))


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
