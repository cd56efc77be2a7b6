"""Every carried verb's happy path through WSGI, against the fake Nova."""
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova


class CollectionTest(base.FacadeTestCase):

    def test_create_runs_a_server_with_the_smallest_fitting_flavor(self):
        response = self.call('POST', '/v1/containers?run=true', {
            'name': 'web', 'image': fake_nova.IMAGE_NAME, 'memory': '200M',
            'command': ['sh', '-c', 'echo hi'], 'environment': {'A': 1},
            'labels': {'tier': 'front'}, 'workdir': '/srv',
            'availability_zone': 'az1'}, expect=202)
        container = response.json
        (server,) = self.cloud.servers.values()
        self.assertEqual(server['id'], container['uuid'])
        self.assertTrue(response.headers['Location'].endswith(
            '/v1/containers/%s' % server['id']))
        request = server['request']
        self.assertEqual(
            {'name': 'web', 'imageRef': fake_nova.IMAGE_ID,
             'flavorRef': 'c1.small', 'networks': 'none',
             'availability_zone': 'az1',
             'metadata': {'higgins:command': '["sh", "-c", "echo hi"]',
                          'higgins:workdir': '/srv', 'higgins:env:A': '1',
                          'higgins:label:tier': 'front'}}, request)
        self.assertEqual(
            {'name': 'web', 'status': 'Creating', 'memory': '256',
             'command': ['sh', '-c', 'echo hi'], 'project_id': 'project-a'},
            {k: container[k] for k in ('name', 'status', 'memory', 'command',
                                       'project_id')})

    def test_create_retries_with_fresh_flavors_if_one_was_deleted(self):
        self.call('POST', '/v1/containers?run=true',
                  {'image': fake_nova.IMAGE_ID}, expect=202)
        del self.cloud.flavors['c1.tiny']   # while the facade cached it
        self.call('POST', '/v1/containers?run=true',
                  {'image': fake_nova.IMAGE_ID}, expect=202)
        self.assertEqual(['c1.tiny', 'c1.small'],
                         [s['request']['flavorRef']
                          for s in self.cloud.servers.values()])

    def test_list_shows_the_project_s_containers(self):
        mine = self.server(name='mine')
        self.server(name='theirs', project=base.OTHER_PROJECT)
        listed = self.call('GET', '/v1/containers', expect=200).json
        self.assertEqual([mine['id']],
                         [c['uuid'] for c in listed['containers']])
        everyone = self.call('GET', '/v1/containers?all_projects=1',
                             roles='admin', expect=200).json
        self.assertEqual({'mine', 'theirs'},
                         {c['name'] for c in everyone['containers']})

    def test_list_limit_and_marker(self):
        servers = [self.server(name='s%d' % i) for i in range(3)]
        listed = self.call('GET', '/v1/containers?limit=1&marker=%s'
                           % servers[0]['id'], expect=200).json
        self.assertEqual([servers[1]['id']],
                         [c['uuid'] for c in listed['containers']])


class ContainerTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        self.uuid = self.server(name='web')['id']
        self.path = '/v1/containers/%s' % self.uuid

    def status(self):
        return self.cloud.servers[self.uuid]['status']

    def test_show_by_uuid_and_by_name(self):
        for ident in (self.uuid, 'web'):
            shown = self.call('GET', '/v1/containers/%s' % ident,
                              expect=200).json
            self.assertEqual((self.uuid, 'Running'),
                             (shown['uuid'], shown['status']))

    def test_patch_and_rename(self):
        patched = self.call('PATCH', self.path, {'name': 'second'},
                            expect=200).json
        self.assertEqual('second', patched['name'])
        self.call('POST', '/v1/containers/second/rename?name=third',
                  expect=200)
        self.assertEqual('third', self.cloud.servers[self.uuid]['name'])

    def test_lifecycle_actions_become_nova_actions(self):
        steps = [('stop?timeout=5', 'os-stop', None, 'SHUTOFF'),
                 ('start', 'os-start', None, 'ACTIVE'),
                 ('pause', 'pause', None, 'PAUSED'),
                 ('unpause', 'unpause', None, 'ACTIVE'),
                 ('reboot', 'reboot', {'type': 'SOFT'}, 'ACTIVE'),
                 ('kill?signal=SIGTERM', 'os-stop', None, 'SHUTOFF')]
        for verb, action, args, status in steps:
            self.call('POST', '%s/%s' % (self.path, verb), expect=202)
            self.assertEqual((self.uuid, action, args),
                             self.cloud.actions[-1], verb)
            self.assertEqual(status, self.status(), verb)

    def test_logs_whole_and_tail(self):
        self.cloud.console[self.uuid] = 'one\ntwo\nthree\n'
        self.assertEqual('one\ntwo\nthree\n', self.call(
            'GET', self.path + '/logs', expect=200).json)
        self.assertEqual('two\nthree\n', self.call(
            'GET', self.path + '/logs?tail=2', expect=200).json)
        self.assertEqual('', self.call(
            'GET', self.path + '/logs?tail=0', expect=200).json)

    def test_commit_names_the_image_as_zun_does(self):
        # The repository alone; ":tag" only when a tag is given.
        image = self.call('POST', self.path + '/commit?repository=snap',
                          expect=202).json['uuid']
        self.assertEqual('snap', self.cloud.images[image]['name'])
        self.assertEqual(
            (self.uuid, 'createImage', {'name': 'snap'}),
            self.cloud.actions[-1])
        image = self.call('POST', self.path + '/commit?repository=snap&'
                          'tag=v2', expect=202).json['uuid']
        self.assertEqual('snap:v2', self.cloud.images[image]['name'])

    def test_delete_a_stopped_container(self):
        self.cloud.servers[self.uuid]['status'] = 'SHUTOFF'
        self.assertEqual(b'', self.call('DELETE', self.path,
                                        expect=204).body)
        self.assertEqual({}, self.cloud.servers)

    def test_delete_running_with_force_or_stop(self):
        other = self.server(name='other')['id']
        self.call('DELETE', self.path + '?force=true', expect=204)
        self.call('DELETE', '/v1/containers/%s?stop=true' % other,
                  expect=204)
        self.assertEqual({}, self.cloud.servers)


class ConsoleTest(base.FacadeTestCase):

    def _create(self, **fields):
        body = dict(image=fake_nova.IMAGE_ID, **fields)
        created = self.call('POST', '/v1/containers?run=true', body,
                            expect=202).json
        server = self.cloud.servers[created['uuid']]
        server['status'] = 'ACTIVE'
        return created, server

    def test_interactive_and_tty_become_metadata_and_show(self):
        created, server = self._create(interactive=True, tty=True)
        self.assertEqual({'higgins:interactive': 'true',
                          'higgins:tty': 'true'}, server['metadata'])
        self.assertEqual((True, True),
                         (created['interactive'], created['tty']))
        shown = self.call('GET', '/v1/containers/%s' % created['uuid'],
                          expect=200).json
        self.assertEqual((True, True), (shown['interactive'], shown['tty']))
        # Zun's defaults ask for nothing.
        created, server = self._create(interactive=False, tty=None)
        self.assertNotIn('metadata', server['request'])
        self.assertEqual((False, False),
                         (created['interactive'], created['tty']))

    def test_attach_answers_nova_s_serial_console_url(self):
        created, _ = self._create(interactive=True, tty=True)
        url = self.call('GET', '/v1/containers/%s/attach' % created['uuid'],
                        expect=200).json
        self.assertEqual(self.cloud.console_urls, [url])
        self.assertTrue(url.startswith('ws://127.0.0.1:6083/?token='))

    def test_attach_needs_an_interactive_running_container(self):
        created, server = self._create()
        detail = self.error(self.call(
            'GET', '/v1/containers/%s/attach' % created['uuid']), 400,
            'higgins.bad_request')
        self.assertIn('interactive=true', detail)
        created, server = self._create(interactive=True)
        server['status'] = 'SHUTOFF'
        self.error(self.call('GET', '/v1/containers/%s/attach'
                             % created['uuid']), 409,
                   'higgins.invalid_state')
        self.assertEqual([], self.cloud.console_urls)

    def test_attach_with_serial_consoles_off_relays_nova_s_reason(self):
        self.cloud.serial_console = False
        created, _ = self._create(interactive=True)
        detail = self.error(self.call(
            'GET', '/v1/containers/%s/attach' % created['uuid']), 400,
            'higgins.bad_request')
        self.assertEqual('Unavailable console type serial.', detail)

    def test_resize_says_nova_cannot(self):
        created, _ = self._create(interactive=True, tty=True)
        path = '/v1/containers/%s/resize' % created['uuid']
        detail = self.error(self.call('POST', path + '?h=24&w=80'), 400,
                            'higgins.bad_request')
        self.assertIn('Nova has no console resize', detail)
        for query in ('', '?h=24', '?h=0&w=80', '?h=x&w=80'):
            detail = self.error(self.call('POST', path + query), 400,
                                'higgins.bad_request')
            self.assertNotIn('Nova', detail, query)
