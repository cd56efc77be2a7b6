"""Container verbs through the facade, checked on Nova and on the engine."""
import time

from higgins_api.tests.functional import base


class ContainerLifecycleTest(base.FacadeTestCase):

    def test_run_creates_a_server_and_a_running_container(self):
        container = self.run_container(
            name='web', command=['sh', '-c', 'echo hello-facade; sleep 1000'],
            environment={'GREETING': 'hi'}, labels={'tier': 'front'},
            workdir='/tmp', memory='100M', cpu=1)
        server = self.admin_api.get_server(container['uuid'])
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual('c1.tiny', server['flavor']['original_name'])
        engine = self.engine_container(container['uuid'])
        self.assertEqual('running', engine.status)
        config = engine.attrs['Config']
        self.assertEqual(['sh', '-c', 'echo hello-facade; sleep 1000'],
                         config['Cmd'])
        self.assertIn('GREETING=hi', config['Env'])
        self.assertEqual('front', config['Labels']['tier'])
        self.assertEqual('/tmp', config['WorkingDir'])
        self.assertEqual(
            {'name': 'web', 'status': 'Running', 'cpu': 1.0, 'memory': '128',
             'environment': {'GREETING': 'hi'}, 'labels': {'tier': 'front'},
             'workdir': '/tmp', 'image': self.image_id},
            {k: container[k] for k in ('name', 'status', 'cpu', 'memory',
                                       'environment', 'labels', 'workdir',
                                       'image')})

        # Found by name too, and listed for its project.
        self.assertEqual(container['uuid'], self.call(
            'GET', '/v1/containers/web', expect=200).json['uuid'])
        listed = self.call('GET', '/v1/containers', expect=200).json
        self.assertEqual([container['uuid']],
                         [c['uuid'] for c in listed['containers']])

    def test_logs_show_the_command_output(self):
        container = self.run_container(
            command=['sh', '-c', 'echo line-one; echo line-two; sleep 1000'])
        deadline = time.monotonic() + 10
        while True:
            logs = self.call('GET', '/v1/containers/%s/logs'
                             % container['uuid'], expect=200).json
            if 'line-two' in logs or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual('line-one\nline-two\n', logs)
        tail = self.call('GET', '/v1/containers/%s/logs?tail=1'
                         % container['uuid'], expect=200).json
        self.assertEqual('line-two\n', tail)

    def test_stop_start_pause_unpause_reboot_kill_delete(self):
        uuid = self.run_container()['uuid']
        path = '/v1/containers/%s' % uuid

        self.call('POST', path + '/stop?timeout=5', expect=202)
        self.wait_for_status(uuid, 'Stopped')
        self.assertEqual('exited', self.engine_container(uuid).status)

        self.call('POST', path + '/start', expect=202)
        self.wait_for_status(uuid, 'Running')
        self.assertEqual('running', self.engine_container(uuid).status)

        self.call('POST', path + '/pause', expect=202)
        self.wait_for_status(uuid, 'Paused')
        self.assertEqual('paused', self.engine_container(uuid).status)
        self.call('POST', path + '/unpause', expect=202)
        self.wait_for_status(uuid, 'Running')
        self.assertEqual('running', self.engine_container(uuid).status)

        started = self.engine_container(uuid).attrs['State']['StartedAt']
        self.call('POST', path + '/reboot', expect=202)
        deadline = time.monotonic() + 30
        while (self.engine_container(uuid).attrs['State']['StartedAt'] ==
               started and time.monotonic() < deadline):
            time.sleep(0.1)
        self.wait_for_status(uuid, 'Running')
        self.assertNotEqual(
            started, self.engine_container(uuid).attrs['State']['StartedAt'])

        self.call('POST', path + '/kill?signal=SIGKILL', expect=202)
        self.wait_for_status(uuid, 'Stopped')
        self.assertEqual('exited', self.engine_container(uuid).status)

        self.call('DELETE', path, expect=204)
        self.wait_until_gone(uuid)
        self.assertEqual([], self.host_containers())

    def test_rename_and_patch(self):
        uuid = self.run_container(name='first')['uuid']
        self.call('POST', '/v1/containers/%s/rename?name=second' % uuid,
                  expect=200)
        self.assertEqual('second', self.admin_api.get_server(uuid)['name'])
        patched = self.call('PATCH', '/v1/containers/second',
                            {'name': 'third'}, expect=200).json
        self.assertEqual('third', patched['name'])
        self.assertEqual('third', self.admin_api.get_server(uuid)['name'])

    def test_commit_saves_the_container_in_glance(self):
        uuid = self.run_container(
            command=['sh', '-c', 'echo committed > /marker; sleep 1000']
        )['uuid']
        image_id = self.call(
            'POST', '/v1/containers/%s/commit?repository=snap&tag=v1' % uuid,
            expect=202).json['uuid']
        self.notifier.wait_for_versioned_notifications(
            'instance.snapshot.end')
        image = self.glance.show(None, image_id)
        self.assertEqual('snap:v1', image['name'])
        self.assertEqual('docker', image['container_format'])
        self.assertGreater(image['size'], 0)
        self.wait_for_status(uuid, 'Running')

        # A container run from the committed image has the file.
        self.remove_at_cleanup('higgins/glance-%s:latest' % image_id)
        clone = self.run_container(image=image_id,
                                   command=['cat', '/marker'])
        deadline = time.monotonic() + 10
        logs = ''
        while 'committed' not in logs and time.monotonic() < deadline:
            logs = self.call('GET', '/v1/containers/%s/logs'
                             % clone['uuid'], expect=200).json
            time.sleep(0.1)
        self.assertEqual('committed\n', logs)


class ContainerErrorsTest(base.FacadeTestCase):

    def test_wrong_state_is_409(self):
        uuid = self.run_container()['uuid']
        path = '/v1/containers/%s' % uuid
        for verb in ('start', 'unpause'):
            response = self.call('POST', '%s/%s' % (path, verb), expect=409)
            self.assertEqual('higgins.invalid_state',
                             response.json['errors'][0]['code'])
        # A running container is not deleted without force or stop.
        self.call('DELETE', path, expect=409)
        self.assertEqual('running', self.engine_container(uuid).status)
        self.call('POST', path + '/stop', expect=202)
        self.wait_for_status(uuid, 'Stopped')
        for verb in ('stop', 'pause', 'reboot', 'kill'):
            self.call('POST', '%s/%s' % (path, verb), expect=409)
        self.call('DELETE', path + '?force=true', expect=204)

    def test_other_project_gets_404_and_changes_nothing(self):
        uuid = self.run_container(name='mine')['uuid']
        path = '/v1/containers/%s' % uuid
        other = base.OTHER_PROJECT
        self.call('GET', path, project=other, expect=404)
        self.call('GET', '/v1/containers/mine', project=other, expect=404)
        self.call('POST', path + '/stop', project=other, expect=404)
        self.call('DELETE', path + '?force=true', project=other, expect=404)
        self.assertEqual([], self.call('GET', '/v1/containers',
                                       project=other).json['containers'])
        self.assertEqual('running', self.engine_container(uuid).status)

    def test_malformed_bodies_are_400_naming_the_field(self):
        cases = [
            (b'{not json', 'body is not valid JSON'),
            ([1, 2], 'must be a JSON object'),
            ({}, 'image: is required'),
            ({'image': self.image_id, 'cpu': 'two'}, 'cpu: '),
            ({'image': self.image_id, 'cpu': 0}, 'cpu: '),
            ({'image': self.image_id, 'memory': 'lots'}, 'memory: '),
            ({'image': self.image_id, 'name': 'bad name!'}, 'name: '),
            ({'image': self.image_id, 'environment': {'1BAD': 'x'}},
             'environment.1BAD: '),
            ({'image': self.image_id, 'workdir': '/proc/self/cwd'},
             'workdir: must not be under /proc'),
            ({'image': self.image_id, 'command': 42}, 'command: '),
            ({'image': self.image_id, 'privileged': True}, 'privileged: '),
            ({'image': self.image_id, 'memory': '64G'}, 'cpu/memory: '),
            ({'image': 'no-such-image'}, 'image: no-such-image not found'),
            ({'image': '0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1'},
             'image: 0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1 not found'),
        ]
        for body, message in cases:
            response = self.call('POST', '/v1/containers?run=true', body)
            self.assertEqual(400, response.status_int, (body, response.text))
            self.assertIn(message, response.json['errors'][0]['detail'],
                          body)
        self.assertEqual([], self.admin_api.get_servers(
            search_opts={'all_tenants': 1}))
        self.assertEqual([], self.host_containers())
        for path in ('/v1/containers?limit=many',
                     '/v1/containers/x/logs?tail=-1'):
            response = self.call('GET', path)
            self.assertEqual(400, response.status_int, response.text)
        self.call('POST', '/v1/containers/x/rename', expect=400)

    def test_unsupported_verbs_are_501(self):
        uuid = self.run_container()['uuid']
        for method, verb in (('POST', 'execute'), ('GET', 'top'),
                             ('GET', 'get_archive'),
                             ('POST', 'put_archive')):
            response = self.call(method, '/v1/containers/%s/%s'
                                 % (uuid, verb), expect=501)
            self.assertIn('Nova', response.json['errors'][0]['detail'])

    def test_kill_refuses_signals_nova_cannot_send(self):
        uuid = self.run_container()['uuid']
        self.call('POST', '/v1/containers/%s/kill?signal=SIGHUP' % uuid,
                  expect=400)
        self.assertEqual('running', self.engine_container(uuid).status)

    def test_versions(self):
        root = self.call('GET', '/', expect=200).json
        self.assertEqual('1.40', root['versions'][0]['max_version'])
        response = self.call('GET', '/v1/containers', version='1.99',
                             expect=406)
        self.assertEqual('higgins.version_not_supported',
                         response.json['errors'][0]['code'])
        ok = self.call('GET', '/v1/containers', version='1.20', expect=200)
        self.assertEqual('container 1.20',
                         ok.headers['OpenStack-API-Version'])
