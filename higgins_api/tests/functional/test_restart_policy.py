"""Zun's restart_policy through the facade, Nova and the real engine."""
from higgins_api.tests.functional import base


class RestartPolicyTest(base.FacadeTestCase):

    def test_on_failure_through_the_facade(self):
        container = self.run_container(
            command=['sh', '-c', 'sleep 2; exit 1'],
            restart_policy={'Name': 'on-failure', 'MaximumRetryCount': '1'})
        self.assertEqual({'Name': 'on-failure', 'MaximumRetryCount': '1'},
                         container['restart_policy'])
        engine = self.engine_container(container['uuid'])
        self.assertEqual({'Name': 'on-failure', 'MaximumRetryCount': 1},
                         engine.attrs['HostConfig']['RestartPolicy'])
        # The engine restarts it once; then Nova, and so Zun's view, says
        # Stopped.
        self.wait_for_status(container['uuid'], 'Stopped', timeout=60)
        engine.reload()
        self.assertEqual(1, engine.attrs['RestartCount'])
        self.assertEqual('exited', engine.status)

    def test_refused_before_nova(self):
        response = self.call('POST', '/v1/containers?run=true', {
            'image': self.image_id,
            'restart_policy': {'Name': 'always', 'MaximumRetryCount': 3}},
            expect=400)
        self.assertIn('maximum retry count not valid',
                      response.json['errors'][0]['detail'])
        self.assertEqual([], self.host_containers())
