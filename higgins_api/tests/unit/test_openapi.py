"""higgins_api/openapi.yaml describes exactly the verb table's routes."""
import os
import unittest

from openapi_spec_validator import validate
import yaml

from higgins_api import app
from higgins_api import verbs

DOCUMENT = os.path.join(os.path.dirname(app.__file__), 'openapi.yaml')
# Served by the application itself, outside the verb table.
VERSION_ROUTES = {('get', '/'), ('get', '/v1')}


class OpenAPITest(unittest.TestCase):

    def setUp(self):
        with open(DOCUMENT) as f:
            self.document = yaml.safe_load(f)

    def operation(self, verb):
        return self.document['paths'][verb.path][verb.method.lower()]

    def test_document_is_valid_openapi(self):
        validate(self.document)

    def test_document_matches_the_verb_table(self):
        documented = {(method, path)
                      for path, operations in self.document['paths'].items()
                      for method in operations}
        table = {(verb.method.lower(), verb.path) for verb in verbs.ALL}
        self.assertEqual(VERSION_ROUTES | table, documented)

    def test_not_implemented_verbs_document_their_reason(self):
        for verb in verbs.NOT_IMPLEMENTED:
            operation = self.operation(verb)
            self.assertEqual('Not available: %s' % verb.not_implemented,
                             operation['summary'], verb.name)
            self.assertEqual({'501'}, set(operation['responses']), verb.name)

    def test_409_documented_exactly_for_verbs_with_allowed_states(self):
        for verb in verbs.VERBS:
            self.assertEqual(verb.allowed is not None,
                             '409' in self.operation(verb)['responses'],
                             verb.name)

    def test_version_range_matches_the_app(self):
        self.assertIn('1.1 to %d.%d' % app.MAX_VERSION,
                      self.document['info']['description'])
