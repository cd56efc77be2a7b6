"""Drives the facade's WSGI application against an in-memory Nova."""
import json
import unittest

from oslo_config import cfg
import webob

from higgins_api import app
from higgins_api import conf as api_conf
from higgins_api.tests.unit import fake_nova

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
MEMBER = 'reader,member'


def facade_conf():
    conf = cfg.ConfigOpts()
    api_conf.register_opts(conf)
    conf([], project='higgins')
    conf.set_override('auth_strategy', 'noauth', 'api')
    conf.set_override('endpoint_override', 'http://nova.test', 'nova')
    return conf


class FacadeTestCase(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fake_nova.FakeCloud()
        self.facade = app.build(facade_conf(), self.cloud.client,
                                self.cloud.glance_client)

    def call(self, method, path, body=None, project=PROJECT, roles=MEMBER,
             version='1.40', expect=None):
        headers = {'X-User-Id': 'user-of-%s' % project,
                   'X-Project-Id': project, 'X-Roles': roles,
                   'OpenStack-API-Version': 'container %s' % version}
        request = webob.Request.blank(path, method=method, headers=headers)
        if body is not None:
            request.body = (body if isinstance(body, bytes)
                            else json.dumps(body).encode())
            request.content_type = 'application/json'
        response = request.get_response(self.facade)
        if expect is not None:
            self.assertEqual(expect, response.status_int, response.text)
        return response

    def error(self, response, status, code):
        """The detail of a facade error, after checking status and code."""
        self.assertEqual(status, response.status_int, response.text)
        (error,) = response.json['errors']
        self.assertEqual(code, error['code'])
        return error['detail']

    def server(self, status='ACTIVE', project=PROJECT, **fields):
        return self.cloud.add_server(project, status=status, **fields)
