"""Container images from Glance, snapshots back to Glance, image cache."""
import time

from nova import context as nova_context

from higgins_virt import images
from higgins_virt.tests import engine_fixtures
from higgins_virt.tests.functional import base

MARKER_COMMAND = '["sh", "-c", "cat /marker; sleep 1000"]'


class ArchiveTestCase(base.HigginsTestCase):
    """Gives each test a fresh ``docker save`` archive; holds no tests."""

    def setUp(self):
        super().setUp()
        self.archive, self.archive_image_id = self._make_archive()

    def _make_archive(self):
        """Return (archive bytes, image id) of an image the engine lacks.

        The image is the test image plus a /marker file.
        """
        container = self.engine.containers.create(
            engine_fixtures.TEST_IMAGE,
            ['sh', '-c', 'echo from-glance-archive > /marker'])
        # Removed even when the start fails: such leftovers were found on
        # the machine's engine.
        try:
            container.start()
            container.wait()
            image = container.commit(
                changes=['CMD ["/bin/sleep", "1000000"]'])
        finally:
            container.remove(force=True)
        archive = b''.join(image.save(named=False))
        self.engine.images.remove(image.id)
        self.remove_at_cleanup(image.id)
        return archive, image.id

    def _console(self, server, expected):
        output = ''
        for _ in range(50):
            output = self.api.post_server_action(
                server['id'], {'os-getConsoleOutput': {}})['output']
            if expected in output:
                break
            time.sleep(0.1)
        return output

    def _engine_has(self, reference):
        return bool(self.engine.images.list(name=reference) or [
            i for i in self.engine.images.list(all=True)
            if i.id == reference])

    def assertNothingLeft(self, server, image_id, fault):
        self.assertIn(fault, server['fault']['message'])
        self.assertEqual([], self.host_containers())
        self.assertFalse(self._engine_has(images.cache_reference(image_id)))
        self.assertFalse(self._engine_has(self.archive_image_id))


class GlanceImageTest(ArchiveTestCase):

    def test_boot_imports_the_archive_once(self):
        image_id = self.register_image('app', data=self.archive)
        self.assertFalse(self._engine_has(self.archive_image_id))
        server = self.boot(image_id=image_id,
                           metadata={'higgins:command': MARKER_COMMAND})
        self.assertIn('from-glance-archive',
                      self._console(server, 'from-glance-archive'))
        self.assertEqual(self.archive_image_id,
                         self.container(server).image.id)
        self.assertEqual(1, self.glance.downloads[image_id])
        # The archive's own tags are never applied: only Higgins' name.
        self.assertEqual([images.cache_reference(image_id)],
                         self.engine.images.get(self.archive_image_id).tags)
        self.boot(image_id=image_id)
        self.assertEqual(1, self.glance.downloads[image_id])

    def test_concurrent_boots_import_once(self):
        image_id = self.register_image('app', data=self.archive)
        self.flags(cpu_allocation_ratio=16.0)
        body = self._build_server(image_uuid=image_id,
                                  flavor_id=self.flavor_id, networks='none')
        body['min_count'] = body['max_count'] = 3
        self.api.post_server({'server': body})
        for server in self.api.get_servers():
            self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual(1, self.glance.downloads[image_id])

    def test_corrupt_archive(self):
        image_id = self.register_image('junk', data=b'\x00garbage' * 4096)
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assertNothingLeft(server, image_id,
                               'not a single-image docker save archive')

    def test_data_that_does_not_match_the_recorded_hash(self):
        image_id = self.register_image('tampered', data=self.archive,
                                       os_hash_value='0' * 128)
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assertNothingLeft(server, image_id, 'does not match the hash')

    def test_vm_image_is_refused_before_any_engine_work(self):
        image_id = self.register_image('cirros', data=b'QFI\xfb' * 100,
                                       container_format='bare',
                                       disk_format='qcow2')
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assertIn('not a container image', server['fault']['message'])
        self.assertEqual(0, self.glance.downloads[image_id])
        self.assertEqual([], self.host_containers())

    def test_reference_that_cannot_be_pulled(self):
        self.flags(image_reference_patterns=['higgins-test.invalid/*'],
                   group='higgins')
        image_id = self.register_image('remote', properties={
            'higgins_image_ref': 'higgins-test.invalid/nothing:1'})
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assertIn('could not be pulled', server['fault']['message'])
        self.assertNotIn('invalid', server['fault']['message'])
        self.assertEqual([], self.host_containers())

    def test_images_for_other_hypervisors_do_not_land_here(self):
        qemu = self.register_image(engine_fixtures.TEST_IMAGE, properties={
            'hypervisor_type': 'qemu'})
        server = self.boot(image_id=qemu, expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])
        docker = self.register_image(engine_fixtures.TEST_IMAGE, properties={
            'hypervisor_type': 'docker'})
        self.boot(image_id=docker)


class SnapshotTest(ArchiveTestCase):

    def test_snapshot_round_trip(self):
        server = self.boot(metadata={'higgins:command': (
            '["sh", "-c", "echo written-before-snapshot > /marker; '
            'sleep 1000"]')})
        self._console(server, '')
        container = self.container(server)
        started = container.attrs['State']['StartedAt']
        snapshot_id = self.api.post_server_action(
            server['id'], {'createImage': {'name': 'snap'}})['image_id']
        self.notifier.wait_for_versioned_notifications(
            'instance.snapshot.end')
        server = self._wait_for_server_parameter(
            server, {'OS-EXT-STS:task_state': None, 'status': 'ACTIVE'})
        # The container ran on through the snapshot.
        container.reload()
        self.assertEqual('running', container.status)
        self.assertEqual(started, container.attrs['State']['StartedAt'])
        snapshot = self.glance.show(None, snapshot_id)
        self.assertEqual('docker', snapshot['container_format'])
        self.assertGreater(snapshot['size'], 0)
        # Boot it as another host would: from Glance's data, not the cache.
        self.remove_engine_image(images.cache_reference(snapshot_id))
        clone = self.boot(image_id=snapshot_id,
                          metadata={'higgins:command': MARKER_COMMAND})
        self.assertIn('written-before-snapshot',
                      self._console(clone, 'written-before-snapshot'))
        self.assertEqual(1, self.glance.downloads[snapshot_id])


class ImageCacheTest(ArchiveTestCase):

    def test_unused_images_are_removed_and_used_ones_kept(self):
        self.flags(remove_unused_original_minimum_age_seconds=0,
                   group='image_cache')
        kept = self.register_image('kept', data=self.archive)
        self.boot(image_id=kept)
        unused = self.register_image(engine_fixtures.TEST_IMAGE)
        self._delete_server(self.boot(image_id=unused))
        self.compute.manager._run_image_cache_manager_pass(
            nova_context.get_admin_context())
        self.assertTrue(self._engine_has(images.cache_reference(kept)))
        self.assertFalse(self._engine_has(images.cache_reference(unused)))
        # The image the reference named is the test image: still there.
        self.assertTrue(self._engine_has(engine_fixtures.TEST_IMAGE))

    def test_precaching_fetches_once_and_then_boots_without_glance(self):
        image_id = self.register_image('app', data=self.archive)
        ctxt = nova_context.get_admin_context()
        self.assertEqual({image_id: 'cached'},
                         self.compute.manager.cache_images(ctxt, [image_id]))
        self.assertEqual({image_id: 'existing'},
                         self.compute.manager.cache_images(ctxt, [image_id]))
        self.assertTrue(self._engine_has(images.cache_reference(image_id)))
        self.boot(image_id=image_id)
        self.assertEqual(1, self.glance.downloads[image_id])
