"""Stripping the tags out of a streamed docker save archive."""
import io
import json
import tarfile
import unittest

from higgins_virt import image_archive


def _archive(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w') as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _manifest(*tags_per_image):
    return json.dumps([{'Config': 'c.json', 'RepoTags': list(tags),
                        'Layers': ['l/layer.tar']}
                       for tags in tags_per_image]).encode()


def _rewrite(data):
    return b''.join(image_archive.without_tags(io.BytesIO(data)))


def _members(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: (tar.extractfile(m).read() if m.isreg() else None)
                for m in tar}


class WithoutTagsTest(unittest.TestCase):

    def test_tags_are_removed_and_everything_else_kept(self):
        layer = bytes(range(256)) * 5000
        original = _archive([
            ('l', None), ('l/layer.tar', layer), ('c.json', b'{}'),
            ('manifest.json', _manifest(['victim/image:latest'])),
            ('repositories', b'{"victim/image": {"latest": "abc"}}')])
        members = _members(_rewrite(original))
        self.assertEqual(layer, members['l/layer.tar'])
        self.assertEqual(b'{}', members['c.json'])
        self.assertNotIn('repositories', members)
        self.assertIsNone(json.loads(members['manifest.json'])[0]['RepoTags'])

    def test_refusals(self):
        cases = [
            b'not a tar archive' * 100,
            _archive([('c.json', b'{}')]),
            _archive([('manifest.json', _manifest(['a'], ['b']))]),
            _archive([('manifest.json', b'{not json')]),
        ]
        for data in cases:
            with self.assertRaises(image_archive.InvalidArchive):
                _rewrite(data)
