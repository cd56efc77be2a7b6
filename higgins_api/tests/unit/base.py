"""Drives the facade's WSGI application against an in-memory Nova."""
import unittest

from higgins_api import app
from higgins_api.tests import facade_client
from higgins_api.tests import fake_neutron
from higgins_api.tests.unit import fake_nova

PROJECT = facade_client.PROJECT
OTHER_PROJECT = facade_client.OTHER_PROJECT
MEMBER = facade_client.MEMBER


def facade_conf():
    return facade_client.facade_conf('http://nova.test')


class FacadeTestCase(facade_client.FacadeClientMixin, unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fake_nova.FakeCloud()
        self.facade = app.build(facade_conf(), self.cloud.client,
                                self.cloud.glance_client,
                                fake_neutron.neutron_factory(self.cloud))

    def error(self, response, status, code):
        """The detail of a facade error, after checking status and code."""
        self.assertEqual(status, response.status_int, response.text)
        (error,) = response.json['errors']
        self.assertEqual(code, error['code'])
        return error['detail']

    def server(self, status='ACTIVE', project=PROJECT, **fields):
        return self.cloud.add_server(project, status=status, **fields)
