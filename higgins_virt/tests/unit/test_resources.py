"""Nova's resource view of a host, from what the engine reports."""
import dataclasses
import os
import tempfile
import unittest
from unittest import mock

from nova.objects import fields
from oslo_utils import units

from higgins_common import contract
from higgins_virt.engine import base
from higgins_virt import resources


def _engine_info(version='20.10.24', cpus=2):
    return base.EngineInfo(cpus=cpus, memory_bytes=4 * units.Gi,
                           version=version, storage_driver='overlay2',
                           root_dir='/', architecture='x86_64')


class AvailableResourceTest(unittest.TestCase):

    def _resource(self, version):
        return resources.available_resource(_engine_info(version), 'node-1',
                                            '192.0.2.1', '/')

    def test_engine_version_as_hypervisor_version(self):
        self.assertEqual(20010024,
                         self._resource('20.10.24')['hypervisor_version'])
        self.assertEqual(
            20010024,
            self._resource('20.10.24+dfsg1-1')['hypervisor_version'])

    def test_a_version_that_is_not_a_number_is_zero(self):
        for version in ('dev', '', '28.0.0~rc1'):
            self.assertEqual(0, self._resource(version)['hypervisor_version'],
                             version)

    def test_unexpected_failures_are_not_hidden(self):
        with mock.patch.object(resources.versionutils,
                               'convert_version_to_int',
                               side_effect=RuntimeError('bug')):
            self.assertRaises(RuntimeError, self._resource, '20.10.24')

    def test_memory_and_instances(self):
        resource = self._resource('20.10.24')
        self.assertEqual(4 * 1024, resource['memory_mb'])
        self.assertEqual(2, resource['vcpus'])
        self.assertEqual([('x86_64', fields.HVType.DOCKER,
                           fields.VMMode.EXE)],
                         resource['supported_instances'])


INFO = base.EngineInfo(cpus=2, memory_bytes=4 << 30, version='20.10.24',
                       storage_driver='overlay2', root_dir='/',
                       architecture='x86_64')


def _conf(disk_quota='auto', enforce_disk_quota=False):
    return mock.Mock(disk_quota=disk_quota,
                     enforce_disk_quota=enforce_disk_quota)


class DiskQuotaTest(unittest.TestCase):

    def test_auto_enforces_on_drivers_that_always_can(self):
        for driver, expected in (('btrfs', True), ('zfs', True),
                                 ('overlay2', False), ('vfs', False)):
            info = dataclasses.replace(INFO, storage_driver=driver)
            self.assertEqual(expected,
                             resources.enforces_disk_quota(info, _conf()),
                             driver)

    def test_enforce_and_off_override_the_driver(self):
        btrfs = dataclasses.replace(INFO, storage_driver='btrfs')
        self.assertTrue(resources.enforces_disk_quota(
            INFO, _conf('enforce')))
        self.assertFalse(resources.enforces_disk_quota(btrfs, _conf('off')))

    def test_deprecated_option_means_enforce(self):
        self.assertTrue(resources.enforces_disk_quota(
            INFO, _conf('off', enforce_disk_quota=True)))


class TraitsTest(unittest.TestCase):

    def test_plain_engine(self):
        held, lacking = resources.traits(INFO, _conf())
        self.assertEqual({contract.CONTAINER_TRAIT}, held)
        self.assertEqual({contract.USERNS_TRAIT, contract.DISK_QUOTA_TRAIT},
                         lacking)

    def test_hardened_engine(self):
        info = dataclasses.replace(INFO, storage_driver='btrfs',
                                   userns_remapped=True)
        held, lacking = resources.traits(info, _conf())
        self.assertEqual({contract.CONTAINER_TRAIT, contract.USERNS_TRAIT,
                          contract.DISK_QUOTA_TRAIT}, held)
        self.assertEqual(set(), lacking)


class HostFactsTest(unittest.TestCase):

    def test_answers_are_reused_until_a_refresh_or_the_ttl(self):
        fetch = mock.Mock(side_effect=['first', 'second', 'third'])
        facts = resources.HostFacts(fetch, ttl=60)
        self.assertEqual('first', facts.get())
        self.assertEqual('first', facts.get())
        self.assertEqual('second', facts.get(refresh=True))
        self.assertEqual('second', facts.get())
        self.assertEqual(2, fetch.call_count)
        with mock.patch.object(resources.time, 'monotonic',
                               return_value=10 ** 9):
            self.assertEqual('third', facts.get())

    def test_a_failed_fetch_is_not_remembered(self):
        fetch = mock.Mock(side_effect=[RuntimeError('down'), 'up'])
        facts = resources.HostFacts(fetch, ttl=60)
        self.assertRaises(RuntimeError, facts.get)
        self.assertEqual('up', facts.get())


class HostUptimeTest(unittest.TestCase):

    def proc(self, uptime, loadavg):
        path = self.enterContext(tempfile.TemporaryDirectory())
        for name, text in (('uptime', uptime), ('loadavg', loadavg)):
            with open(os.path.join(path, name), 'w') as f:
                f.write(text)
        return path

    def test_hours_and_load(self):
        text = resources.host_uptime(self.proc(
            '17283.52 30000.00\n', '0.52 1.10 0.98 2/345 6789\n'))
        self.assertRegex(
            text, r'^ \d\d:\d\d:\d\d up  4:48,  load average: '
                  r'0\.52, 1\.10, 0\.98$')

    def test_days(self):
        text = resources.host_uptime(self.proc(
            '%d.0 1.0\n' % (2 * 86400 + 3 * 3600 + 5 * 60),
            '0.00 0.01 0.05 1/2 3\n'))
        self.assertIn(' up 2 days,  3:05,', text)

    def test_this_host(self):
        self.assertIn(' up ', resources.host_uptime())
