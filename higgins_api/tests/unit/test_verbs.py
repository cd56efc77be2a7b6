"""The verb table is whole: routes, policy rules and states agree."""
import unittest

from higgins_api import app
from higgins_api import policy
from higgins_api import verbs


def _routes():
    return {(verb.method, verb.path) for verb in verbs.ALL}


class PolicyMatchesRoutesTest(unittest.TestCase):

    def setUp(self):
        self.defaults = {rule.name: rule for rule in policy.list_rules()}

    def test_every_routed_verb_has_a_registered_rule(self):
        for verb in verbs.VERBS:
            self.assertIn(verb.rule.name, self.defaults, verb.name)
            default = self.defaults[verb.rule.name]
            self.assertEqual(verb.rule.check, default.check_str)
            self.assertIn({'method': verb.method, 'path': verb.path},
                          default.operations, verb.name)

    def test_every_rule_guards_routes_that_exist(self):
        for name, default in self.defaults.items():
            self.assertTrue(default.operations, name)
            for operation in default.operations:
                path = operation['path'].partition('?')[0]
                self.assertIn((operation['method'], path), _routes(), name)

    def test_rules_are_unique_and_all_registered(self):
        names = [rule.name for rule in verbs.RULES]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(set(names), set(self.defaults))


class TableTest(unittest.TestCase):

    def test_routes_are_unique(self):
        self.assertEqual(len(verbs.ALL), len(_routes()))

    def test_every_handler_exists(self):
        for verb in verbs.ALL:
            self.assertTrue(callable(app._handler(verb.handler)),
                            verb.handler)

    def test_carried_verbs_have_a_rule_and_the_rest_a_reason(self):
        for verb in verbs.VERBS:
            self.assertIsNotNone(verb.rule, verb.name)
            self.assertIsNone(verb.not_implemented, verb.name)
        for verb in verbs.NOT_IMPLEMENTED:
            self.assertIsNone(verb.rule, verb.name)
            self.assertTrue(verb.not_implemented, verb.name)
            self.assertEqual('not_implemented', verb.handler)

    def test_allowed_states_are_zun_status_names(self):
        for verb in verbs.ALL:
            for states in (verb.allowed, verb.allowed_forced):
                self.assertLessEqual(set(states or ()), set(verbs.STATUSES),
                                     verb.name)

    def test_server_actions_name_a_nova_action(self):
        for verb in verbs.VERBS:
            if verb.handler == 'server_action':
                self.assertTrue(verb.nova_action, verb.name)
