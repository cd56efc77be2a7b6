"""Nova's own driver conformance suite, run against a real Docker engine.

``_VirtDriverTestCase`` boots its instances from the GlanceFixture image named
``fakeimage123456``; for each test that record is made a container image and
the busybox test image is given that name on the engine. Tests of operations
Higgins does not implement pass when the driver raises NotImplementedError;
the support matrix lists them.
"""
from unittest import mock

from docker import errors as docker_errors
from nova import test
from nova.tests.unit.virt import test_virt_drivers

from higgins_virt import images
from higgins_virt.network import plumbing
from higgins_virt.tests import engine_fixtures


class HigginsDriverConformanceTestCase(test_virt_drivers._VirtDriverTestCase,
                                       test.TestCase):

    def setUp(self):
        self.driver_module = 'nova.virt.higgins.HigginsDriver'
        # The suite's image names an engine reference (see below).
        self.flags(image_reference_patterns=[
            'docker.io/library/fakeimage123456:*'], group='higgins')
        super().setUp()
        # Console endpoints (test_get_serial_console) close with the host.
        self.addCleanup(self.connection.cleanup_host, self.connection._host)
        self.engine = self.useFixture(
            engine_fixtures.EngineCleanupFixture(self.connection._host))
        self.useFixture(engine_fixtures.ImageTagFixture('fakeimage123456'))
        # The suite's image becomes a container image that names an engine
        # reference (no data), and its cached name goes when the test ends.
        image = self.image_service.images[self.IMAGE_ID]
        image.update(container_format='docker', disk_format='raw', size=0)
        self.addCleanup(self._remove_cached_image)
        # The suite's network_info is made-up VIFs, not Neutron ports on a
        # switch: plumbing is left out here and tested for real in
        # functional/test_network.py.
        network = mock.create_autospec(plumbing.Plumbing, instance=True)
        network.split_spec.side_effect = lambda i, spec, n: (None, spec)
        self.connection._network = network

    IMAGE_ID = 'cedef40a-ed67-4d10-800e-17455edce175'

    def _remove_cached_image(self):
        try:
            self.engine.client.images.remove(
                images.cache_reference(self.IMAGE_ID))
        except docker_errors.NotFound:
            pass

    def _clear_attrs(self):
        # Nova's attribute clearing breaks pytest's own bookkeeping.
        pass

    _NO_LIVE_MIGRATION = ('Higgins does not support live migration: a '
                          'container has no memory image to move '
                          '(docs/support-matrix.md)')

    def test_live_migration(self):
        self.skipTest(self._NO_LIVE_MIGRATION)

    def test_live_migration_force_complete(self):
        self.skipTest(self._NO_LIVE_MIGRATION)

    def test_live_migration_abort(self):
        self.skipTest(self._NO_LIVE_MIGRATION)

    def test_spawn_runs_a_real_container(self):
        instance, _ = self._get_running_instance()
        container = self.engine.client.containers.get(
            'higgins-%s' % instance.uuid)
        self.assertEqual('running', container.status)
        self.assertEqual(instance.uuid,
                         container.labels['higgins.instance_uuid'])
