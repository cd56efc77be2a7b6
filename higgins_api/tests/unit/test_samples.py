"""The shipped facade config and policy samples are current."""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(__file__), '..', '..', '..')
BIN = os.path.dirname(sys.executable)


class SamplesTest(unittest.TestCase):

    def _assert_current(self, shipped, command):
        with tempfile.NamedTemporaryFile('r') as out:
            subprocess.run(command + [out.name], check=True, cwd=TOP)
            with open(os.path.join(TOP, shipped)) as f:
                self.assertEqual(f.read(), out.read(), 'run: tox -e genconfig')

    def test_config_sample(self):
        self._assert_current('etc/higgins/higgins-api.conf.sample', [
            os.path.join(BIN, 'oslo-config-generator'), '--config-file',
            'etc/higgins/higgins-api-config-generator.conf',
            '--output-file'])

    def test_policy_sample(self):
        self._assert_current('etc/higgins/policy.yaml.sample', [
            os.path.join(BIN, 'oslopolicy-sample-generator'), '--namespace',
            'higgins_api', '--output-file'])
