"""Nova's in-process cloud with the Higgins driver on a real Docker engine.

The base class starts Nova's API, conductor, scheduler, placement and one
compute service (under a host name unique to the test, so its containers can
be told apart on a shared engine), loading ``higgins.HigginsDriver``.
It registers the busybox test image in Glance as an engine reference, swaps
Nova's Glance fixture for one that moves image data the way Glance does, and
creates a container flavor that requires the Higgins trait.
"""
import collections
import datetime
import hashlib
import os
import sysconfig

from docker import errors as docker_errors
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional import integrated_helpers
from oslo_utils import uuidutils

from higgins_common import contract
# Importing the driver registers the [higgins] options tests may set.
from higgins_virt import driver  # noqa: F401
from higgins_virt import image_policy
from higgins_virt import images
from higgins_virt.tests import engine_fixtures

TEST_IMAGE_ID = '6b3f0e8c-7b0f-4a40-9a68-0f5b8a1d2c31'
# The nova wheel installs its paste pipeline as a data file of the venv.
NOVA_API_PASTE = os.path.join(sysconfig.get_path('data'),
                              'etc', 'nova', 'api-paste.ini')


class ContainerGlanceFixture(nova_fixtures.GlanceFixture):
    """Nova's Glance fixture, moving image data the way Glance does.

    Downloads arrive in chunks (into the caller's file object, or as an
    iterator), uploads are read from the caller's file object and hashed as
    Glance records them, and downloads are counted per image.
    """

    CHUNK = 64 * 1024

    def setUp(self):
        super().setUp()
        self.downloads = collections.Counter()

    def _chunks(self, image_id):
        data = self._imagedata.get(image_id, b'')
        return [data[i:i + self.CHUNK]
                for i in range(0, len(data), self.CHUNK)]

    def download(self, context, image_id, data=None, dst_path=None,
                 trusted_certs=None):
        self.show(context, image_id)
        self.downloads[image_id] += 1
        if data is None and dst_path is None:
            return iter(self._chunks(image_id))
        if data is None:
            with open(dst_path, 'wb') as target:
                for chunk in self._chunks(image_id):
                    target.write(chunk)
            return
        for chunk in self._chunks(image_id):
            data.write(chunk)

    def update(self, context, image_id, metadata, data=None,
               purge_props=False):
        image = super().update(context, image_id, metadata,
                               purge_props=purge_props)
        if data is not None:
            blob = b''.join(iter(lambda: data.read(self.CHUNK), b''))
            self.set_data(image_id, blob)
        return image

    def set_data(self, image_id, blob, os_hash_value=None):
        self._imagedata[image_id] = blob
        self.images[image_id].update(
            size=len(blob), status='active', os_hash_algo='sha512',
            os_hash_value=os_hash_value or hashlib.sha512(blob).hexdigest(),
            checksum=hashlib.md5(blob).hexdigest())


class HigginsTestCase(integrated_helpers._IntegratedTestBase):
    REQUIRES_LOCKING = False
    microversion = 'latest'
    # RPC casts stay asynchronous, as in a real cloud: several builds and
    # lifecycle events really run at the same time.
    CAST_AS_CALL = False
    #: The engine the compute host uses; None for the machine's own.
    engine_url = None

    def setUp(self):
        self.flags(compute_driver='higgins.HigginsDriver')
        if self.engine_url:
            self.flags(engine_url=self.engine_url, group='higgins')
        self.flags(api_paste_config=NOVA_API_PASTE, group='wsgi')
        # The test image is registered without data, as an engine
        # reference: the operator must allow exactly that reference.
        self.flags(image_reference_patterns=[
            image_policy.normalize(engine_fixtures.TEST_IMAGE)],
            group='higgins')
        self.compute_host = 'higgins-test-%s' % uuidutils.generate_uuid()[:8]
        super().setUp()
        self.glance = self.useFixture(ContainerGlanceFixture(self))
        self.engine = engine_fixtures.engine_client(self.engine_url)
        self.addCleanup(self.engine.close)
        # Cleanups run last-in first-out: containers go before the images
        # they use.
        self._engine_images = []
        self.addCleanup(self._remove_engine_images)
        self.useFixture(
            engine_fixtures.EngineCleanupFixture(self.compute_host,
                                                 self.engine_url))
        self.image_id = self.register_image(engine_fixtures.TEST_IMAGE,
                                            TEST_IMAGE_ID)
        self.flavor_id = self._create_flavor(
            name='c1.tiny', memory_mb=128, vcpu=1, disk=1, ephemeral=0,
            extra_spec={'trait:%s' % contract.CONTAINER_TRAIT: 'required'})

    def _setup_compute_service(self):
        return self._start_compute(self.compute_host)

    def _clear_attrs(self):
        # Nova's attribute clearing breaks pytest's own bookkeeping.
        pass

    def register_image(self, name, image_id=None, data=None,
                       container_format='docker', disk_format='raw',
                       properties=None, os_hash_value=None):
        """Register an image in Glance; return its id.

        Without ``data`` the image names an engine reference (its name or
        its ``higgins_image_ref`` property); with it, the data is a
        ``docker save`` archive.
        """
        now = datetime.datetime(2026, 1, 1)
        image_id = image_id or uuidutils.generate_uuid()
        self.glance.create(None, {
            'id': image_id,
            'name': name,
            'created_at': now,
            'updated_at': now,
            'deleted_at': None,
            'deleted': False,
            'status': 'active',
            'is_public': True,
            'visibility': 'public',
            'container_format': container_format,
            'disk_format': disk_format,
            'size': 0,
            'min_ram': 0,
            'min_disk': 0,
            'protected': False,
            'tags': [],
            'properties': dict(properties or {}),
        })
        if data is not None:
            self.glance.set_data(image_id, data, os_hash_value)
        self.remove_at_cleanup(images.cache_reference(image_id))
        return image_id

    def remove_at_cleanup(self, image_reference):
        self._engine_images.append(image_reference)

    def remove_engine_image(self, reference):
        try:
            self.engine.images.remove(reference)
        except docker_errors.NotFound:
            pass

    def _remove_engine_images(self):
        for reference in reversed(self._engine_images):
            self.remove_engine_image(reference)

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
