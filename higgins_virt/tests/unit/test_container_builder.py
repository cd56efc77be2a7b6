"""Flavor, metadata and configuration into an engine ContainerSpec."""
from nova import conf
from nova import test

from higgins_common import metadata
from higgins_virt import container_builder
from higgins_virt.engine import base
from higgins_virt.tests.unit import fakes


class BuildTest(test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def setUp(self):
        super().setUp()
        fakes.register_higgins_opts()

    def _build(self, host_cpus=8, disk_quota=False, **kwargs):
        instance = fakes.instance(**kwargs)
        return container_builder.build(instance, 'busybox', 'node-1',
                                       host_cpus, conf.CONF.higgins,
                                       disk_quota=disk_quota)

    def test_limits_and_hardening(self):
        spec = self._build(vcpus=2, memory_mb=256, swap=0)
        self.assertEqual(2 * 10 ** 9, spec.nano_cpus)
        self.assertEqual(256 * 1024 * 1024, spec.memory_bytes)
        self.assertEqual(spec.memory_bytes, spec.memory_swap_bytes)
        self.assertEqual(1024, spec.pids_limit)
        self.assertEqual(('NET_BIND_SERVICE',), spec.cap_add)
        self.assertEqual('none', spec.network_mode)
        self.assertIsNone(spec.disk_bytes)

    def test_flavor_swap_adds_to_memory_and_swap(self):
        spec = self._build(memory_mb=256, swap=128)
        self.assertEqual(384 * 1024 * 1024, spec.memory_swap_bytes)

    def test_cpu_quota_is_capped_at_the_host(self):
        self.assertEqual(2 * 10 ** 9,
                         self._build(vcpus=4, host_cpus=2).nano_cpus)

    def test_disk_quota_only_when_enforced(self):
        self.assertEqual(3 * 1024 ** 3,
                         self._build(root_gb=3, disk_quota=True).disk_bytes)
        self.assertIsNone(self._build(root_gb=3).disk_bytes)

    def test_console_flags_come_from_metadata(self):
        spec = self._build()
        self.assertEqual((False, False), (spec.stdin_open, spec.tty))
        spec = self._build(metadata={'higgins:interactive': 'true',
                                     'higgins:tty': 'true'})
        self.assertEqual((True, True), (spec.stdin_open, spec.tty))

    def test_logs_are_capped_by_options(self):
        self.flags(log_max_mb=2, log_max_files=4, group='higgins')
        spec = self._build()
        self.assertEqual((2 * 1024 * 1024, 4),
                         (spec.log_max_bytes, spec.log_max_files))

    def test_extra_specs_in_higgins_namespace_are_refused(self):
        for key in ('higgins:privileged', 'higgins:network_mode',
                    'higgins:devices', 'higgins:binds', 'higgins:pid'):
            instance = fakes.instance()
            instance.flavor.extra_specs = {key: 'true'}
            with self.assertRaisesRegex(container_builder.Refused, key):
                container_builder.build(instance, 'busybox', 'node-1', 2,
                                        conf.CONF.higgins)

    def test_other_extra_specs_are_left_to_nova(self):
        instance = fakes.instance()
        instance.flavor.extra_specs = {
            'trait:CUSTOM_HIGGINS_CONTAINER': 'required',
            'hw:cpu_policy': 'shared'}
        container_builder.build(instance, 'busybox', 'node-1', 2,
                                conf.CONF.higgins)

    def test_labels(self):
        instance = fakes.instance(metadata={'higgins:label:team': 'blue'})
        spec = container_builder.build(instance, 'busybox', 'node-1', 2,
                                       conf.CONF.higgins)
        self.assertEqual({'team': 'blue', 'higgins.managed': '1',
                          'higgins.host': 'node-1',
                          'higgins.instance_uuid': instance.uuid,
                          'higgins.instance_name': instance.name},
                         spec.labels)
        self.assertEqual('higgins-%s' % instance.uuid, spec.name)

    def test_metadata_overrides(self):
        spec = self._build(metadata={'higgins:command': 'sleep 5',
                                     'higgins:workdir': '/srv',
                                     'higgins:env:A': '1'})
        self.assertEqual(('sleep', '5'), spec.command)
        self.assertEqual('/srv', spec.workdir)
        self.assertEqual({'A': '1'}, spec.environment)

    def test_restart_policies(self):
        for value, engine in (('no', ('no', 0)),
                              ('on-failure:2', ('on-failure', 2)),
                              ('on-failure', ('on-failure', 0)),
                              # A Nova stop stays final after an engine
                              # restart too.
                              ('always', ('unless-stopped', 0)),
                              ('unless-stopped', ('unless-stopped', 0))):
            spec = self._build(metadata={'higgins:restart_policy': value})
            self.assertEqual(engine, (spec.restart_policy,
                                      spec.restart_max_retries))
            label = spec.labels.get('higgins.restart_policy')
            self.assertEqual(None if engine[0] == 'no' else engine[0], label)
        self.assertEqual('no', self._build().restart_policy)

    def test_invalid_metadata(self):
        self.assertRaises(metadata.InvalidMetadata, self._build,
                          metadata={'higgins:workdir': '/proc/self'})

    def test_hostname_is_trimmed_to_the_engine_limit(self):
        spec = self._build(hostname='a' * 62 + '-b')
        self.assertEqual('a' * 62, spec.hostname)


class CommandCandidatesTest(test.NoDBTestCase):

    def _clear_attrs(self):
        pass

    def _spec(self, command, environment=None, workdir=None):
        return base.ContainerSpec(name='c', image='i', labels={},
                                  command=command, workdir=workdir,
                                  environment=environment or {})

    def test_no_override_or_an_entrypoint_means_nothing_to_check(self):
        image = base.ImageInfo(id='i', environment={})
        self.assertEqual([], container_builder.command_candidates(
            self._spec(None), image))
        self.assertEqual([], container_builder.command_candidates(
            self._spec(('x',)),
            base.ImageInfo(id='i', environment={}, entrypoint=('/init',))))

    def test_search_path_order(self):
        image = base.ImageInfo(id='i', environment={'PATH': '/opt/bin:/bin'})
        self.assertEqual(['/opt/bin/app', '/bin/app'],
                         container_builder.command_candidates(
                             self._spec(('app',)), image))
        self.assertEqual(['/u/app'], container_builder.command_candidates(
            self._spec(('app',), environment={'PATH': '/u'}), image))
        self.assertEqual(['/srv/bin/app'],
                         container_builder.command_candidates(
                             self._spec(('bin/app',), workdir='/srv'),
                             image))
        self.assertEqual(
            container_builder.DEFAULT_PATH.split(':')[0] + '/app',
            container_builder.command_candidates(
                self._spec(('app',)),
                base.ImageInfo(id='i', environment={}))[0])
