"""The shared facts, and the shell form the deployment tooling reads."""
import os
import shlex
import subprocess
import sys
import unittest

from higgins_common import contract

SCRIPT = os.path.join(os.path.dirname(contract.__file__), 'contract.py')


class ContractTest(unittest.TestCase):

    def test_trait_is_a_custom_trait_and_the_spec_requires_it(self):
        self.assertTrue(contract.CONTAINER_TRAIT.startswith('CUSTOM_'))
        self.assertEqual('trait:' + contract.CONTAINER_TRAIT,
                         contract.CONTAINER_TRAIT_SPEC)

    def test_labels_share_the_reserved_prefix(self):
        for label in (contract.LABEL_MANAGED, contract.LABEL_HOST,
                      contract.LABEL_INSTANCE_UUID,
                      contract.LABEL_INSTANCE_NAME):
            self.assertTrue(label.startswith(contract.LABEL_PREFIX), label)

    def test_flavors_have_a_disk_non_admins_may_boot(self):
        for name, vcpus, ram, disk in contract.FLAVORS:
            self.assertGreaterEqual(disk, 1, name)
            self.assertGreaterEqual(vcpus, 1, name)

    def test_shell_form_round_trips_through_a_shell(self):
        # What the all-in-one and devstack `eval`: run as a script, with no
        # package installed, exactly as they run it.
        out = subprocess.run(
            [sys.executable, '-S', SCRIPT, 'shell'], check=True,
            capture_output=True, text=True, cwd='/').stdout
        script = out + 'printf "%s\\n%s\\n" "$HIGGINS_CONTAINER_TRAIT" ' \
                       '"$HIGGINS_DEFAULT_FLAVORS"'
        trait, flavors = subprocess.run(
            ['bash', '-c', script], check=True, capture_output=True,
            text=True).stdout.splitlines()
        self.assertEqual(contract.CONTAINER_TRAIT, trait)
        self.assertEqual(
            [':'.join(str(f) for f in flavor) for flavor in contract.FLAVORS],
            shlex.split(flavors))

    def test_container_name(self):
        self.assertEqual('higgins-abc', contract.container_name('abc'))
