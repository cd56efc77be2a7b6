"""What every facade test shares: its configuration and a WSGI client.

Requests go straight into the facade's WSGI application with the identity
headers keystonemiddleware would set (the facade runs with
``auth_strategy = noauth``). Imports nothing of Nova, so the unit tests
stay Nova-free.
"""
import json

from oslo_config import cfg
import webob

from higgins_api import conf as api_conf

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
MEMBER = 'reader,member'


def facade_conf(nova_url):
    conf = cfg.ConfigOpts()
    api_conf.register_opts(conf)
    conf([], project='higgins')
    conf.set_override('auth_strategy', 'noauth', 'api')
    conf.set_override('endpoint_override', nova_url, 'nova')
    return conf


class FacadeClientMixin:
    """``call`` for a test case whose ``self.facade`` is the application."""

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
