"""Policy rules of the facade, in code (oslo.policy).

The facade's rules are a first gate; Nova still enforces its own policy on
every call made with the caller's token, so a rule here can only narrow
what Nova allows, never widen it.
"""
from oslo_config import cfg
from oslo_policy import policy

from higgins_api import errors

PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
ADMIN = 'role:admin'

_ACTIONS = [
    ('container:create', PROJECT_MEMBER, 'Create (and run) a container.',
     [('POST', '/v1/containers')]),
    ('container:get_all', PROJECT_READER, 'List the project\'s containers.',
     [('GET', '/v1/containers')]),
    ('container:get_all_all_projects', ADMIN,
     'List containers of every project.',
     [('GET', '/v1/containers?all_projects=1')]),
    ('container:get_one', PROJECT_READER, 'Show a container.',
     [('GET', '/v1/containers/{container_ident}')]),
    ('container:update', PROJECT_MEMBER, 'Rename or update a container.',
     [('PATCH', '/v1/containers/{container_ident}'),
      ('POST', '/v1/containers/{container_ident}/rename')]),
    ('container:delete', PROJECT_MEMBER, 'Delete a container.',
     [('DELETE', '/v1/containers/{container_ident}')]),
    ('container:start', PROJECT_MEMBER, 'Start a container.',
     [('POST', '/v1/containers/{container_ident}/start')]),
    ('container:stop', PROJECT_MEMBER, 'Stop a container.',
     [('POST', '/v1/containers/{container_ident}/stop')]),
    ('container:reboot', PROJECT_MEMBER, 'Restart a container.',
     [('POST', '/v1/containers/{container_ident}/reboot')]),
    ('container:pause', PROJECT_MEMBER, 'Pause a container.',
     [('POST', '/v1/containers/{container_ident}/pause')]),
    ('container:unpause', PROJECT_MEMBER, 'Unpause a container.',
     [('POST', '/v1/containers/{container_ident}/unpause')]),
    ('container:kill', PROJECT_MEMBER, 'Kill a container.',
     [('POST', '/v1/containers/{container_ident}/kill')]),
    ('container:logs', PROJECT_READER, 'Read a container\'s output.',
     [('GET', '/v1/containers/{container_ident}/logs')]),
    ('container:commit', PROJECT_MEMBER,
     'Save a container as a Glance image.',
     [('POST', '/v1/containers/{container_ident}/commit')]),
]


def list_rules():
    return [policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{'method': m, 'path': p} for m, p in operations],
        scope_types=['project'])
        for name, check, description, operations in _ACTIONS]


_enforcer = None


def enforcer():
    global _enforcer
    if _enforcer is None:
        _enforcer = policy.Enforcer(cfg.CONF)
        _enforcer.register_defaults(list_rules())
    return _enforcer


def authorize(rule, caller, target_project=None):
    creds = {'user_id': caller.user_id, 'project_id': caller.project_id,
             'roles': caller.roles}
    target = {'project_id': target_project or caller.project_id}
    if not enforcer().enforce(rule, target, creds):
        raise errors.Forbidden('policy does not allow %s' % rule)
