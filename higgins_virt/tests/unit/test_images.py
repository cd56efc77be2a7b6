"""Image resolution, snapshot and cache decisions, with a mocked engine.

An image that cannot boot is refused with ``images.ImageUnusable``; the
driver's tests show it reaching Nova as ``ImageUnacceptable``.
"""
import time
from unittest import mock

from nova.compute import task_states
from nova import exception
from nova import objects
from nova import test

from higgins_virt.engine import base
from higgins_virt.engine import errors
from higgins_virt import images

IMAGE_ID = '0c8f3a43-2a49-4c61-9cb4-5e2a1a0a6d6b'


class ImageManagerTestCase(test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def setUp(self):
        super().setUp()
        objects.register_all()
        self.engine = mock.create_autospec(base.ContainerEngine,
                                           instance=True)
        self.glance = mock.Mock()
        self.manager = images.ImageManager(
            self.engine, self.glance, pull_timeout=5,
            policy_conf=mock.Mock(
                image_reference_patterns=['docker.io/library/*'],
                image_reference_owners=[]))

    def _meta(self, container_format='docker'):
        return objects.ImageMeta.from_dict(
            {'id': IMAGE_ID, 'name': 'app',
             'container_format': container_format, 'disk_format': 'raw'})


class PrepareTest(ImageManagerTestCase):

    def test_vm_images_are_refused_before_any_engine_work(self):
        for container_format in ('bare', 'ovf', 'ami'):
            exc = self.assertRaises(images.ImageUnusable,
                                    self.manager.prepare, None,
                                    self._meta(container_format))
            self.assertEqual(IMAGE_ID, exc.image_id)
        self.assertEqual([], self.engine.method_calls)
        self.assertEqual([], self.glance.method_calls)

    def test_cached_image_needs_no_glance(self):
        info = base.ImageInfo(id='sha256:1', environment={})
        self.engine.inspect_image.return_value = info
        self.assertEqual((images.cache_reference(IMAGE_ID), info),
                         self.manager.prepare(None, self._meta()))
        self.glance.get.assert_not_called()

    def test_reference_property_wins_over_the_name_and_is_pulled(self):
        info = base.ImageInfo(id='sha256:1', environment={})
        self.engine.inspect_image.side_effect = [
            errors.ImageNotFound(), errors.ImageNotFound(), info]
        self.glance.get.return_value = {
            'size': 0, 'name': 'app',
            'properties': {'higgins_image_ref': 'nginx:1.27'}}
        self.manager.prepare(None, self._meta())
        self.engine.pull_image.assert_called_once_with('nginx:1.27', 5)
        self.engine.tag_image.assert_called_once_with(
            'nginx:1.27', images.cache_reference(IMAGE_ID))

    def test_reference_the_operator_does_not_allow_is_refused(self):
        self.engine.inspect_image.side_effect = errors.ImageNotFound()
        self.glance.get.return_value = {
            'size': 0, 'name': 'app', 'owner': 'p2',
            'properties': {'higgins_image_ref': 'higgins/glance-other'}}
        self.assertRaisesRegex(images.ImageUnusable, 'cache',
                               self.manager.prepare, None, self._meta())
        self.engine.pull_image.assert_not_called()
        self.engine.tag_image.assert_not_called()

    def test_unknown_higgins_property_is_refused_even_with_data(self):
        self.engine.inspect_image.side_effect = errors.ImageNotFound()
        self.glance.get.return_value = {
            'size': 10, 'name': 'app',
            'properties': {'higgins_privileged': 'true'}}
        self.assertRaisesRegex(images.ImageUnusable,
                               'higgins_privileged',
                               self.manager.prepare, None, self._meta())
        self.glance.download.assert_not_called()

    def test_pull_failure_is_a_clean_refusal(self):
        self.engine.inspect_image.side_effect = errors.ImageNotFound()
        self.engine.pull_image.side_effect = errors.PullFailed()
        self.glance.get.return_value = {'size': 0, 'name': 'app:1',
                                        'properties': {}}
        exc = self.assertRaises(images.ImageUnusable,
                                self.manager.prepare, None, self._meta())
        self.assertIsInstance(exc.__cause__, errors.PullFailed)
        self.engine.tag_image.assert_not_called()


class SnapshotTest(ImageManagerTestCase):

    def test_task_states_and_upload(self):
        self.engine.commit.return_value = 'sha256:new'
        self.engine.save_image.return_value = iter([b'ab', b'cd'])
        uploaded = []
        self.glance.update.side_effect = (
            lambda ctx, image_id, meta, data, purge_props:
            uploaded.append(data.read()))
        update_task_state = mock.Mock()
        self.manager.snapshot(None, 'higgins-x', IMAGE_ID, update_task_state)
        self.assertEqual([
            mock.call(task_state=task_states.IMAGE_PENDING_UPLOAD),
            mock.call(task_state=task_states.IMAGE_UPLOADING,
                      expected_state=task_states.IMAGE_PENDING_UPLOAD)],
            update_task_state.call_args_list)
        self.assertEqual([b'abcd'], uploaded)
        metadata = self.glance.update.call_args[0][2]
        self.assertEqual('docker', metadata['container_format'])
        self.engine.tag_image.assert_called_once_with(
            'sha256:new', images.cache_reference(IMAGE_ID))

    def test_failed_upload_discards_the_committed_image(self):
        self.engine.commit.return_value = 'sha256:new'
        self.engine.inspect_image.return_value = base.ImageInfo(
            id='sha256:new', environment={})
        self.glance.update.side_effect = exception.ImageNotAuthorized(
            image_id=IMAGE_ID)
        self.assertRaises(exception.ImageNotAuthorized, self.manager.snapshot,
                          None, 'higgins-x', IMAGE_ID, mock.Mock())
        self.engine.remove_image.assert_called_once_with('sha256:new')


class CleanCacheTest(ImageManagerTestCase):

    def test_age_counts_from_the_last_use_seen(self):
        unused = images.cache_reference('unused')
        used = images.cache_reference('used')
        self.engine.list_images.return_value = [unused, used]
        # First pass after a start: nothing is old yet.
        self.assertEqual([], self.manager.clean_cache({'used'}, 60))
        self.manager._mark_used('unused', time.monotonic() - 61)
        self.assertEqual(['unused'], self.manager.clean_cache({'used'}, 60))
        self.engine.remove_image.assert_called_once_with(unused)

    def test_an_image_a_container_uses_is_kept(self):
        self.engine.list_images.return_value = [images.cache_reference('a')]
        self.engine.remove_image.side_effect = errors.ImageInUse()
        self.manager._mark_used('a', time.monotonic() - 100)
        self.assertEqual([], self.manager.clean_cache(set(), 10))


class ImportTest(ImageManagerTestCase):

    def setUp(self):
        super().setUp()
        self.engine.inspect_image.side_effect = [
            errors.ImageNotFound(),
            base.ImageInfo(id='sha256:1', environment={})]
        self.glance.get.return_value = {'size': 10, 'name': 'app',
                                        'properties': {}}

        def load(chunks):
            # As docker-py does: a body that fails to stream is reported as
            # a broken connection to the engine.
            try:
                for _ in chunks:
                    pass
            except Exception:
                raise errors.EngineUnavailable()
            return 'sha256:1'
        self.engine.load_image.side_effect = load

    def test_download_failure_is_reported_as_such(self):
        def download(context, image_id, data):
            data.write(b'x' * 100)
            raise exception.ImageNotAuthorized(image_id=image_id)
        self.glance.download.side_effect = download
        exc = self.assertRaises(images.ImageUnusable,
                                self.manager.prepare, None, self._meta())
        self.assertIn('could not be read from the image service', str(exc))
        self.assertIsInstance(exc.__cause__, exception.ImageNotAuthorized)
        self.engine.tag_image.assert_not_called()

    def test_engine_down_during_load_stays_an_engine_error(self):
        self.glance.download.side_effect = (
            lambda context, image_id, data: data.write(b'x' * 100))
        self.engine.load_image.side_effect = errors.EngineUnavailable()
        self.assertRaises(errors.EngineUnavailable, self.manager.prepare,
                          None, self._meta())
        self.engine.tag_image.assert_not_called()
