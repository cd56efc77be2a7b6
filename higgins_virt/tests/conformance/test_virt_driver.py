"""Nova's own driver conformance suite, run against a real Docker engine.

``_VirtDriverTestCase`` boots its instances from the GlanceFixture image named
``fakeimage123456``; the busybox test image is given that name on the engine
for each test. Tests of operations Higgins does not implement pass when the
driver raises NotImplementedError; the support matrix lists them.
"""
from nova import test
from nova.tests.unit.virt import test_virt_drivers

from higgins_virt.tests import engine_fixtures


class HigginsDriverConformanceTestCase(test_virt_drivers._VirtDriverTestCase,
                                       test.TestCase):

    def setUp(self):
        self.driver_module = 'nova.virt.higgins.HigginsDriver'
        super().setUp()
        self.engine = self.useFixture(
            engine_fixtures.EngineCleanupFixture(self.connection._host))
        self.useFixture(engine_fixtures.ImageTagFixture('fakeimage123456'))

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
