"""Policy rules of the facade, in code (oslo.policy).

The facade's rules are a first gate; Nova still enforces its own policy on
every call made with the caller's token, so a rule here can only narrow
what Nova allows, never widen it. The rules and their defaults are rows of
:mod:`higgins_api.verbs`.
"""
from oslo_config import cfg
from oslo_policy import policy

from higgins_api import errors
from higgins_api import verbs


def list_rules():
    """The defaults of every rule in the verb table.

    Each carries the routes it guards, read from the same table, so the
    sample and the routes cannot drift apart.
    """
    return [policy.DocumentedRuleDefault(
        name=rule.name, check_str=rule.check, description=rule.description,
        operations=[{'method': m, 'path': p}
                    for m, p in verbs.rule_operations(rule)],
        scope_types=['project'])
        for rule in verbs.RULES]


_enforcer = None


def enforcer():
    global _enforcer
    if _enforcer is None:
        _enforcer = policy.Enforcer(cfg.CONF)
        _enforcer.register_defaults(list_rules())
    return _enforcer


def authorize(rule, caller, target_project=None):
    """Raise Forbidden unless ``rule`` (a verbs.Rule) allows the caller."""
    creds = {'user_id': caller.user_id, 'project_id': caller.project_id,
             'roles': caller.roles}
    target = {'project_id': target_project or caller.project_id}
    if not enforcer().enforce(rule.name, target, creds):
        raise errors.Forbidden('policy does not allow %s' % rule.name)
