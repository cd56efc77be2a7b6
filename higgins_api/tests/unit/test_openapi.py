"""higgins_api/openapi.yaml describes exactly the routes the app serves."""
import os
import re
import unittest

from openapi_spec_validator import validate
import yaml

from higgins_api import app

DOCUMENT = os.path.join(os.path.dirname(app.__file__), 'openapi.yaml')


def _route_paths():
    served = {('get', '/'), ('get', '/v1')}
    for method, pattern, _handler in app.ROUTES:
        path = re.sub(r'\(\?P<ident>[^)]*\)', '{container_ident}', pattern)
        served.add((method.lower(), path))
    return served


class OpenAPITest(unittest.TestCase):

    def setUp(self):
        with open(DOCUMENT) as f:
            self.document = yaml.safe_load(f)

    def test_document_is_valid_openapi(self):
        validate(self.document)

    def test_document_matches_the_route_table(self):
        documented = {(method, path)
                      for path, operations in self.document['paths'].items()
                      for method in operations}
        self.assertEqual(_route_paths(), documented)

    def test_version_range_matches_the_app(self):
        self.assertIn('1.1 to %d.%d' % app.MAX_VERSION,
                      self.document['info']['description'])
