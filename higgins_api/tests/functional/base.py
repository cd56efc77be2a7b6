"""The facade in front of Nova's in-process cloud with the Higgins driver.

Requests go to the facade's WSGI application; the facade calls Nova's API
over HTTP (wsgi-intercept), Nova drives the real Docker engine.
"""
import json
import time

from oslo_config import cfg
import webob

from higgins_api import app
from higgins_api import conf as api_conf
from higgins_api import glance
from higgins_virt.tests.functional import base

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'


def facade_conf(nova_url):
    conf = cfg.ConfigOpts()
    api_conf.register_opts(conf)
    conf([], project='higgins')
    conf.set_override('auth_strategy', 'noauth', 'api')
    conf.set_override('endpoint_override', nova_url, 'nova')
    return conf


class FixtureGlance:
    """What ``higgins_api.glance.Glance`` does, on Nova's Glance fixture."""

    def __init__(self, test, project):
        self.test = test
        self.project = project

    def reference_image(self, reference, project_id):
        for image in self.test.glance.images.values():
            record = dict(image, **image.get('properties', {}))
            if glance.is_reference_image(record, reference, project_id):
                return image['id']
        image_id = self.test.register_image(
            reference, properties={glance.REFERENCE_PROPERTY: reference})
        image = self.test.glance.images[image_id]
        image.update(owner=project_id, visibility='private',
                     is_public=False)
        return image_id


class FacadeTestCase(base.HigginsTestCase):

    def setUp(self):
        super().setUp()
        self.facade = app.build(facade_conf(self.api_fixture.api.base_url),
                                glance_factory=self.glance_client)
        self.glance_images_before = set(self.glance.images)

    def call(self, method, path, body=None, project=PROJECT,
             roles='reader,member', version='1.40', expect=None):
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

    def glance_client(self, conf, auth=None, identity_headers=None):
        """The facade's Glance calls, served by Nova's Glance fixture."""
        return FixtureGlance(self, identity_headers['X-Project-Id'])

    def run_container(self, **fields):
        fields.setdefault('image', self.image_id)
        response = self.call('POST', '/v1/containers?run=true', fields,
                             expect=202)
        container = response.json
        self.assertTrue(response.headers['Location'].endswith(
            '/v1/containers/%s' % container['uuid']))
        return self.wait_for_status(container['uuid'], 'Running')

    def wait_for_status(self, ident, status, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            container = self.call('GET', '/v1/containers/%s' % ident,
                                  expect=200).json
            if container['status'] == status:
                return container
            if time.monotonic() > deadline:
                self.fail('container %s stayed %s, not %s'
                          % (ident, container['status'], status))
            time.sleep(0.1)

    def wait_until_gone(self, ident, timeout=30):
        deadline = time.monotonic() + timeout
        while self.call('GET', '/v1/containers/%s' % ident).status_int != 404:
            if time.monotonic() > deadline:
                self.fail('container %s was not deleted' % ident)
            time.sleep(0.1)

    def engine_container(self, uuid):
        return self.engine.containers.get('higgins-%s' % uuid)
