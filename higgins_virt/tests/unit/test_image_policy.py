"""Which engine references a data-less Glance image may boot."""
import unittest

from higgins_virt import image_policy

ALLOW_LIBRARY = ('docker.io/library/*',)


class NormalizeTest(unittest.TestCase):

    def test_full_forms(self):
        for short, full in (
                ('nginx', 'docker.io/library/nginx:latest'),
                ('nginx:1.27', 'docker.io/library/nginx:1.27'),
                ('team/app', 'docker.io/team/app:latest'),
                ('quay.io/org/app:2', 'quay.io/org/app:2'),
                ('localhost:5000/app', 'localhost:5000/app:latest'),
                ('localhost/app:1', 'localhost/app:1')):
            self.assertEqual(full, image_policy.normalize(short), short)


class CheckTest(unittest.TestCase):

    def _check(self, reference, owner='p1', patterns=ALLOW_LIBRARY,
               owners=()):
        image_policy.check(reference, owner, patterns, owners)

    def test_allowed_reference(self):
        self._check('nginx:1.27')
        self._check('docker.io/library/busybox')

    def test_nothing_is_allowed_without_patterns(self):
        with self.assertRaisesRegex(image_policy.ReferenceRefused,
                                    'not among the images'):
            self._check('nginx', patterns=())

    def test_reference_outside_the_patterns(self):
        for reference in ('evil.example/library/nginx', 'team/app',
                          'index.docker.io/library/nginx'):
            with self.assertRaises(image_policy.ReferenceRefused,
                                   msg=reference):
                self._check(reference)

    def test_cache_names_are_never_references(self):
        # Even an operator pattern that would match them does not help.
        for reference in (
                'higgins/glance-6b3f0e8c-7b0f-4a40-9a68-0f5b8a1d2c31',
                'higgins/glance-6b3f0e8c:latest',
                'docker.io/higgins/glance-x:latest',
                'index.docker.io/higgins/glance-x'):
            with self.assertRaisesRegex(image_policy.ReferenceRefused,
                                        'cache', msg=reference):
                self._check(reference, patterns=('*',))

    def test_digests_and_ids_are_never_references(self):
        digest = 'a' * 64
        for reference in ('busybox@sha256:' + digest, 'sha256:' + digest,
                          digest, digest[:12]):
            with self.assertRaisesRegex(image_policy.ReferenceRefused,
                                        'digest', msg=reference):
                self._check(reference, patterns=('*',))

    def test_owner_must_be_trusted_when_owners_are_named(self):
        self._check('nginx', owner='ops', owners=('ops',))
        with self.assertRaisesRegex(image_policy.ReferenceRefused,
                                    'owners'):
            self._check('nginx', owner='tenant', owners=('ops',))


class CheckPropertiesTest(unittest.TestCase):

    def test_unknown_higgins_properties_are_refused(self):
        for name in ('higgins_privileged', 'higgins_devices',
                     'higgins_network_mode'):
            with self.assertRaisesRegex(image_policy.ReferenceRefused,
                                        name):
                image_policy.check_properties({name: 'true'},
                                              ('higgins_image_ref',))

    def test_known_and_foreign_properties_pass(self):
        image_policy.check_properties(
            {'higgins_image_ref': 'nginx', 'hw_disk_bus': 'virtio',
             'os_distro': 'alpine'}, ('higgins_image_ref',))
