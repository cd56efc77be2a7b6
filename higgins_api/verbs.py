"""The facade's verbs as data: the one table routes, policy and states read.

Each verb of ``/v1/containers`` is one row: its method and path, the
handler in :mod:`higgins_api.containers`, the policy rule guarding it (name,
default check string, description), the Zun statuses it may be used from
(Zun keeps the same fact as ``VALID_STATES``), the Nova server action it
becomes, and, for verbs Higgins does not carry, why not. ``app`` builds its
routes from the table, ``policy`` its defaults, ``containers`` its state
checks, and the tests compare ``openapi.yaml`` against it. This module
imports nothing of the facade, so any of them can read it.
"""
import dataclasses
import typing

COLLECTION = '/v1/containers'
#: Path parameter naming one container (uuid or unique name).
IDENT = 'container_ident'
CONTAINER = '%s/{%s}' % (COLLECTION, IDENT)
#: Path parameter naming one action of a container (its request id).
REQUEST_IDENT = 'request_ident'
HOSTS = '/v1/hosts'
#: Path parameter naming one compute host (its hypervisor's uuid).
HOST_IDENT = 'host_ident'
HOST = '%s/{%s}' % (HOSTS, HOST_IDENT)

# Default check strings: reading needs `reader` in the project, changing
# needs `member`; every project at once needs `admin`.
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
ADMIN = 'role:admin'

# Zun's status names (translate.status_of gives them to Nova's servers).
CREATING = 'Creating'
CREATED = 'Created'
RUNNING = 'Running'
STOPPED = 'Stopped'
PAUSED = 'Paused'
RESTARTING = 'Restarting'
REBUILDING = 'Rebuilding'
DELETING = 'Deleting'
DELETED = 'Deleted'
ERROR = 'Error'
UNKNOWN = 'Unknown'
STATUSES = (CREATING, CREATED, RUNNING, STOPPED, PAUSED, RESTARTING,
            REBUILDING, DELETING, DELETED, ERROR, UNKNOWN)


@dataclasses.dataclass(frozen=True)
class Rule:
    """An oslo.policy rule with its default."""
    name: str
    check: str
    description: str


@dataclasses.dataclass(frozen=True)
class Verb:
    """One verb of the API; ``allowed`` None means any status."""
    name: str
    method: str
    path: str
    handler: str = 'not_implemented'
    rule: typing.Optional[Rule] = None
    # Listing every project is the same route under a stricter rule.
    all_projects_rule: typing.Optional[Rule] = None
    allowed: typing.Optional[frozenset] = None
    # Statuses allowed only when the caller forces the verb (delete), and
    # the parameters that force it.
    allowed_forced: typing.Optional[frozenset] = None
    forced_by: str = ''
    nova_action: typing.Optional[str] = None
    nova_args: typing.Optional[dict] = None
    #: Whether the handler reads a JSON body (others never parse one).
    takes_body: bool = False
    # How a conflict names the verb: "cannot <words> a container …".
    words: str = ''
    not_implemented: typing.Optional[str] = None
    #: The status of a successful answer.
    success: int = 202
    #: The oldest microversion that has the verb (Zun's), else any.
    min_version: typing.Optional[tuple] = None

    @property
    def phrase(self):
        return self.words or self.name


def _states(*names):
    return frozenset(names)


CREATE = Rule('container:create', PROJECT_MEMBER,
              'Create (and run) a container.')
GET_ALL = Rule('container:get_all', PROJECT_READER,
               'List the project\'s containers.')
GET_ALL_ALL_PROJECTS = Rule('container:get_all_all_projects', ADMIN,
                            'List containers of every project.')
GET_ONE = Rule('container:get_one', PROJECT_READER, 'Show a container.')
UPDATE = Rule('container:update', PROJECT_MEMBER,
              'Rename or update a container.')
DELETE = Rule('container:delete', PROJECT_MEMBER, 'Delete a container.')
START = Rule('container:start', PROJECT_MEMBER, 'Start a container.')
STOP = Rule('container:stop', PROJECT_MEMBER, 'Stop a container.')
REBOOT = Rule('container:reboot', PROJECT_MEMBER, 'Restart a container.')
PAUSE = Rule('container:pause', PROJECT_MEMBER, 'Pause a container.')
UNPAUSE = Rule('container:unpause', PROJECT_MEMBER, 'Unpause a container.')
KILL = Rule('container:kill', PROJECT_MEMBER, 'Kill a container.')
LOGS = Rule('container:logs', PROJECT_READER, 'Read a container\'s output.')
COMMIT = Rule('container:commit', PROJECT_MEMBER,
              'Save a container as a Glance image.')
ATTACH = Rule('container:attach', PROJECT_MEMBER,
              'Get the websocket URL of a container\'s console.')
RESIZE = Rule('container:resize', PROJECT_MEMBER,
              'Resize a container\'s terminal.')
STATS = Rule('container:stats', PROJECT_READER,
             'Show a container\'s resource use (Nova\'s server diagnostics, '
             'which Nova\'s own policy must also allow).')
REBUILD = Rule('container:rebuild', PROJECT_MEMBER,
               'Recreate a container from its image (or another).')
CREATE_ON_HOST = Rule('container:create:requested_destination', ADMIN,
                      'Create a container on a named compute host.')
NETWORK_ATTACH = Rule('container:network_attach', PROJECT_MEMBER,
                      'Attach a network or a port to a container.')
NETWORK_DETACH = Rule('container:network_detach', PROJECT_MEMBER,
                      'Detach a network or a port from a container.')
NETWORK_LIST = Rule('container:network_list', PROJECT_READER,
                    'List the networks and ports of a container.')
ACTIONS = Rule('container:actions', PROJECT_READER,
               'List a container\'s actions and show one with its events '
               '(Nova\'s instance actions of the server).')
HOST_GET_ALL = Rule('host:get_all', ADMIN, 'List the compute hosts.')
HOST_GET = Rule('host:get', ADMIN, 'Show a compute host.')

#: Every rule, in the order the policy sample lists them.
RULES = (CREATE, CREATE_ON_HOST, GET_ALL, GET_ALL_ALL_PROJECTS, GET_ONE,
         UPDATE, DELETE, START, STOP, REBOOT, PAUSE, UNPAUSE, KILL, LOGS,
         STATS, COMMIT, REBUILD, ATTACH, RESIZE, NETWORK_ATTACH,
         NETWORK_DETACH, NETWORK_LIST, ACTIONS, HOST_GET_ALL, HOST_GET)

_ACTIVE = (RUNNING, PAUSED, RESTARTING)

VERBS = (
    Verb('list', 'GET', COLLECTION, 'list_', GET_ALL,
         all_projects_rule=GET_ALL_ALL_PROJECTS, success=200),
    Verb('create', 'POST', COLLECTION, 'create', CREATE, takes_body=True),
    Verb('show', 'GET', CONTAINER, 'show', GET_ONE, success=200),
    Verb('update', 'PATCH', CONTAINER, 'patch', UPDATE, takes_body=True,
         success=200),
    # Nova stops a server as part of deleting it, so a running container
    # may go when the caller says so (force or stop).
    Verb('delete', 'DELETE', CONTAINER, 'delete', DELETE,
         allowed=frozenset(STATUSES) - _states(DELETING, *_ACTIVE),
         allowed_forced=frozenset(STATUSES) - _states(DELETING),
         forced_by='force=true or stop=true', success=204),
    Verb('start', 'POST', CONTAINER + '/start', 'server_action', START,
         allowed=_states(STOPPED, CREATED), nova_action='os-start'),
    Verb('stop', 'POST', CONTAINER + '/stop', 'stop', STOP,
         allowed=_states(RUNNING, PAUSED), nova_action='os-stop'),
    # Stop and reboot check Zun's timeout (handler stop), which Nova
    # cannot take.
    Verb('reboot', 'POST', CONTAINER + '/reboot', 'stop', REBOOT,
         allowed=_states(RUNNING), nova_action='reboot',
         nova_args={'type': 'SOFT'}),
    Verb('pause', 'POST', CONTAINER + '/pause', 'server_action', PAUSE,
         allowed=_states(RUNNING), nova_action='pause'),
    Verb('unpause', 'POST', CONTAINER + '/unpause', 'server_action', UNPAUSE,
         allowed=_states(PAUSED), nova_action='unpause'),
    # Nova can only stop a server: SIGTERM, then SIGKILL after a grace.
    Verb('kill', 'POST', CONTAINER + '/kill', 'kill', KILL,
         allowed=_states(RUNNING, PAUSED), nova_action='os-stop'),
    Verb('logs', 'GET', CONTAINER + '/logs', 'logs', LOGS,
         allowed=_states(RUNNING, STOPPED, CREATED, PAUSED, ERROR),
         nova_action='os-getConsoleOutput', words='read the logs of',
         success=200),
    # Nova reports diagnostics of running servers only (409 otherwise).
    Verb('stats', 'GET', CONTAINER + '/stats', 'stats', STATS,
         allowed=_states(RUNNING), nova_action='diagnostics',
         words='read the stats of', success=200),
    Verb('commit', 'POST', CONTAINER + '/commit', 'commit', COMMIT,
         allowed=_states(RUNNING, STOPPED, CREATED, PAUSED),
         nova_action='createImage'),
    Verb('rename', 'POST', CONTAINER + '/rename', 'rename', UPDATE,
         success=200),
    # Nova rebuilds ACTIVE, SHUTOFF and ERROR servers.
    Verb('rebuild', 'POST', CONTAINER + '/rebuild', 'rebuild', REBUILD,
         allowed=_states(RUNNING, STOPPED, CREATED, ERROR),
         nova_action='rebuild', takes_body=True),
    # Nova's serial console of the server, through nova-serialproxy.
    Verb('attach', 'GET', CONTAINER + '/attach', 'attach', ATTACH,
         allowed=_states(RUNNING), words='attach to', success=200),
    # Nova carries no terminal size: the handler says so (400), which
    # Zun's client, resizing right after it attaches, passes over.
    Verb('resize', 'POST', CONTAINER + '/resize', 'resize', RESIZE,
         allowed=_states(RUNNING), words='resize the terminal of',
         success=200),
    # Nova changes a server's ports when it is ACTIVE, PAUSED or SHUTOFF.
    Verb('network_attach', 'POST', CONTAINER + '/network_attach',
         'network_attach', NETWORK_ATTACH,
         allowed=_states(RUNNING, PAUSED, STOPPED, CREATED),
         takes_body=True, words='attach a network to',
         min_version=(1, 8)),
    Verb('network_detach', 'POST', CONTAINER + '/network_detach',
         'network_detach', NETWORK_DETACH,
         allowed=_states(RUNNING, PAUSED, STOPPED, CREATED),
         takes_body=True, words='detach a network from',
         min_version=(1, 6)),
    Verb('network_list', 'GET', CONTAINER + '/network_list', 'network_list',
         NETWORK_LIST, success=200, min_version=(1, 13)),
    # A container's actions are its server's instance actions, named by
    # Nova's request ids (the facade answers an action verb with Nova's).
    Verb('actions', 'GET', CONTAINER + '/container_actions', 'actions',
         ACTIONS, success=200),
    Verb('action', 'GET',
         CONTAINER + '/container_actions/{%s}' % REQUEST_IDENT,
         'action', ACTIONS, success=200),
    Verb('hosts', 'GET', HOSTS, 'hosts', HOST_GET_ALL, success=200),
    Verb('host', 'GET', HOST, 'host', HOST_GET, success=200),
)

_NO_EXEC = 'Nova has no way to run a process in a server'
_NO_FILES = 'Nova has no file transfer into or out of a server'

#: Zun verbs Higgins does not carry, and why (each answers 501).
NOT_IMPLEMENTED = tuple(
    Verb(name, method, '%s/%s' % (CONTAINER, name), not_implemented=why,
         success=501)
    for method, name, why in (
        ('POST', 'execute', _NO_EXEC),
        ('POST', 'execute_resize', _NO_EXEC),
        ('GET', 'top', 'Nova does not list a server\'s processes'),
        ('GET', 'get_archive', _NO_FILES),
        ('POST', 'put_archive', _NO_FILES),
    ))

#: Every routed verb.
ALL = VERBS + NOT_IMPLEMENTED


#: Rules that guard a field of a verb rather than a verb.
FIELD_RULES = {CREATE_ON_HOST: ('POST', COLLECTION)}


def rule_operations(rule):
    """The (method, path) pairs a rule guards, for the policy document."""
    operations = [FIELD_RULES[rule]] if rule in FIELD_RULES else []
    for verb in ALL:
        if verb.rule is rule:
            operations.append((verb.method, verb.path))
        if verb.all_projects_rule is rule:
            operations.append((verb.method, verb.path + '?all_projects=1'))
    return operations


def answers(verb):
    """Every HTTP status ``verb`` can answer, as openapi.yaml declares them.

    Any request can carry a malformed microversion (400) or one out of
    range (406) and lack a token (401). Carried verbs add policy and quota
    (403) and Nova failing (502); verbs on one resource add 404, and on one
    container 409: its status, or a name several containers share. Create
    answers 404 for a network or port the caller cannot see, and list for
    a marker naming no container, as Zun does.
    """
    statuses = {verb.success, 400, 401, 406}
    if verb.not_implemented:
        return statuses
    statuses |= {403, 502}
    if '{' in verb.path or verb.name in ('create', 'list'):
        statuses.add(404)
    if verb.path.startswith(CONTAINER) or verb.name == 'create':
        statuses.add(409)
    return statuses
