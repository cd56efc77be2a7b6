"""Issue 13: Zun's requests and answers, created-not-started, rebuild,
hosts and the hardened edges, against the in-memory Nova."""
import json

import webob

from higgins_api import app
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova

# What zun-tempest-plugin sends by default.
ZUN_DEFAULTS = {
    'name': 'c1', 'image': 'cirros:latest', 'command': 'sleep 10000',
    'cpu': 0.1, 'memory': '100', 'environment': {}, 'labels': {},
    'image_driver': 'docker', 'image_pull_policy': 'always',
    'restart_policy': {'Name': 'no'}, 'workdir': '/', 'interactive': False,
    'security_groups': ['default'],
}


class CreateTest(base.FacadeTestCase):

    def create(self, body, query='?run=true', roles=base.MEMBER):
        return self.call('POST', '/v1/containers' + query, body, roles=roles,
                         expect=202).json

    def test_zun_s_default_request_boots_a_reference_image(self):
        container = self.create(ZUN_DEFAULTS)
        (server,) = self.cloud.servers.values()
        (image,) = self.cloud.glance_images.values()
        self.assertEqual({'name': 'cirros:latest', 'owner': base.PROJECT,
                          'container_format': 'docker',
                          'higgins_image_ref': 'cirros:latest'},
                         {k: image[k] for k in ('name', 'owner',
                                                'container_format',
                                                'higgins_image_ref')})
        self.assertEqual(image['id'], server['request']['imageRef'])
        self.assertEqual('cirros:latest',
                         server['metadata']['higgins:image'])
        self.assertEqual(('cirros:latest', 'docker', '128', 1.0),
                         (container['image'], container['image_driver'],
                          container['memory'], container['cpu']))

    def test_the_project_s_reference_image_is_reused(self):
        self.create(ZUN_DEFAULTS)
        self.create(dict(ZUN_DEFAULTS, name='c2'))
        self.assertEqual(1, len(self.cloud.glance_images))
        images = {s['request']['imageRef']
                  for s in self.cloud.servers.values()}
        self.assertEqual(1, len(images))

    def test_another_project_gets_its_own_image(self):
        self.create(ZUN_DEFAULTS)
        self.call('POST', '/v1/containers?run=true', ZUN_DEFAULTS,
                  project=base.OTHER_PROJECT, expect=202)
        owners = sorted(i['owner'] for i in self.cloud.glance_images.values())
        self.assertEqual([base.PROJECT, base.OTHER_PROJECT], owners)

    def test_entrypoint_and_hostname(self):
        self.create({'image': fake_nova.IMAGE_ID, 'entrypoint': '/bin/sh -c',
                     'command': 'echo hi', 'hostname': 'web-1'})
        (server,) = self.cloud.servers.values()
        self.assertEqual('/bin/sh -c',
                         server['metadata']['higgins:entrypoint'])
        self.assertEqual('web-1', server['request']['hostname'])
        self.assertEqual('2.90', server['microversion'])
        view = self.call('GET', '/v1/containers/%s' % server['id']).json
        self.assertEqual(['/bin/sh', '-c'], view['entrypoint'])
        self.assertEqual('web-1', view['hostname'])

    def test_requested_host_is_for_admins(self):
        detail = self.error(self.call('POST', '/v1/containers', {
            'image': fake_nova.IMAGE_ID, 'host': 'compute-1'}), 403,
            'higgins.forbidden')
        self.assertIn('container:create:requested_destination', detail)
        self.assertEqual({}, self.cloud.servers)
        self.create({'image': fake_nova.IMAGE_ID, 'host': 'compute-1'},
                    roles='reader,member,admin')
        (server,) = self.cloud.servers.values()
        self.assertEqual('compute-1', server['request']['host'])


class CreatedTest(base.FacadeTestCase):

    def test_run_false_is_created_until_first_started(self):
        uuid = self.call('POST', '/v1/containers', {
            'image': fake_nova.IMAGE_ID}, expect=202).json['uuid']
        server = self.cloud.servers[uuid]
        self.assertEqual('false', server['metadata']['higgins:run'])
        path = '/v1/containers/%s' % uuid
        # Nova shows ACTIVE until it hears the container is not running.
        server.update({'status': 'ACTIVE', 'OS-EXT-STS:power_state': 4})
        self.assertEqual('Created', self.call('GET', path).json['status'])
        # Then its power sync stops the server that "shut down by itself".
        server['OS-EXT-STS:task_state'] = 'powering-off'
        self.assertEqual('Created', self.call('GET', path).json['status'])
        server.update({'status': 'SHUTOFF', 'OS-EXT-STS:task_state': None})
        self.assertEqual('Created', self.call('GET', path).json['status'])
        self.assertEqual(['Created'], [
            c['status'] for c in self.call('GET', '/v1/containers').json[
                'containers']])
        self.call('POST', path + '/start', expect=202)
        self.assertEqual('Running', self.call('GET', path).json['status'])
        self.call('POST', path + '/stop', expect=202)
        self.assertEqual('Stopped', self.call('GET', path).json['status'])

    def test_run_true_sets_no_key(self):
        self.call('POST', '/v1/containers?run=true',
                  {'image': fake_nova.IMAGE_ID}, expect=202)
        (server,) = self.cloud.servers.values()
        self.assertNotIn('higgins:run', server['metadata'])


class RebuildTest(base.FacadeTestCase):

    def test_rebuild_from_the_same_image(self):
        server = self.server(status='SHUTOFF')
        self.call('POST', '/v1/containers/%s/rebuild' % server['id'],
                  expect=202)
        self.assertEqual((server['id'], 'rebuild',
                          {'imageRef': fake_nova.IMAGE_ID}),
                         self.cloud.actions[-1])

    def test_rebuild_from_a_reference(self):
        server = self.server(metadata={'higgins:command': 'sleep 9'})
        self.call('POST', '/v1/containers/%s/rebuild?image=nginx:1.27&'
                  'image_driver=docker' % server['id'], expect=202)
        args = self.cloud.actions[-1][2]
        (image,) = self.cloud.glance_images.values()
        self.assertEqual({'imageRef': image['id'], 'metadata': {
            'higgins:command': 'sleep 9', 'higgins:image': 'nginx:1.27'}},
            args)

    def test_rebuild_of_a_paused_container_conflicts(self):
        server = self.server(status='PAUSED')
        self.error(self.call('POST', '/v1/containers/%s/rebuild'
                             % server['id']), 409, 'higgins.invalid_state')
        self.assertEqual([], self.cloud.actions)


class HostsTest(base.FacadeTestCase):
    ADMIN = 'reader,member,admin'

    def test_admins_list_and_show_hosts(self):
        (host,) = self.call('GET', '/v1/hosts', roles=self.ADMIN,
                            expect=200).json['hosts']
        self.assertEqual((fake_nova.HYPERVISOR_ID, 'compute-1', 4096, 2),
                         (host['uuid'], host['hostname'], host['mem_total'],
                          host['cpus']))
        shown = self.call('GET', '/v1/hosts/%s' % fake_nova.HYPERVISOR_ID,
                          roles=self.ADMIN, expect=200).json
        self.assertEqual(host, shown)

    def test_members_may_not(self):
        self.error(self.call('GET', '/v1/hosts'), 403, 'higgins.forbidden')

    def test_unknown_hosts(self):
        for ident in ('compute-1', '0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1'):
            self.error(self.call('GET', '/v1/hosts/%s' % ident,
                                 roles=self.ADMIN), 404, 'higgins.not_found')


class EdgesTest(base.FacadeTestCase):

    def raw(self, method, path, headers=None, body=b''):
        request = webob.Request.blank(path, method=method, headers=dict(
            {'X-User-Id': 'u', 'X-Project-Id': base.PROJECT,
             'X-Roles': base.MEMBER}, **(headers or {})))
        request.body = body
        return request.get_response(self.facade)

    def test_versions_need_no_identity(self):
        for path in ('/', '/v1', '/v1/'):
            response = webob.Request.blank(path).get_response(self.facade)
            self.assertEqual(200, response.status_int, path)

    def test_every_answer_has_a_request_id(self):
        for path in ('/', '/v1/containers', '/v1/containers/nobody'):
            response = self.call('GET', path)
            rid = response.headers['X-OpenStack-Request-Id']
            self.assertTrue(rid.startswith('req-'), path)
            if response.status_int >= 400:
                self.assertEqual(rid, response.json['errors'][0][
                    'request_id'])

    def test_405_says_what_is_allowed(self):
        response = self.call('PUT', '/v1/containers')
        self.error(response, 405, 'higgins.method_not_allowed')
        self.assertEqual('GET, POST', response.headers['Allow'])
        response = self.call('POST', '/v1')
        self.assertEqual(405, response.status_int)
        self.assertEqual('GET', response.headers['Allow'])

    def test_a_delete_never_reads_its_body(self):
        server = self.server(status='SHUTOFF')
        response = self.raw('DELETE', '/v1/containers/%s' % server['id'], {
            'Content-Type': 'multipart/form-data; boundary'}, b'--x\r\n')
        self.assertEqual(204, response.status_int, response.text)

    def test_bodies_that_are_not_json_objects(self):
        for kind, body in (('text/plain', b'{"image": "x"}'),
                           ('application/json', b'\xff\xfe'),
                           ('application/json', b'[' * 100000),
                           ('multipart/form-data; boundary', b'--x')):
            response = self.raw('POST', '/v1/containers',
                                {'Content-Type': kind}, body)
            self.error(response, 400, 'higgins.bad_request')

    def test_odd_identifiers_are_not_found_without_asking_nova(self):
        self.cloud.fail_next = (500, 'computeFault', 'boom')
        for ident in ('%00', 'a%20b', '..', 'x\'y', '%E2%98%83', '-a',
                      'a' * 300, '%ff'):
            for tail in ('', '/start', '/logs'):
                method = 'GET' if tail != '/start' else 'POST'
                self.error(self.call(method, '/v1/containers/%s%s'
                                     % (ident, tail)), 404,
                           'higgins.not_found')
        self.assertIsNotNone(self.cloud.fail_next)

    def test_query_strings_that_are_not_utf8_or_split_at_semicolons(self):
        server = self.server(status='SHUTOFF')
        for query in ('marker=%ff', '%ff=1'):
            self.error(self.call('GET', '/v1/containers?%s' % query), 400,
                       'higgins.bad_request')
        # ";" is part of a value (RFC 3986 forms split at "&" only).
        detail = self.error(self.call(
            'POST', '/v1/containers/%s/kill?signal=KILL;x=1' % server['id']),
            400, 'higgins.bad_request')
        self.assertTrue(detail.startswith('signal: '), detail)

    def test_an_image_name_several_images_share_is_409(self):
        # As Zun: "Multiple images exist with same name".
        self.cloud.images['other'] = {'id': 'other',
                                      'name': fake_nova.IMAGE_NAME}
        self.error(self.call('POST', '/v1/containers', {
            'image': fake_nova.IMAGE_NAME}), 409, 'higgins.invalid_state')
        self.assertEqual({}, self.cloud.servers)

    def test_query_values_as_zun_spells_them(self):
        server = self.server()
        path = '/v1/containers/%s' % server['id']
        # python-zunclient's kill without --signal sends signal=None.
        self.call('POST', path + '/kill?signal=None', expect=202)
        self.call('GET', path + '/logs?timestamps=False&stdout=True',
                  expect=200)
        for method, url in (('POST', path + '/reboot?timeout=-1'),
                            ('POST', path + '/reboot?timeout=+1'),
                            ('GET', path + '/logs?timestamps=maybe'),
                            ('DELETE', path + '?force=2'),
                            ('GET', '/v1/containers?all_projects=often'),
                            ('GET', '/v1/containers?limit=0')):
            with self.subTest(url=url):
                self.error(self.call(method, url), 400,
                           'higgins.bad_request')

    def test_uuid_forms_are_made_canonical(self):
        server = self.server()
        braced = '{%s}' % server['id'].upper()
        self.assertEqual(404, self.call('GET', '/v1/containers/%s'
                                        % braced).status_int)
        plain = server['id'].replace('-', '').upper()
        self.assertEqual(server['id'], self.call(
            'GET', '/v1/containers/%s' % plain, expect=200).json['uuid'])

    def test_markers_as_zun_reads_them(self):
        # Zun: an empty marker is none; one naming no container is a 404.
        server = self.server()
        self.assertEqual([server['id']], [c['uuid'] for c in self.call(
            'GET', '/v1/containers?marker=', expect=200).json['containers']])
        for marker in ('x%27', '0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1'):
            self.error(self.call('GET', '/v1/containers?marker=%s' % marker),
                       404, 'higgins.not_found')
        self.assertEqual([], self.call(
            'GET', '/v1/containers?marker=%s' % server['id'],
            expect=200).json['containers'])


class KeystoneModeTest(base.FacadeTestCase):

    def test_401_in_the_documented_format(self):
        conf = base.facade_conf()
        conf.set_override('auth_strategy', 'keystone', 'api')
        application = app.Application(conf, self.cloud.client)
        response = webob.Request.blank('/v1/containers').get_response(
            application)
        self.error(response, 401, 'higgins.unauthorized')
        self.assertEqual(200, webob.Request.blank('/').get_response(
            application).status_int)

    def test_public_paths_bypass_the_token_check(self):
        def refuse(environ, start_response):
            start_response('401 Unauthorized', [])
            return [json.dumps({'error': 'token'}).encode()]
        conf = base.facade_conf()
        wrapped = app.PublicPaths(app.Application(conf, self.cloud.client),
                                  refuse)
        self.assertEqual(200, webob.Request.blank('/v1').get_response(
            wrapped).status_int)
        self.assertEqual(401, webob.Request.blank(
            '/v1/containers').get_response(wrapped).status_int)
