"""Policy rules of the facade, in code (oslo.policy).

The facade's rules are a first gate; Nova still enforces its own policy on
every call made with the caller's token, so a rule here can only narrow
what Nova allows, never widen it. The rules and their defaults are rows of
:mod:`higgins_api.verbs`.
"""
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


def enforcer(conf):
    """An enforcer of the rules' defaults and ``conf``'s policy file."""
    rules = policy.Enforcer(conf)
    rules.register_defaults(list_rules())
    return rules


def authorize(req, rule=None):
    """Raise Forbidden unless ``rule`` allows the request's caller.

    ``rule`` is a verbs.Rule, by default the rule of the request's verb.
    """
    rule = rule or req.verb.rule
    caller = req.caller
    creds = {'user_id': caller.user_id, 'project_id': caller.project_id,
             'roles': caller.roles}
    target = {'project_id': caller.project_id}
    if not req.enforcer.enforce(rule.name, target, creds):
        raise errors.Forbidden('policy does not allow %s' % rule.name)
