"""higgins_api/openapi.yaml describes exactly the verb table's routes."""
import os
import unittest

from openapi_spec_validator import validate
import yaml

from higgins_api import app
from higgins_api import schemas
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
            self.assertIn('501', operation['responses'], verb.name)
            self.assertNotIn('202', operation['responses'], verb.name)

    def test_every_operation_declares_exactly_what_it_answers(self):
        for verb in verbs.ALL:
            self.assertEqual({str(s) for s in verbs.answers(verb)},
                             set(self.operation(verb)['responses']),
                             verb.name)

    def test_409_documented_for_every_verb_with_allowed_states(self):
        # A name several containers share is a 409 on any verb as well.
        for verb in verbs.VERBS:
            if verb.allowed is not None:
                self.assertIn('409', self.operation(verb)['responses'],
                              verb.name)

    def test_request_bodies_are_the_facade_s_schemas(self):
        documented = self.document['components']['schemas']
        create = dict(documented['CreateContainer'])
        # Descriptions are the document's own.
        create['properties'] = {
            name: {k: v for k, v in field.items() if k != 'description'}
            for name, field in create['properties'].items()}
        self.assertEqual(schemas.to_openapi(schemas.CREATE), create)
        self.assertEqual(schemas.to_openapi(schemas.REBUILD),
                         documented['RebuildContainer'])
        self.assertEqual(schemas.to_openapi(schemas.PATCH),
                         documented['UpdateContainer'])

    def test_version_range_matches_the_app(self):
        self.assertIn('1.1 to %d.%d' % app.MAX_VERSION,
                      self.document['info']['description'])
