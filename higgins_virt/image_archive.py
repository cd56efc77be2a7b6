"""Streaming clean-up of ``docker save`` archives before the engine loads them.

An archive names the tags its image should get (``RepoTags`` in
``manifest.json``, and the legacy ``repositories`` file). Loading a user's
archive as it is would let it take any name on the engine, including the
cache name of another Glance image. This module re-emits the archive with
every tag removed, member by member and chunk by chunk, so no more than one
chunk of an image is ever held in memory. Higgins names the image itself
once the data has been verified.
"""
import json
import tarfile

from oslo_utils import units

from higgins_virt.engine import base

BLOCK = tarfile.BLOCKSIZE
# A manifest lists layer paths; anything near this size is not a manifest.
MAX_MANIFEST_BYTES = units.Mi


class InvalidArchive(ValueError):
    """The data is not a single-image ``docker save`` archive."""


def _padding(size):
    return b'\0' * (-size % BLOCK)


def _untagged_manifest(data):
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise InvalidArchive('manifest.json is not JSON') from exc
    if not isinstance(manifest, list) or len(manifest) != 1 or not (
            isinstance(manifest[0], dict)):
        raise InvalidArchive('the archive must hold exactly one image')
    manifest[0]['RepoTags'] = None
    return json.dumps(manifest).encode()


def _name(member):
    return member.name[2:] if member.name.startswith('./') else member.name


def without_tags(stream):
    """Yield the archive read from file-like ``stream``, minus its tags.

    Raises InvalidArchive when the data is not a tar archive with exactly one
    image in its manifest.
    """
    seen_manifest = False
    try:
        archive = tarfile.open(fileobj=stream, mode='r|')
        for member in archive:
            name = _name(member)
            if name == 'repositories':
                continue
            if name == 'manifest.json':
                if member.size > MAX_MANIFEST_BYTES:
                    raise InvalidArchive('manifest.json is too large')
                body = _untagged_manifest(archive.extractfile(member).read())
                member.size = len(body)
                seen_manifest = True
                yield member.tobuf(tarfile.PAX_FORMAT) + body + _padding(
                    len(body))
                continue
            yield member.tobuf(tarfile.PAX_FORMAT)
            if member.isreg():
                data = archive.extractfile(member)
                while True:
                    chunk = data.read(base.CHUNK_BYTES)
                    if not chunk:
                        break
                    yield chunk
                yield _padding(member.size)
    except tarfile.TarError as exc:
        raise InvalidArchive('not a tar archive: %s' % exc) from exc
    if not seen_manifest:
        raise InvalidArchive('the archive has no manifest.json')
    # End of archive: two empty blocks.
    yield b'\0' * (2 * BLOCK)
