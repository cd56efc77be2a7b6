"""docs/configuration.md is what tools/gen-config-doc.py writes today."""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(__file__), '..', '..', '..')


class ConfigDocTest(unittest.TestCase):

    def test_configuration_reference_is_current(self):
        with tempfile.NamedTemporaryFile('r', suffix='.md') as out:
            subprocess.run(
                [sys.executable,
                 os.path.join(TOP, 'tools', 'gen-config-doc.py'), out.name],
                check=True)
            with open(os.path.join(TOP, 'docs', 'configuration.md')) as doc:
                self.assertEqual(doc.read(), out.read(),
                                 'run: tools/gen-config-doc.py')

    def test_every_option_is_documented(self):
        from higgins_api import conf as api_conf
        from higgins_virt import conf as virt_conf
        with open(os.path.join(TOP, 'docs', 'configuration.md')) as doc:
            text = doc.read()
        for module in (virt_conf, api_conf):
            for _group, opts in module.list_opts():
                for opt in opts:
                    self.assertIn('### `%s`' % opt.name, text)
