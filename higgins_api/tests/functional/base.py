"""The facade in front of Nova's in-process cloud with the Higgins driver.

Requests go to the facade's WSGI application; the facade calls Nova's API
over HTTP (wsgi-intercept), Nova drives the real Docker engine.
"""
import time

from higgins_api import app
from higgins_api import glance
from higgins_api import neutron
from higgins_api.tests import facade_client
from higgins_virt.tests.functional import base

PROJECT = facade_client.PROJECT
OTHER_PROJECT = facade_client.OTHER_PROJECT


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


class FacadeTestCase(facade_client.FacadeClientMixin,
                     base.HigginsTestCase):

    def setUp(self):
        super().setUp()
        conf = facade_client.facade_conf(self.api_fixture.api.base_url)
        self.facade = app.build(conf, glance_factory=self.glance_client,
                                neutron_factory=self.neutron_client)
        self.glance_images_before = set(self.glance.images)

    def glance_client(self, conf, auth=None, identity_headers=None):
        """The facade's Glance calls, served by Nova's Glance fixture."""
        return FixtureGlance(self, identity_headers['X-Project-Id'])

    def neutron_client(self, conf, auth=None, identity_headers=None):
        """The facade's Neutron: none here (no network endpoint)."""
        return neutron.Neutron(conf, auth=auth,
                               identity_headers=identity_headers)

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
