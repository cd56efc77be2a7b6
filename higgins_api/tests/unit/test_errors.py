"""What the facade refuses, and how: 409, 404, 400, 403, 501 through WSGI."""
import webob

from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova
from higgins_api import verbs

# Nova's status for each Zun status the facade shows.
NOVA_STATUS = {'Creating': 'BUILD', 'Running': 'ACTIVE', 'Stopped': 'SHUTOFF',
               'Paused': 'PAUSED', 'Restarting': 'REBOOT',
               'Rebuilding': 'REBUILD', 'Error': 'ERROR',
               'Deleted': 'DELETED', 'Unknown': 'SHELVED'}


def _request(verb, uuid):
    """Method, path and body of a well-formed request for ``verb``."""
    path = verb.path.replace('{%s}' % verbs.IDENT, uuid)
    query = {'commit': '?repository=snap', 'rename': '?name=new',
             'resize': '?h=24&w=80',
             'network_detach': '?network=private'}
    body = {'create': {'image': fake_nova.IMAGE_ID},
            'update': {'name': 'new'}}
    return verb.method, path + query.get(verb.name, ''), body.get(verb.name)


class WrongStateTest(base.FacadeTestCase):

    def assert_conflict(self, verb_name, status, path_tail=''):
        """The verb on a container in ``status`` is 409, and no call."""
        server = self.server(status=NOVA_STATUS[status])
        verb = next(v for v in verbs.VERBS if v.name == verb_name)
        method, path, body = _request(verb, server['id'])
        detail = self.error(self.call(method, path + path_tail, body), 409,
                            'higgins.invalid_state')
        self.assertIn(status, detail)
        self.assertEqual([], self.cloud.actions)
        self.assertIn(server['id'], self.cloud.servers)

    def test_zun_s_wrong_states(self):
        for verb, status in (('start', 'Running'), ('stop', 'Stopped'),
                             ('pause', 'Paused'), ('pause', 'Stopped'),
                             ('unpause', 'Running'), ('reboot', 'Stopped'),
                             ('kill', 'Stopped'), ('delete', 'Running'),
                             ('delete', 'Paused'), ('logs', 'Creating'),
                             ('commit', 'Creating')):
            with self.subTest(verb=verb, status=status):
                self.assert_conflict(verb, status)

    def test_every_status_outside_the_table_is_409(self):
        for verb in verbs.VERBS:
            for status in set(NOVA_STATUS) - set(verb.allowed or NOVA_STATUS):
                with self.subTest(verb=verb.name, status=status):
                    self.assert_conflict(verb.name, status)

    def test_deleting_is_409_even_with_force(self):
        server = self.server(**{'OS-EXT-STS:task_state': 'deleting'})
        self.error(self.call('DELETE', '/v1/containers/%s?force=true'
                             % server['id']), 409, 'higgins.invalid_state')

    def test_nova_s_own_409_is_relayed(self):
        uuid = self.server()['id']
        self.cloud.fail_next = (409, 'conflictingRequest',
                                'Cannot pause while rebooting')
        detail = self.error(self.call('POST', '/v1/containers/%s/pause'
                                      % uuid), 409, 'higgins.invalid_state')
        self.assertEqual('Cannot pause while rebooting', detail)


class NotFoundTest(base.FacadeTestCase):

    def test_unknown_uuid_and_name(self):
        for ident in ('0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1', 'nobody'):
            detail = self.error(self.call('GET', '/v1/containers/%s'
                                          % ident), 404, 'higgins.not_found')
            self.assertEqual('container %s not found' % ident, detail)

    def test_other_project_s_container_does_not_exist(self):
        server = self.server(name='theirs', project=base.OTHER_PROJECT,
                             status='SHUTOFF')
        for verb in verbs.VERBS:
            if not verb.path.startswith(verbs.CONTAINER):
                continue
            method, path, body = _request(verb, server['id'])
            with self.subTest(verb=verb.name):
                self.error(self.call(method, path, body), 404,
                           'higgins.not_found')
        self.error(self.call('GET', '/v1/containers/theirs'), 404,
                   'higgins.not_found')
        self.assertEqual('SHUTOFF', server['status'])
        self.assertEqual([], self.cloud.actions)

    def test_odd_identifiers_on_every_verb_are_404_not_502(self):
        # Nova failing would be a 502: the identifier never reaches it.
        self.cloud.fail_next = (500, 'computeFault', 'boom')
        for ident in ('%00', 'a%20b', '..', 'x\'y', '%E2%98%83', '-a',
                      'a' * 300, '%ff', '%3B'):
            for verb in verbs.VERBS:
                if not verb.path.startswith(verbs.CONTAINER):
                    continue
                method, path, body = _request(verb, ident)
                with self.subTest(ident=ident, verb=verb.name):
                    self.error(self.call(method, path, body), 404,
                               'higgins.not_found')
        self.assertIsNotNone(self.cloud.fail_next)

    def test_unknown_path_and_method(self):
        self.error(self.call('GET', '/v2/things'), 404, 'higgins.not_found')
        self.error(self.call('PUT', '/v1/containers'), 405,
                   'higgins.method_not_allowed')


class BadRequestTest(base.FacadeTestCase):

    def test_create_bodies_name_the_field(self):
        image = fake_nova.IMAGE_ID
        missing = '0d4c6e1e-5a0e-4b8e-9d55-3f0f5fd0e6a1'
        for body, detail in (
                (b'{not json', 'the request body is not valid JSON'),
                ([1, 2], 'the request body must be a JSON object'),
                ({}, 'image: is required'),
                ({'image': image, 'cpu': 'two'}, 'cpu: must be of type'),
                ({'image': image, 'cpu': 0}, 'cpu: must be greater than 0'),
                ({'image': image, 'name': 'bad name!'}, 'name: may hold'),
                ({'image': image, 'memory': 'lots'}, 'memory: '),
                ({'image': image, 'memory': '64G'}, 'cpu/memory: '),
                ({'image': image, 'image_driver': 'kubernetes'},
                 'image_driver: must be one of glance, docker'),
                ({'image': 'Bad Ref!', 'image_driver': 'docker'},
                 'image: with image_driver docker, an image reference'),
                ({'image': image, 'hostname': '-bad'}, 'hostname: '),
                ({'image': image, 'restart_policy': {'Name': 'sometimes'}},
                 'restart_policy.Name: must be one of'),
                ({'image': image, 'restart_policy': {
                    'Name': 'always', 'MaximumRetryCount': 2}},
                 'restart_policy: maximum retry count not valid'),
                ({'image': image, 'restart_policy': {
                    'Name': 'on-failure', 'MaximumRetryCount': '-1'}},
                 'restart_policy.MaximumRetryCount: '),
                ({'image': image, 'restart_policy': {
                    'Name': 'on-failure', 'MaximumRetryCount': 10 ** 6}},
                 'restart_policy.MaximumRetryCount: must be at most 10000'),
                ({'image': image, 'restart_policy': {'Name': 'no',
                                                     'Delay': 1}},
                 'restart_policy.Delay: is not a known field'),
                ({'image': image, 'security_groups': ['web']},
                 'security_groups: the container has no network'),
                ({'image': image, 'wings': 2},
                 'wings: is not a field of a container'),
                ({'image': image, 'disk': 50}, 'cpu/memory: '),
                ({'image': image, 'workdir': '/proc/1'}, 'workdir: '),
                ({'image': image, 'privileged': True}, 'privileged: '),
                ({'image': 'no-such-image'}, 'image: no-such-image not found'),
                ({'image': missing}, 'image: %s not found' % missing)):
            with self.subTest(body=body):
                got = self.error(self.call('POST', '/v1/containers?run=true',
                                           body), 400, 'higgins.bad_request')
                self.assertTrue(got.startswith(detail), got)
        self.assertEqual({}, self.cloud.servers)

    def test_nova_s_other_400_is_relayed(self):
        self.cloud.fail_next = (400, 'badRequest', 'Invalid zone')
        self.error(self.call('POST', '/v1/containers?run=true',
                             {'image': fake_nova.IMAGE_ID}), 400,
                   'higgins.bad_request')

    def test_parameters_and_patch_bodies(self):
        uuid = self.server()['id']
        path = '/v1/containers/%s' % uuid
        for method, url, body, detail in (
                ('GET', '/v1/containers?limit=many', None, 'limit: '),
                ('GET', path + '/logs?tail=-1', None, 'tail: '),
                ('GET', path + '/logs?timestamps=true', None, 'timestamps: '),
                ('POST', path + '/rename', None, 'name: is required'),
                ('POST', path + '/rename?name=a%20b', None, 'name: '),
                ('POST', path + '/commit', None, 'repository: is required'),
                ('POST', path + '/kill?signal=SIGHUP', None, 'signal: '),
                ('POST', path + '/stop?timeout=soon', None, 'timeout: '),
                ('PATCH', path, {'image': 'x'}, 'image: cannot be changed'),
                ('PATCH', path, {}, 'body: is invalid')):
            with self.subTest(url=url, body=body):
                got = self.error(self.call(method, url, body), 400,
                                 'higgins.bad_request')
                self.assertTrue(got.startswith(detail), got)
        self.assertEqual([], self.cloud.actions)


class ForbiddenTest(base.FacadeTestCase):

    def test_every_carried_verb_checks_its_rule(self):
        uuid = self.server()['id']
        for verb in verbs.VERBS:
            method, path, body = _request(verb, uuid)
            with self.subTest(verb=verb.name):
                detail = self.error(self.call(method, path, body,
                                              roles='other'),
                                    403, 'higgins.forbidden')
                self.assertEqual('policy does not allow %s' % verb.rule.name,
                                 detail)
        self.assertEqual('ACTIVE', self.cloud.servers[uuid]['status'])

    def test_readers_cannot_change_and_members_cannot_see_everyone(self):
        uuid = self.server()['id']
        self.call('GET', '/v1/containers/%s' % uuid, roles='reader',
                  expect=200)
        self.error(self.call('POST', '/v1/containers/%s/stop' % uuid,
                             roles='reader'), 403, 'higgins.forbidden')
        detail = self.error(self.call('GET', '/v1/containers?all_projects=1'),
                            403, 'higgins.forbidden')
        self.assertIn(verbs.GET_ALL_ALL_PROJECTS.name, detail)

    def test_nova_s_quota_refusal_is_403(self):
        self.cloud.fail_next = (413, 'overLimit', 'Quota exceeded')
        self.error(self.call('GET', '/v1/containers'), 403,
                   'higgins.forbidden')

    def test_unidentified_caller_is_401(self):
        response = webob.Request.blank('/v1/containers').get_response(
            self.facade)
        self.error(response, 401, 'higgins.unauthorized')


class NotImplementedTest(base.FacadeTestCase):

    def test_verbs_nova_cannot_express_are_501_with_the_reason(self):
        uuid = self.server()['id']
        for verb in verbs.NOT_IMPLEMENTED:
            method, path, _body = _request(verb, uuid)
            with self.subTest(verb=verb.name):
                detail = self.error(self.call(method, path), 501,
                                    'higgins.not_implemented')
                self.assertEqual('%s: %s' % (verb.name, verb.not_implemented),
                                 detail)
        for method, name in (('POST', 'execute'), ('GET', 'top')):
            self.error(self.call(method, '/v1/containers/%s/%s'
                                 % (uuid, name)), 501,
                       'higgins.not_implemented')


class UpstreamTest(base.FacadeTestCase):

    def test_nova_failures_are_502_without_nova_s_text(self):
        self.cloud.fail_next = (500, 'computeFault', 'secret engine text')
        detail = self.error(self.call('GET', '/v1/containers'), 502,
                            'higgins.compute_error')
        self.assertNotIn('secret', detail)

    def test_versions(self):
        self.assertEqual('1.40', self.call('GET', '/', expect=200).json[
            'versions'][0]['max_version'])
        self.error(self.call('GET', '/v1/containers', version='1.99'), 406,
                   'higgins.version_not_supported')
        ok = self.call('GET', '/v1/containers', version='1.20', expect=200)
        self.assertEqual('container 1.20',
                         ok.headers['OpenStack-API-Version'])
