"""Zun's restart_policy: validated as Zun does, passed to the driver in the
server's metadata, shown back in Zun's form."""
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova


class RestartPolicyTest(base.FacadeTestCase):

    def create(self, policy, expect=202):
        body = {'image': fake_nova.IMAGE_ID}
        if policy is not ...:
            body['restart_policy'] = policy
        return self.call('POST', '/v1/containers?run=true', body,
                         expect=expect)

    def created_server(self):
        (server,) = self.cloud.servers.values()
        return server

    def test_zun_s_values_reach_the_server_metadata(self):
        cases = (
            ({'Name': 'always'}, 'always', '0'),
            # python-zunclient sends the count as a string, always.
            ({'Name': 'always', 'MaximumRetryCount': '0'}, 'always', '0'),
            ({'Name': 'unless-stopped'}, 'unless-stopped', '0'),
            ({'Name': 'on-failure', 'MaximumRetryCount': '2'},
             'on-failure:2', '2'),
            ({'Name': 'on-failure', 'MaximumRetryCount': 5},
             'on-failure:5', '5'),
            # Without a count the engine retries without limit.
            ({'Name': 'on-failure'}, 'on-failure', '0'),
        )
        for policy, stored, shown in cases:
            self.cloud.servers.clear()
            with self.subTest(policy=policy):
                view = self.create(policy).json
                self.assertEqual(
                    stored, self.created_server()['metadata'][
                        'higgins:restart_policy'])
                self.assertEqual({'Name': policy['Name'],
                                  'MaximumRetryCount': shown},
                                 view['restart_policy'])
                shown_again = self.call(
                    'GET', '/v1/containers/%s' % view['uuid'],
                    expect=200).json['restart_policy']
                self.assertEqual(view['restart_policy'], shown_again)

    def test_no_policy_writes_nothing(self):
        # "no" ignores a count, as Zun does.
        for policy in (..., None, {}, {'Name': 'no'},
                       {'Name': 'no', 'MaximumRetryCount': '5'}):
            self.cloud.servers.clear()
            with self.subTest(policy=policy):
                view = self.create(policy).json
                self.assertNotIn('higgins:restart_policy',
                                 self.created_server()['metadata'])
                self.assertEqual({'Name': 'no', 'MaximumRetryCount': '0'},
                                 view['restart_policy'])

    def test_refusals_change_nothing(self):
        for policy in ({'Name': 'always', 'MaximumRetryCount': 1},
                       {'Name': 'unless-stopped', 'MaximumRetryCount': '3'},
                       {'Name': 'sometimes'},
                       {'Name': 'on-failure', 'MaximumRetryCount': 'x'},
                       {'Name': 'on-failure', 'MaximumRetryCount': -1},
                       {'Name': 'on-failure', 'MaximumRetryCount': 10001},
                       {'Name': 'no', 'Delay': 3}, 'always'):
            with self.subTest(policy=policy):
                detail = self.error(self.create(policy, expect=None), 400,
                                    'higgins.bad_request')
                self.assertTrue(detail.startswith('restart_policy'), detail)
        self.assertEqual({}, self.cloud.servers)

    def test_a_policy_set_through_nova_is_shown(self):
        server = self.server(metadata={
            'higgins:restart_policy': 'on-failure:4'})
        view = self.call('GET', '/v1/containers/%s' % server['id'],
                         expect=200).json
        self.assertEqual({'Name': 'on-failure', 'MaximumRetryCount': '4'},
                         view['restart_policy'])
