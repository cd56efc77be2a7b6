"""The facade's WSGI application: routes built from the verb table
(:mod:`higgins_api.verbs`), microversion negotiation, the caller's identity,
and JSON in and out."""
import dataclasses
import json
import re
from urllib import parse

from oslo_log import log as logging
from oslo_utils import uuidutils
import webob
import webob.dec
from webob import multidict

from higgins_api import actions
from higgins_api import containers
from higgins_api import errors
from higgins_api import glance
from higgins_api import hosts
from higgins_api import interfaces
from higgins_api import neutron
from higgins_api import nova
from higgins_api import policy
from higgins_api import verbs

LOG = logging.getLogger(__name__)

MIN_VERSION = (1, 1)
# python-zunclient 5.x asks for up to 1.40.
MAX_VERSION = (1, 40)
VERSION_HEADER = 'OpenStack-API-Version'
SERVICE_TYPE = 'container'

REQUEST_ID_HEADER = 'X-OpenStack-Request-Id'
_PARAMETER = re.compile(r'\\\{(\w+)\\\}')
#: Answered without a token, as Zun answers them.
PUBLIC_PATHS = ('', '/', '/v1', '/v1/')
_HANDLERS = (containers, interfaces, actions, hosts)


def _handler(name):
    for module in _HANDLERS:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError('no handler %s' % name)


def _route(verb):
    """(verb, compiled path, handler) for a row of the verb table.

    The first path parameter reaches the handler as ``ident``, any other
    by its own name.
    """
    names = iter(('ident',))

    def group(match):
        return '(?P<%s>[^/]+)' % next(names, match.group(1))

    pattern = _PARAMETER.sub(group, re.escape(verb.path))
    return verb, re.compile('^%s/?$' % pattern), _handler(verb.handler)


# Built at import, so a row naming a missing handler fails at once.
ROUTES = [_route(verb) for verb in verbs.ALL]


@dataclasses.dataclass(frozen=True)
class Caller:
    user_id: str
    project_id: str
    roles: tuple


class Request(webob.Request):
    """A request with its caller, their Nova, configuration and verb."""
    conf = None
    caller = None
    nova = None
    glance = None
    neutron = None
    flavors = None
    enforcer = None
    verb = None
    #: The microversion negotiated for the request, as (major, minor).
    version = MIN_VERSION

    @property
    def GET(self):
        """The query's parameters, in UTF-8, split at "&" only.

        As HTML forms and Python's own parser split them; WebOb also
        splits at ";", which would turn part of a value into a parameter.
        """
        try:
            pairs = parse.parse_qsl(self.environ.get('QUERY_STRING', ''),
                                    keep_blank_values=True,
                                    errors='strict')
        except UnicodeDecodeError:
            raise errors.BadRequest('the query string is not UTF-8')
        return multidict.MultiDict(pairs)

    def json_body_or_empty(self):
        """The JSON object of the body; only verbs that take one call it."""
        if not self.body:
            return {}
        kind = (self.content_type or '').lower()
        if kind and kind != 'application/json' and not kind.endswith(
                '+json'):
            raise errors.BadRequest('the request body must be '
                                    'application/json, not %s' % kind)
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise errors.BadRequest('the request body is not valid JSON')


def _version_string(version):
    return '%d.%d' % version


def versions_document(host_url):
    return {'versions': [{
        'id': 'v1', 'status': 'CURRENT',
        'min_version': _version_string(MIN_VERSION),
        'max_version': _version_string(MAX_VERSION),
        'links': [{'href': '%s/v1/' % host_url, 'rel': 'self'}],
    }]}


def requested_version(req):
    header = req.headers.get(VERSION_HEADER, '')
    text = header.partition(SERVICE_TYPE)[2].strip() if header.strip(
        ).startswith(SERVICE_TYPE) else ''
    if not text:
        return MIN_VERSION
    if text == 'latest':
        return MAX_VERSION
    match = re.match(r'^(\d+)\.(\d+)$', text)
    if not match:
        raise errors.BadRequest('%s: %r is not a version like 1.2'
                                % (VERSION_HEADER, text))
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise errors.NotAcceptable(
            'version %s is not supported: use %s to %s' % (
                text, _version_string(MIN_VERSION),
                _version_string(MAX_VERSION)))
    return version


class Application:
    def __init__(self, conf, nova_factory=nova.Nova,
                 glance_factory=glance.Glance,
                 neutron_factory=neutron.Neutron):
        self.conf = conf
        self.flavors = containers.FlavorCache()
        self.enforcer = policy.enforcer(conf)
        # Called as nova_factory(conf, auth=…, identity_headers=…): tests
        # pass an in-memory Nova (and Glance, Neutron) here.
        self.nova_factory = nova_factory
        self.glance_factory = glance_factory
        self.neutron_factory = neutron_factory

    def _caller(self, req):
        environ = req.environ
        if self.conf.api.auth_strategy == 'keystone':
            # keystonemiddleware has validated the token and set these.
            if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
                raise errors.Unauthorized('a valid token is required')
            auth = environ.get('keystone.token_auth')
            headers = {}
        else:
            auth = None
            headers = None
        user = req.headers.get('X-User-Id')
        project = req.headers.get('X-Project-Id')
        roles = tuple(r.strip() for r in req.headers.get(
            'X-Roles', '').split(',') if r.strip())
        if not (user and project):
            raise errors.Unauthorized('the caller is not identified')
        if headers is None:
            # Development mode: Nova trusts the same identity headers.
            headers = {'X-Auth-User': user, 'X-User-Id': user,
                       'X-Auth-Project-Id': project, 'X-Project-Id': project,
                       'X-Roles': ','.join(roles)}
        caller = Caller(user, project, roles)
        req.glance = self.glance_factory(self.conf, auth=auth,
                                         identity_headers=headers)
        req.neutron = self.neutron_factory(self.conf, auth=auth,
                                           identity_headers=headers)
        return caller, self.nova_factory(self.conf, auth=auth,
                                         identity_headers=headers)

    def _route(self, req):
        try:
            path = req.path_info
        except UnicodeDecodeError:
            raise errors.NotFound('no resource at this path')
        if path in PUBLIC_PATHS:
            if req.method not in ('GET', 'HEAD'):
                raise errors.MethodNotAllowed(
                    '%s is not allowed on %s' % (req.method, path),
                    allow=('GET',))
            if path in ('', '/'):
                return 200, versions_document(req.host_url)
            document = versions_document(req.host_url)['versions'][0]
            return 200, {'version': document}
        allow = []
        for verb, pattern, handler in ROUTES:
            match = pattern.match(path)
            if not match:
                continue
            allow.append(verb.method)
            if verb.method == req.method:
                _check_version(req, verb)
                req.verb = verb
                req.caller, req.nova = self._caller(req)
                return handler(req, **match.groupdict())
        if allow:
            raise errors.MethodNotAllowed('%s is not allowed on %s'
                                          % (req.method, path),
                                          allow=allow)
        raise errors.NotFound('no resource at %s' % path)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        req.conf = self.conf
        req.flavors = self.flavors
        req.enforcer = self.enforcer
        request_id = req.environ.get('openstack.request_id') or (
            'req-%s' % uuidutils.generate_uuid())
        req.environ['openstack.request_id'] = request_id
        try:
            version = req.version = requested_version(req)
            result = self._route(req)
        except errors.APIError as exc:
            LOG.info('%s %r: %s %s', req.method, _raw_path(req), exc.status,
                     exc.detail)
            return _with_request_id(exc.response(request_id), request_id)
        except Exception:
            LOG.exception('Unexpected error on %s %r', req.method,
                          _raw_path(req))
            return _with_request_id(errors.APIError().response(request_id),
                                    request_id)
        status, body = result[0], result[1]
        headers = result[2] if len(result) > 2 else {}
        request_id = _action_request_id(req, status, request_id)
        response = _with_request_id(
            webob.Response(status=status, headers=headers), request_id)
        response.headers[VERSION_HEADER] = '%s %s' % (
            SERVICE_TYPE, _version_string(version))
        response.headers['Vary'] = VERSION_HEADER
        if body is not None:
            response.content_type = 'application/json'
            response.charset = 'utf-8'
            response.body = json.dumps(body).encode()
        return response


def _action_request_id(req, status, request_id):
    """The request id to answer: Nova's, when Nova recorded an action.

    A container action is the server's instance action, which Nova names
    by its own request id: a client that reads the id of its start or
    rebuild finds the action under it (…/container_actions/<id>).
    """
    nova_id = getattr(req.nova, 'action_request_id', None)
    if status != 202 or not nova_id:
        return request_id
    LOG.info('Request %s is Nova\'s %s', request_id, nova_id)
    return nova_id


def _check_version(req, verb):
    if verb.min_version and req.version < verb.min_version:
        raise errors.NotAcceptable(
            '%s needs version %s or later' % (
                verb.name, _version_string(verb.min_version)))


def _raw_path(req):
    # Undecoded: a path that is not UTF-8 must not fail the logging.
    return req.environ.get('PATH_INFO', '')


def _with_request_id(response, request_id):
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


class PublicPaths:
    """Version documents without a token, the rest through the middleware.

    keystonemiddleware only records whether the token is valid (its delayed
    decision): the application answers a missing or bad one with its own
    401, in the documented error format.
    """

    def __init__(self, application, authenticated):
        self.application = application
        self.authenticated = authenticated

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '') in PUBLIC_PATHS:
            return self.application(environ, start_response)
        return self.authenticated(environ, start_response)


def build(conf, nova_factory=nova.Nova, glance_factory=glance.Glance,
          neutron_factory=neutron.Neutron):
    """The application with its middleware for ``conf``."""
    application = Application(conf, nova_factory, glance_factory,
                              neutron_factory)
    if conf.api.auth_strategy == 'keystone':
        from keystonemiddleware import auth_token
        return PublicPaths(application, auth_token.AuthProtocol(
            application, {'delay_auth_decision': 'true'}))
    return application
