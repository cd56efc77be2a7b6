"""The mapping between containers and Nova servers."""
import unittest

from higgins_api import errors
from higgins_api import translate

TRAIT = {translate.TRAIT_SPEC: 'required'}


def flavor(name, vcpus, ram, disk=1, extra_specs=TRAIT):
    return {'id': name, 'name': name, 'vcpus': vcpus, 'ram': ram,
            'disk': disk, 'extra_specs': extra_specs}


FLAVORS = [flavor('c1.medium', 2, 512), flavor('c1.tiny', 1, 128),
           flavor('c1.small', 1, 256), flavor('m1.huge', 8, 16384, 20, {})]


class FlavorTest(unittest.TestCase):

    def test_smallest_container_flavor_that_fits(self):
        self.assertEqual('c1.tiny', translate.pick_flavor(FLAVORS)['name'])
        self.assertEqual('c1.small',
                         translate.pick_flavor(FLAVORS, memory=200)['name'])
        self.assertEqual('c1.medium',
                         translate.pick_flavor(FLAVORS, cpu=1.5)['name'])

    def test_vm_flavors_are_never_chosen(self):
        self.assertRaisesRegex(errors.BadRequest, 'cpu/memory',
                               translate.pick_flavor, FLAVORS, cpu=4)

    def test_memory_forms(self):
        self.assertEqual(512, translate.memory_mib('512'))
        self.assertEqual(512, translate.memory_mib('512M'))
        self.assertEqual(512, translate.memory_mib(512))
        self.assertEqual(2048, translate.memory_mib('2g'))
        for bad in ('lots', '0', '-1', '1T'):
            self.assertRaises(errors.BadRequest, translate.memory_mib, bad)


class StatusTest(unittest.TestCase):

    def test_zun_status_names(self):
        for nova_status, zun in (('BUILD', 'Creating'), ('ACTIVE', 'Running'),
                                 ('SHUTOFF', 'Stopped'),
                                 ('PAUSED', 'Paused'), ('ERROR', 'Error'),
                                 ('SHELVED', 'Unknown')):
            self.assertEqual(zun, translate.status_of({'status': nova_status}))
        self.assertEqual('Deleting', translate.status_of(
            {'status': 'ACTIVE', 'OS-EXT-STS:task_state': 'deleting'}))


class MetadataTest(unittest.TestCase):

    def test_fields_become_the_driver_contract(self):
        self.assertEqual(
            {'higgins:command': '["sh", "-c", "echo hi"]',
             'higgins:workdir': '/srv', 'higgins:env:A': '1',
             'higgins:label:tier': 'web'},
            translate.server_metadata({
                'command': ['sh', '-c', 'echo hi'], 'workdir': '/srv',
                'environment': {'A': 1}, 'labels': {'tier': 'web'}}))

    def test_errors_name_the_container_field(self):
        for body, field in (({'workdir': '/proc/1'}, 'workdir'),
                            ({'environment': {'no-dash': 'x'}},
                             'environment.no-dash'),
                            ({'labels': {'higgins.x': 'y'}},
                             'labels.higgins.x')):
            with self.assertRaises(errors.BadRequest) as caught:
                translate.server_metadata(body)
            self.assertTrue(caught.exception.detail.startswith(field + ':'),
                            caught.exception.detail)

    def test_unsupported_fields_refused_unless_empty(self):
        translate.refuse_unsupported({'auto_remove': False, 'nets': [],
                                      'hints': {}})
        self.assertRaisesRegex(errors.BadRequest, '^mounts:',
                               translate.refuse_unsupported,
                               {'mounts': [{'source': '/etc'}]})

    def test_view_of_a_server(self):
        view = translate.container_view({
            'id': 'u1', 'name': 'web', 'status': 'ERROR',
            'fault': {'message': 'The container engine failed the request.'},
            'flavor': {'vcpus': 1, 'ram': 128, 'disk': 1},
            'image': {'id': 'i1'},
            'metadata': {'higgins:command': 'sleep 5', 'other': 'x'},
            'tenant_id': 'p1'}, 'http://h')
        self.assertEqual('Error', view['status'])
        self.assertEqual('The container engine failed the request.',
                         view['status_reason'])
        self.assertEqual(['sleep', '5'], view['command'])
        self.assertEqual('128', view['memory'])
        self.assertEqual(1.0, view['cpu'])
        self.assertEqual('http://h/v1/containers/u1',
                         view['links'][0]['href'])
