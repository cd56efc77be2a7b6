"""Container images for instances: from Glance onto the engine, and back.

A Glance image boots on Higgins when its ``container_format`` is ``docker``.
``prepare`` finds the engine image for it, in this order:

1. the engine already holds it under ``higgins/glance-<image id>`` (the name
   every image gets on first use), so later boots never ask Glance;
2. the Glance image has data: a ``docker save`` archive, streamed from Glance
   into the engine's image load, its tags stripped on the way, checked
   against Glance's hash, and only then named;
3. it has no data: its ``higgins_image_ref`` property, else its name, is an
   engine reference, used if the engine has it and pulled otherwise.

``snapshot`` commits a container and streams the saved image into Glance.
``precache`` serves Nova's image pre-caching, and ``clean_cache`` removes
cached images no instance has used for a while.
Work on one Glance image is serialised by a per-image lock, so concurrent
boots import it once. An image that cannot boot raises :class:`ImageUnusable`
with a reason a user may read; engine errors pass through unchanged, and the
driver turns both into Nova exceptions.
"""
import hashlib
import queue
import threading
import time

from nova.compute import task_states
from nova.i18n import _
from nova import objects
from oslo_concurrency import lockutils
from oslo_log import log as logging
from oslo_utils import excutils

from higgins_virt.engine import base as engine_base
from higgins_virt.engine import errors as engine_errors
from higgins_virt import image_archive
from higgins_virt import image_policy

LOG = logging.getLogger(__name__)

CONTAINER_FORMAT = 'docker'
CACHE_PREFIX = 'higgins/glance-'
REFERENCE_PROPERTY = 'higgins_image_ref'
# Chunks buffered between the Glance download and the engine load.
PIPE_DEPTH = 8


def cache_reference(image_id):
    return '%s%s:latest' % (CACHE_PREFIX, image_id)


def _image_id_of(reference):
    return reference[len(CACHE_PREFIX):].rpartition(':')[0]


class ImageUnusable(Exception):
    """A Glance image that cannot boot here; ``reason`` is user-safe."""

    def __init__(self, image_id, reason):
        super().__init__(reason)
        self.image_id = image_id
        self.reason = reason


class _Pipe:
    """Carries byte chunks from a writer thread to a reader, bounded.

    The writer side is a file-like ``write``; the reader side a file-like
    ``read(size)``. Either side can abort the other.
    """

    _END = object()

    def __init__(self):
        self._queue = queue.Queue(maxsize=PIPE_DEPTH)
        self._buffer = b''
        self._aborted = threading.Event()
        self._ended = False

    # writer side
    def write(self, chunk):
        while not self._aborted.is_set():
            try:
                self._queue.put(bytes(chunk), timeout=0.2)
                return
            except queue.Full:
                continue
        raise IOError('the image load was abandoned')

    def close_writer(self, error=None):
        while not self._aborted.is_set():
            try:
                self._queue.put(error or self._END, timeout=0.2)
                return
            except queue.Full:
                continue

    # reader side
    def read(self, size=-1):
        while not self._ended and (size < 0 or len(self._buffer) < size):
            item = self._queue.get()
            if item is self._END:
                self._ended = True
            elif isinstance(item, BaseException):
                self._ended = True
                raise item
            else:
                self._buffer += item
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def drain(self):
        """Read to the end, so the writer finishes its work."""
        while self.read(engine_base.CHUNK_BYTES):
            pass

    def abort(self):
        self._aborted.set()


class _HashingWriter:
    """Passes chunks on to a pipe while hashing them as Glance recorded."""

    def __init__(self, pipe, record):
        self._pipe = pipe
        self.expected = None
        self._hash = None
        algorithm, value = record.get('os_hash_algo'), record.get(
            'os_hash_value')
        if not (algorithm and value) and record.get('checksum'):
            algorithm, value = 'md5', record['checksum']
        if algorithm and value:
            self._hash = hashlib.new(algorithm)
            self.expected = value.lower()

    def write(self, chunk):
        if self._hash is not None:
            self._hash.update(chunk)
        self._pipe.write(chunk)

    def matches(self):
        return self._hash is None or self._hash.hexdigest() == self.expected


class _ChunkReader:
    """A file-like ``read`` over an iterator of byte chunks (for uploads)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b''

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


class ImageManager:
    """Glance images as engine images, for one compute host."""

    def __init__(self, engine, image_api, pull_timeout, policy_conf):
        self._engine = engine
        self._glance = image_api
        self._pull_timeout = pull_timeout
        # The [higgins] options image_reference_patterns and _owners, read
        # at each use so that a changed configuration applies at once.
        self._policy_conf = policy_conf
        self._last_used = {}
        self._last_used_lock = threading.Lock()

    # -- boot ---------------------------------------------------------------

    def prepare(self, context, image_meta):
        """Return (engine reference, ImageInfo) to boot ``image_meta``."""
        image_id = image_meta.id
        container_format = (image_meta.container_format
                            if image_meta.obj_attr_is_set('container_format')
                            else None)
        if container_format != CONTAINER_FORMAT:
            raise ImageUnusable(image_id, _(
                'it is not a container image: its container format is %s, '
                'and Higgins boots only container_format=docker images')
                % (container_format or 'not set'))
        reference = cache_reference(image_id)
        with lockutils.lock('higgins-image-%s' % image_id):
            self._mark_used(image_id)
            try:
                return reference, self._engine.inspect_image(reference)
            except engine_errors.ImageNotFound:
                pass
            record = self._glance.get(context, image_id)
            self._check_policy(image_id, record)
            if record.get('size'):
                source = self._import(context, image_id, record)
            else:
                source = self._local_reference(image_id, record)
            self._engine.tag_image(source, reference)
            LOG.info('Glance image %s is on the engine as %s', image_id,
                     reference)
            return reference, self._engine.inspect_image(reference)

    def precache(self, context, image_id):
        """Put a Glance image on the engine ahead of boots.

        Returns False when it was there already, True when it was fetched.
        """
        try:
            self._engine.inspect_image(cache_reference(image_id))
            return False
        except engine_errors.ImageNotFound:
            pass
        record = self._glance.get(context, image_id)
        self.prepare(context, objects.ImageMeta.from_dict(record))
        return True

    def _import(self, context, image_id, record):
        """Stream a ``docker save`` archive from Glance into the engine.

        Returns the id of the loaded (still unnamed) image.
        """
        pipe = _Pipe()
        writer = _HashingWriter(pipe, record)
        failure = []

        def download():
            try:
                self._glance.download(context, image_id, data=writer)
                pipe.close_writer()
            except Exception as exc:
                failure.append(exc)
                pipe.close_writer(IOError('image download failed'))

        downloader = threading.Thread(target=download, daemon=True,
                                      name='higgins-image-%s' % image_id)
        downloader.start()
        loaded = None
        try:
            loaded = self._engine.load_image(
                image_archive.without_tags(pipe))
            # A tar archive ends before any trailing bytes; they still count
            # for the hash.
            pipe.drain()
        except (image_archive.InvalidArchive,
                engine_errors.InvalidImage) as exc:
            pipe.abort()
            self._raise_if_download_failed(image_id, failure)
            LOG.warning('Glance image %s is not a usable image archive: %s',
                        image_id, exc)
            raise ImageUnusable(image_id, _(
                'its data is not a single-image docker save archive')
            ) from exc
        except Exception:
            pipe.abort()
            self._raise_if_download_failed(image_id, failure)
            raise
        finally:
            pipe.abort()
            downloader.join(timeout=30)
        if not writer.matches():
            LOG.error('Glance image %s does not match its recorded hash',
                      image_id)
            self._discard_unnamed(loaded)
            raise ImageUnusable(image_id, _(
                'its data does not match the hash the image service '
                'recorded'))
        return loaded

    @staticmethod
    def _raise_if_download_failed(image_id, failure):
        # A failed download surfaces inside the engine upload, often as a
        # broken connection to the engine: the download is the cause.
        if failure:
            LOG.error('Download of Glance image %s failed: %s', image_id,
                      failure[0])
            raise ImageUnusable(image_id, _(
                'its data could not be read from the image service')
            ) from failure[0]

    def _check_policy(self, image_id, record):
        properties = record.get('properties') or {}
        try:
            image_policy.check_properties(properties, (REFERENCE_PROPERTY,))
            if not record.get('size'):
                image_policy.check(
                    self._reference_of(image_id, record),
                    record.get('owner'),
                    self._policy_conf.image_reference_patterns,
                    self._policy_conf.image_reference_owners)
        except image_policy.ReferenceRefused as exc:
            LOG.warning('Glance image %s refused: %s', image_id, exc)
            raise ImageUnusable(image_id, str(exc)) from exc

    @staticmethod
    def _reference_of(image_id, record):
        reference = (record.get('properties', {}).get(REFERENCE_PROPERTY) or
                     record.get('name'))
        if not reference:
            raise ImageUnusable(image_id, _(
                'it has no data, no %s property and no name')
                % REFERENCE_PROPERTY)
        return reference

    def _local_reference(self, image_id, record):
        """The engine reference of a data-less container image.

        Pulled first when the engine does not have it yet.
        """
        reference = self._reference_of(image_id, record)
        try:
            self._engine.inspect_image(reference)
            return reference
        except engine_errors.ImageNotFound:
            pass
        LOG.info('Pulling %s for Glance image %s', reference, image_id)
        try:
            self._engine.pull_image(reference, self._pull_timeout)
        except engine_errors.PullFailed as exc:
            raise ImageUnusable(image_id, _(
                'it is not present on the container engine of this host '
                'and could not be pulled from a registry')) from exc
        return reference

    def _discard_unnamed(self, image):
        """Remove an image Higgins just made, unless something named it.

        The same bytes may already be on the engine under another name
        (the image id is the content's hash): that image is left alone.
        """
        if not image:
            return
        try:
            if not self._engine.inspect_image(image).tags:
                self._engine.remove_image(image)
        except engine_errors.EngineError as exc:
            LOG.warning('Could not remove unnamed image %s: %s', image, exc)

    # -- snapshot -----------------------------------------------------------

    def snapshot(self, context, container, image_id, update_task_state):
        """Commit ``container`` and upload it to Glance image ``image_id``."""
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        committed = self._engine.commit(container)
        try:
            update_task_state(task_state=task_states.IMAGE_UPLOADING,
                              expected_state=task_states.IMAGE_PENDING_UPLOAD)
            self._upload(context, committed, image_id)
            # Boots of the snapshot on this host need not download it.
            self._engine.tag_image(committed, cache_reference(image_id))
            self._mark_used(image_id)
        except BaseException:
            with excutils.save_and_reraise_exception():
                self._discard_unnamed(committed)

    # -- moving a container's filesystem between hosts ----------------------

    def export_container(self, context, container, image_id):
        """Commit ``container`` into the data of Glance image ``image_id``.

        Nothing stays on the engine: the committed image is removed once
        uploaded.
        """
        committed = self._engine.commit(container)
        try:
            self._upload(context, committed, image_id)
        finally:
            self._discard_unnamed(committed)

    def _upload(self, context, engine_image, image_id):
        """Stream ``engine_image`` into Glance image ``image_id``'s data."""
        metadata = {'container_format': CONTAINER_FORMAT,
                    'disk_format': 'raw'}
        self._glance.update(
            context, image_id, metadata,
            data=_ChunkReader(self._engine.save_image(engine_image)),
            purge_props=False)

    def import_as(self, context, image_id, reference):
        """Load Glance image ``image_id`` under engine name ``reference``.

        Returns its ImageInfo. The data is checked against Glance's hash
        before the image is named.
        """
        record = self._glance.get(context, image_id)
        loaded = self._import(context, image_id, record)
        self._engine.tag_image(loaded, reference)
        return self._engine.inspect_image(reference)

    # -- cache housekeeping -------------------------------------------------

    def _mark_used(self, image_id, now=None):
        with self._last_used_lock:
            self._last_used[image_id] = now or time.monotonic()

    def clean_cache(self, images_in_use, minimum_age):
        """Remove cached images unused for ``minimum_age`` seconds.

        "Unused" counts from the last time Higgins saw the image in use (or
        first saw it at all, after a restart). An image a container still
        uses is never removed: the engine refuses, and it is kept.
        """
        now = time.monotonic()
        for image_id in images_in_use:
            self._mark_used(image_id, now)
        removed = []
        for reference in self._engine.list_images(CACHE_PREFIX):
            image_id = _image_id_of(reference)
            with self._last_used_lock:
                last_used = self._last_used.setdefault(image_id, now)
            if image_id in images_in_use or now - last_used < minimum_age:
                continue
            try:
                self._engine.remove_image(reference)
            except engine_errors.ImageInUse:
                LOG.info('Cached image %s is still used by a container',
                         reference)
                continue
            with self._last_used_lock:
                self._last_used.pop(image_id, None)
            removed.append(image_id)
            LOG.info('Removed cached image %s, unused for %d s or more',
                     reference, minimum_age)
        return removed
