"""Issue 13 through the driver: created-not-started, entrypoint and
hostname, and image_driver=docker, checked on the engine."""
from higgins_api.tests.functional import base
from higgins_virt.tests import engine_fixtures

# The engine's StartedAt of a container that never ran.
NEVER = '0001-01-01T00:00:00Z'


class CreatedTest(base.FacadeTestCase):

    def test_created_without_running_then_started(self):
        uuid = self.call('POST', '/v1/containers', {
            'image': self.image_id,
            'command': ['sh', '-c', 'echo ran-once; sleep 1000']},
            expect=202).json['uuid']
        self.wait_for_status(uuid, 'Created', timeout=20)
        # SHUTOFF within seconds, not at Nova's ten-minute power sync.
        server = self._wait_for_state_change(
            self.admin_api.get_server(uuid), 'SHUTOFF', max_retries=100)
        self.assertEqual(4, server['OS-EXT-STS:power_state'])
        self.assertEqual('Created', self.call(
            'GET', '/v1/containers/%s' % uuid).json['status'])
        engine = self.engine_container(uuid)
        self.assertEqual('created', engine.status)
        self.assertEqual(NEVER, engine.attrs['State']['StartedAt'])
        self.assertEqual(b'', engine.logs())

        self.call('POST', '/v1/containers/%s/start' % uuid, expect=202)
        self.wait_for_status(uuid, 'Running')
        engine = self.engine_container(uuid)
        self.assertEqual('running', engine.status)
        self.assertNotEqual(NEVER, engine.attrs['State']['StartedAt'])
        self.call('POST', '/v1/containers/%s/stop' % uuid, expect=202)
        self.wait_for_status(uuid, 'Stopped')


class EntrypointHostnameTest(base.FacadeTestCase):

    def test_entrypoint_and_hostname_reach_the_container(self):
        container = self.run_container(
            entrypoint=['/bin/sh', '-c'], hostname='web-1',
            command='echo entry-$(hostname); sleep 1000')
        config = self.engine_container(container['uuid']).attrs['Config']
        self.assertEqual(['/bin/sh', '-c'], config['Entrypoint'])
        self.assertEqual(['echo', 'entry-$(hostname);', 'sleep', '1000'],
                         config['Cmd'])
        self.assertEqual('web-1', config['Hostname'])
        self.assertEqual(['/bin/sh', '-c'], container['entrypoint'])


class DockerDriverTest(base.FacadeTestCase):

    def test_allowed_reference_runs(self):
        container = self.run_container(
            image=engine_fixtures.TEST_IMAGE, image_driver='docker',
            restart_policy={'Name': 'no'}, image_pull_policy='always',
            security_groups=['default'])
        self.assertEqual((engine_fixtures.TEST_IMAGE, 'docker'),
                         (container['image'], container['image_driver']))
        server = self.admin_api.get_server(container['uuid'])
        image = self.glance.images[server['image']['id']]
        self.assertEqual(engine_fixtures.TEST_IMAGE,
                         image['properties']['higgins_image_ref'])
        self.assertEqual(base.PROJECT, image['owner'])
        self.assertEqual('running',
                         self.engine_container(container['uuid']).status)

    def test_refused_reference_is_a_clear_error(self):
        uuid = self.call('POST', '/v1/containers?run=true', {
            'image': 'nginx:1.27', 'image_driver': 'docker'},
            expect=202).json['uuid']
        container = self.wait_for_status(uuid, 'Error')
        self.assertIn('not among the images the operator allows',
                      container['status_reason'])
        self.assertEqual([], self.host_containers())
