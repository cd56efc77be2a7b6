"""Builds that must fail: a clean fault for the user, nothing left behind."""
from higgins_virt.engine import docker as docker_engine
from higgins_virt.tests.functional import base

# Words from the engine's own error texts that must never reach a user.
ENGINE_WORDS = ('docker', 'oci', 'runtime', 'exec:', '$path', 'daemon',
                'sock', 'stat ', 'http')


class SpawnFailureTest(base.HigginsTestCase):

    def assertCleanFault(self, server, expected):
        message = server['fault']['message']
        self.assertIn(expected, message)
        for word in ENGINE_WORDS:
            self.assertNotIn(word, message.lower())
        self.assertLess(len(message), 255)
        self.assertEqual([], self.host_containers())

    def test_unknown_image(self):
        self.flags(image_reference_patterns=['docker.io/higgins/*'],
                   group='higgins')
        image_id = self.register_image('higgins/not-on-this-engine:1')
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assertCleanFault(server, 'not present on the container engine')

    def test_command_that_does_not_exist(self):
        for command in ('/no/such/program', 'no-such-program arg',
                        '["/tmp"]'):
            server = self.boot(metadata={'higgins:command': command},
                               expected_state='ERROR')
            self.assertCleanFault(
                server, 'The container command could not be started')

    def test_command_found_on_the_image_search_path(self):
        server = self.boot(metadata={'higgins:command': 'sleep 1000'})
        self.assertEqual('running', self.container(server).status)

    def test_working_directory_under_proc_is_refused(self):
        server = self.boot(metadata={'higgins:workdir': '/proc/self/cwd'},
                           expected_state='ERROR')
        self.assertCleanFault(server, 'must not be under /proc')

    def test_limit_refused_by_the_engine(self):
        # The engine refuses a memory limit below 6 MiB.
        self.flavor_id = self._create_flavor(
            name='c1.too-small', memory_mb=4, vcpu=1, disk=1, ephemeral=0,
            extra_spec={'trait:CUSTOM_HIGGINS_CONTAINER': 'required'})
        server = self.boot(expected_state='ERROR')
        self.assertCleanFault(server,
                              'The engine refused the container settings')

    def test_engine_down(self):
        driver = self.compute.manager.driver
        real_engine = driver._engine
        self.addCleanup(setattr, driver, '_engine', real_engine)
        # A real client of an engine that is not there.
        driver._engine = docker_engine.DockerEngine(
            'unix:///run/higgins-test-no-engine.sock', timeout=5)
        server = self.boot(expected_state='ERROR')
        driver._engine = real_engine
        actions = self.api.get_instance_actions(server['id'])
        events = self.api.api_get(
            '/servers/%s/os-instance-actions/%s' % (
                server['id'], actions[0]['request_id'])
        ).body['instanceAction']['events']
        self.assertIn('compute__do_build_and_run_instance',
                      [e['event'] for e in events])
        # Nova tried to build here, then found no other host to retry on.
        self.assertCleanFault(server, 'Exhausted all hosts available')
