"""The metadata contract between the facade and the driver."""
import unittest

from higgins_common import metadata


class ParseMetadataTest(unittest.TestCase):

    def test_keys_outside_the_namespace_are_ignored(self):
        self.assertEqual(
            metadata.ContainerOverrides(),
            metadata.parse_metadata({'owner': 'ops', 'tier': '1'}))

    def test_command_as_json_array_and_as_shell_words(self):
        self.assertEqual(('sh', '-c', 'echo "a b"'), metadata.parse_metadata(
            {'higgins:command': '["sh", "-c", "echo \\"a b\\""]'}).command)
        self.assertEqual(('sleep', '10', 'a b'), metadata.parse_metadata(
            {'higgins:command': "sleep 10 'a b'"}).command)

    def test_bad_commands(self):
        for value in ('[1, 2]', '["sh", ', '', '   ', "echo 'open", '[""]'):
            with self.assertRaises(metadata.InvalidMetadata) as ctx:
                metadata.parse_metadata({'higgins:command': value})
            self.assertEqual('higgins:command', ctx.exception.field)

    def test_environment_and_labels(self):
        overrides = metadata.parse_metadata({
            'higgins:env:GREETING': 'hi', 'higgins:env:_X1': '',
            'higgins:label:app.kubernetes.io/name': 'web'})
        self.assertEqual({'GREETING': 'hi', '_X1': ''}, overrides.environment)
        self.assertEqual({'app.kubernetes.io/name': 'web'}, overrides.labels)

    def test_invalid_names(self):
        for key in ('higgins:env:1ABC', 'higgins:env:A-B', 'higgins:env:',
                    'higgins:label:higgins.host', 'higgins:label:-x',
                    'higgins:commands', 'higgins:'):
            with self.assertRaises(metadata.InvalidMetadata) as ctx:
                metadata.parse_metadata({key: 'v'})
            self.assertEqual(key, ctx.exception.field)

    def test_workdir(self):
        self.assertEqual('/srv/app', metadata.parse_metadata(
            {'higgins:workdir': '/srv/app'}).workdir)
        for bad in ('relative', '/proc', '/proc/self/cwd', '//proc/1/cwd',
                    '/srv/../proc/self/cwd'):
            with self.assertRaises(metadata.InvalidMetadata, msg=bad):
                metadata.parse_metadata({'higgins:workdir': bad})


class ToMetadataTest(unittest.TestCase):

    def test_round_trip(self):
        items = metadata.to_metadata(
            command=['sh', '-c', 'echo $A'], workdir='/tmp',
            environment={'A': 'b'}, labels={'team': 'blue'})
        self.assertEqual(metadata.ContainerOverrides(
            command=('sh', '-c', 'echo $A'), workdir='/tmp',
            environment={'A': 'b'}, labels={'team': 'blue'}),
            metadata.parse_metadata(items))

    def test_nova_length_limit(self):
        with self.assertRaises(metadata.InvalidMetadata) as ctx:
            metadata.to_metadata(environment={'BIG': 'x' * 256})
        self.assertEqual('higgins:env:BIG', ctx.exception.field)

    def test_invalid_input_is_refused_before_nova_sees_it(self):
        with self.assertRaises(metadata.InvalidMetadata):
            metadata.to_metadata(workdir='/proc/1/cwd')
        with self.assertRaises(metadata.InvalidMetadata):
            metadata.to_metadata(environment={'NOT VALID': '1'})


class EntrypointAndRunTest(unittest.TestCase):

    def test_entrypoint_in_both_forms(self):
        self.assertEqual(('/bin/sh', '-c'), metadata.parse_metadata(
            {'higgins:entrypoint': '["/bin/sh", "-c"]'}).entrypoint)
        self.assertEqual(('env', 'A=1'), metadata.parse_metadata(
            {'higgins:entrypoint': 'env A=1'}).entrypoint)

    def test_bad_entrypoints_name_their_key(self):
        for value in ('', '["a", 1]', '[]', "sh 'open"):
            with self.assertRaises(metadata.InvalidMetadata) as ctx:
                metadata.parse_metadata({'higgins:entrypoint': value})
            self.assertEqual('higgins:entrypoint', ctx.exception.field)

    def test_run_defaults_to_true(self):
        self.assertTrue(metadata.parse_metadata({}).run)
        self.assertFalse(metadata.parse_metadata(
            {'higgins:run': 'false'}).run)
        self.assertTrue(metadata.parse_metadata({'higgins:run': 'True'}).run)
        with self.assertRaises(metadata.InvalidMetadata) as ctx:
            metadata.parse_metadata({'higgins:run': 'no'})
        self.assertEqual('higgins:run', ctx.exception.field)

    def test_round_trip_of_entrypoint_and_run(self):
        items = metadata.to_metadata(entrypoint=['/bin/env'], run=False)
        self.assertEqual({'higgins:entrypoint': '["/bin/env"]',
                          'higgins:run': 'false'}, items)
        overrides = metadata.parse_metadata(items)
        self.assertEqual(('/bin/env',), overrides.entrypoint)
        self.assertFalse(overrides.run)
        self.assertEqual({}, metadata.to_metadata(run=True))

    def test_interactive_and_tty_round_trip(self):
        self.assertFalse(metadata.parse_metadata({}).interactive)
        self.assertFalse(metadata.parse_metadata({}).tty)
        items = metadata.to_metadata(interactive=True, tty=True)
        self.assertEqual({'higgins:interactive': 'true',
                          'higgins:tty': 'true'}, items)
        overrides = metadata.parse_metadata(items)
        self.assertTrue(overrides.interactive)
        self.assertTrue(overrides.tty)
        # Either goes without the other: a terminal with output only.
        self.assertEqual({'higgins:tty': 'true'},
                         metadata.to_metadata(tty=True))
        for key in ('higgins:interactive', 'higgins:tty'):
            with self.assertRaises(metadata.InvalidMetadata) as ctx:
                metadata.parse_metadata({key: 'yes'})
            self.assertEqual(key, ctx.exception.field)

    def test_image_is_carried_for_display(self):
        items = metadata.to_metadata(image='nginx:1.27')
        self.assertEqual({'higgins:image': 'nginx:1.27'}, items)
        self.assertEqual('nginx:1.27', metadata.parse_metadata(items).image)
        with self.assertRaises(metadata.InvalidMetadata):
            metadata.to_metadata(image='x' * 256)

    def test_restart_policies(self):
        for value, expected in (('no', ('no', 0)), ('always', ('always', 0)),
                                ('Unless-Stopped', ('unless-stopped', 0)),
                                ('on-failure', ('on-failure', 0)),
                                ('on-failure:2', ('on-failure', 2))):
            overrides = metadata.parse_metadata(
                {'higgins:restart_policy': value})
            self.assertEqual(expected, (overrides.restart_policy,
                                        overrides.restart_max_retries))
        self.assertEqual('no', metadata.parse_metadata({}).restart_policy)

    def test_bad_restart_policies(self):
        for value, reason in (('sometimes', 'must be one of'),
                              ('always:2', 'only valid with on-failure'),
                              ('no:1', 'only valid with on-failure'),
                              ('on-failure:-1', 'whole number'),
                              ('on-failure:two', 'whole number'),
                              ('on-failure:', 'whole number'),
                              ('on-failure:10001', 'whole number')):
            with self.assertRaises(metadata.InvalidMetadata) as caught:
                metadata.parse_metadata({'higgins:restart_policy': value})
            self.assertEqual('higgins:restart_policy', caught.exception.field)
            self.assertIn(reason, caught.exception.reason)

    def test_restart_policy_round_trip(self):
        self.assertEqual({}, metadata.to_metadata(restart_policy='no'))
        items = metadata.to_metadata(restart_policy='on-failure',
                                     restart_max_retries=3)
        self.assertEqual({'higgins:restart_policy': 'on-failure:3'}, items)
        overrides = metadata.parse_metadata(items)
        self.assertEqual(('on-failure', 3), (overrides.restart_policy,
                                             overrides.restart_max_retries))
        with self.assertRaises(metadata.InvalidMetadata):
            metadata.to_metadata(restart_policy='always',
                                 restart_max_retries=1)
