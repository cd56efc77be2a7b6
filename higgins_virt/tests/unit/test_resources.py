"""Nova's resource view of a host, from what the engine reports."""
import unittest
from unittest import mock

from nova.objects import fields
from oslo_utils import units

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
