"""Nova's in-process cloud with the Higgins driver on a real Docker engine.

The base class starts Nova's API, conductor, scheduler, placement and one
compute service (under a host name unique to the test, so its containers can
be told apart on a shared engine) with ``compute_driver=higgins.HigginsDriver``.
It registers the busybox test image in Glance under its engine name and
creates a container flavor that requires the Higgins trait.
"""
import datetime
import os
import sysconfig

from nova.tests.functional import integrated_helpers
from oslo_utils import uuidutils

# Importing the driver registers the [higgins] options tests may set.
from higgins_virt import driver  # noqa: F401
from higgins_virt import resources
from higgins_virt.tests import engine_fixtures

TEST_IMAGE_ID = '6b3f0e8c-7b0f-4a40-9a68-0f5b8a1d2c31'
# The nova wheel installs its paste pipeline as a data file of the venv.
NOVA_API_PASTE = os.path.join(sysconfig.get_path('data'),
                              'etc', 'nova', 'api-paste.ini')


class HigginsTestCase(integrated_helpers._IntegratedTestBase):
    REQUIRES_LOCKING = False
    microversion = 'latest'
    # RPC casts stay asynchronous, as in a real cloud: several builds and
    # lifecycle events really run at the same time.
    CAST_AS_CALL = False

    def setUp(self):
        self.flags(compute_driver='higgins.HigginsDriver')
        self.flags(api_paste_config=NOVA_API_PASTE, group='wsgi')
        self.compute_host = 'higgins-test-%s' % uuidutils.generate_uuid()[:8]
        super().setUp()
        self.engine = self.useFixture(
            engine_fixtures.EngineCleanupFixture(self.compute_host)).client
        self.image_id = self.register_image(engine_fixtures.TEST_IMAGE,
                                            TEST_IMAGE_ID)
        self.flavor_id = self._create_flavor(
            name='c1.tiny', memory_mb=128, vcpu=1, disk=1, ephemeral=0,
            extra_spec={'trait:%s' % resources.CONTAINER_TRAIT: 'required'})

    def _setup_compute_service(self):
        return self._start_compute(self.compute_host)

    def _clear_attrs(self):
        # Nova's attribute clearing breaks pytest's own bookkeeping.
        pass

    def register_image(self, name, image_id=None):
        """Register a container image in the Glance fixture; return its id."""
        now = datetime.datetime(2026, 1, 1)
        image = self.glance.create(None, {
            'id': image_id or uuidutils.generate_uuid(),
            'name': name,
            'created_at': now,
            'updated_at': now,
            'deleted_at': None,
            'deleted': False,
            'status': 'active',
            'is_public': True,
            'visibility': 'public',
            'container_format': 'docker',
            'disk_format': 'raw',
            'size': 1,
            'min_ram': 0,
            'min_disk': 0,
            'protected': False,
            'tags': [],
            'properties': {},
        })
        return image['id']

    def boot(self, metadata=None, image_id=None, expected_state='ACTIVE',
             name=None):
        """Create a server with no Neutron port and wait for its state."""
        body = self._build_server(name=name,
                                  image_uuid=image_id or self.image_id,
                                  flavor_id=self.flavor_id, networks='none')
        if metadata:
            body['metadata'] = metadata
        server = self.api.post_server({'server': body})
        return self._wait_for_state_change(server, expected_state)

    def container(self, server):
        """The engine's view of the server's container (docker-py object)."""
        return self.engine.containers.get('higgins-%s' % server['id'])

    def host_containers(self):
        return engine_fixtures.containers_of_host(self.engine,
                                                  self.compute_host)
