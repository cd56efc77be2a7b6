"""The metadata contract between the facade and the driver."""
import unittest

from higgins_common import spec


class ParseMetadataTest(unittest.TestCase):

    def test_keys_outside_the_namespace_are_ignored(self):
        self.assertEqual(spec.ContainerOverrides(),
                         spec.parse_metadata({'owner': 'ops', 'tier': '1'}))

    def test_command_as_json_array_and_as_shell_words(self):
        self.assertEqual(('sh', '-c', 'echo "a b"'), spec.parse_metadata(
            {'higgins:command': '["sh", "-c", "echo \\"a b\\""]'}).command)
        self.assertEqual(('sleep', '10', 'a b'), spec.parse_metadata(
            {'higgins:command': "sleep 10 'a b'"}).command)

    def test_bad_commands(self):
        for value in ('[1, 2]', '["sh", ', '', '   ', "echo 'open", '[""]'):
            with self.assertRaises(spec.InvalidSpec) as ctx:
                spec.parse_metadata({'higgins:command': value})
            self.assertEqual('higgins:command', ctx.exception.field)

    def test_environment_and_labels(self):
        overrides = spec.parse_metadata({
            'higgins:env:GREETING': 'hi', 'higgins:env:_X1': '',
            'higgins:label:app.kubernetes.io/name': 'web'})
        self.assertEqual({'GREETING': 'hi', '_X1': ''}, overrides.environment)
        self.assertEqual({'app.kubernetes.io/name': 'web'}, overrides.labels)

    def test_invalid_names(self):
        for key in ('higgins:env:1ABC', 'higgins:env:A-B', 'higgins:env:',
                    'higgins:label:higgins.host', 'higgins:label:-x',
                    'higgins:commands', 'higgins:'):
            with self.assertRaises(spec.InvalidSpec) as ctx:
                spec.parse_metadata({key: 'v'})
            self.assertEqual(key, ctx.exception.field)

    def test_workdir(self):
        self.assertEqual('/srv/app', spec.parse_metadata(
            {'higgins:workdir': '/srv/app'}).workdir)
        for bad in ('relative', '/proc', '/proc/self/cwd', '//proc/1/cwd',
                    '/srv/../proc/self/cwd'):
            with self.assertRaises(spec.InvalidSpec, msg=bad):
                spec.parse_metadata({'higgins:workdir': bad})


class ToMetadataTest(unittest.TestCase):

    def test_round_trip(self):
        metadata = spec.to_metadata(
            command=['sh', '-c', 'echo $A'], workdir='/tmp',
            environment={'A': 'b'}, labels={'team': 'blue'})
        self.assertEqual(spec.ContainerOverrides(
            command=('sh', '-c', 'echo $A'), workdir='/tmp',
            environment={'A': 'b'}, labels={'team': 'blue'}),
            spec.parse_metadata(metadata))

    def test_nova_length_limit(self):
        with self.assertRaises(spec.InvalidSpec) as ctx:
            spec.to_metadata(environment={'BIG': 'x' * 256})
        self.assertEqual('higgins:env:BIG', ctx.exception.field)

    def test_invalid_input_is_refused_before_nova_sees_it(self):
        with self.assertRaises(spec.InvalidSpec):
            spec.to_metadata(workdir='/proc/1/cwd')
        with self.assertRaises(spec.InvalidSpec):
            spec.to_metadata(environment={'NOT VALID': '1'})
