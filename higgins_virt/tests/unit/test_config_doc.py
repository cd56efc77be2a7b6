"""docs/configuration.md is what tools/gen-config-doc.py writes today."""
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                   '..'))
SCRIPT = os.path.join(TOP, 'tools', 'gen-config-doc.py')
DOC = os.path.join(TOP, 'docs', 'configuration.md')


def _load_script():
    spec = importlib.util.spec_from_file_location('gen_config_doc', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ConfigDocTest(unittest.TestCase):

    def test_configuration_reference_is_current(self):
        with tempfile.NamedTemporaryFile('r', suffix='.md') as out:
            subprocess.run([sys.executable, SCRIPT, out.name], check=True)
            with open(DOC) as doc:
                self.assertEqual(doc.read(), out.read(),
                                 'run: python tools/gen-config-doc.py')

    def test_every_option_is_documented(self):
        gen = _load_script()
        with open(DOC) as doc:
            text = doc.read()
        modules = [gen.optional_module(name) for name, _ in gen.SECTIONS]
        self.assertIsNotNone(modules[0])
        for module in filter(None, modules):
            for group, opts in module.list_opts():
                self.assertIn('### `[%s]`' % group.name, text)
                for opt in opts:
                    self.assertIn('#### `%s`' % opt.name, text)

    def test_a_missing_module_is_left_out(self):
        gen = _load_script()
        self.assertIsNone(gen.optional_module('higgins_virt.no_such_conf'))
        self.assertIsNone(gen.optional_module('no_such_package.conf'))
        gen.SECTIONS = [gen.SECTIONS[0], ('no_such_package.conf', '# nope')]
        rendered = gen.render()
        self.assertIn('#### `engine_url`', rendered)
        self.assertNotIn('# nope', rendered)

    def test_other_import_errors_are_not_hidden(self):
        gen = _load_script()
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, 'higgins_broken_conf.py'), 'w') as f:
                f.write('import no_such_dependency\n')
            sys.path.insert(0, tmp)
            try:
                with self.assertRaises(ModuleNotFoundError):
                    gen.optional_module('higgins_broken_conf')
            finally:
                sys.path.remove(tmp)
