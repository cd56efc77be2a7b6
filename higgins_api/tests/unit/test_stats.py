"""The stats verb: Nova's server diagnostics in Zun's format."""
from higgins_api.tests.unit import base
from higgins_api import translate

# Nova's 2.48 diagnostics of a container 50 s into its run.
DIAGNOSTICS = {
    'state': 'running', 'driver': 'libvirt', 'hypervisor': 'docker',
    'hypervisor_os': 'linux', 'uptime': 50, 'config_drive': False,
    'num_cpus': 1, 'num_disks': 1, 'num_nics': 2,
    'cpu_details': [{'id': None, 'time': 5 * 10 ** 9, 'utilisation': None}],
    'memory_details': {'maximum': 128, 'used': 32},
    'disk_details': [{'read_bytes': 4096, 'read_requests': 1,
                      'write_bytes': 8388608, 'write_requests': 20,
                      'errors_count': None}],
    'nic_details': [
        {'mac_address': 'fa:16:3e:00:00:01', 'rx_octets': 1000,
         'tx_octets': 200},
        {'mac_address': 'fa:16:3e:00:00:02', 'rx_octets': 24,
         'tx_octets': 6}],
}


class StatsTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        self.cloud.owners_read_diagnostics = True

    def stats(self, server, **kwargs):
        return self.call('GET', '/v1/containers/%s/stats' % server['id'],
                         **kwargs)

    def test_zun_format(self):
        server = self.server(name='web')
        self.cloud.diagnostics[server['id']] = DIAGNOSTICS
        response = self.stats(server)
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual({
            'CONTAINER': 'web',
            # 5 s of CPU in 50 s: a tenth of one core on average.
            'CPU %': 10.0,
            'MEM USAGE(MiB)': 32, 'MEM LIMIT(MiB)': 128, 'MEM %': 25.0,
            'BLOCK I/O(B)': '4096/8388608',
            'NET I/O(B)': '1024/206',
        }, response.json)

    def test_by_name(self):
        server = self.server(name='web')
        self.cloud.diagnostics[server['id']] = DIAGNOSTICS
        self.assertEqual(200, self.call(
            'GET', '/v1/containers/web/stats').status_int)

    def test_unmeasured_figures_are_not_zero(self):
        view = translate.stats_view({'name': 'x'}, dict(
            DIAGNOSTICS, uptime=0, disk_details=[{'read_bytes': None,
                                                  'write_bytes': None}],
            nic_details=[{'rx_octets': None, 'tx_octets': None}]))
        self.assertIsNone(view['CPU %'])
        self.assertEqual(translate.NO_VALUE_PAIR, view['BLOCK I/O(B)'])
        self.assertEqual(translate.NO_VALUE_PAIR, view['NET I/O(B)'])
        view = translate.stats_view({'name': 'x'},
                                    dict(DIAGNOSTICS, nic_details=[]))
        self.assertEqual('0/0', view['NET I/O(B)'])

    def test_nova_policy_refusal_is_a_documented_403(self):
        self.cloud.owners_read_diagnostics = False
        server = self.server()
        self.cloud.diagnostics[server['id']] = DIAGNOSTICS
        detail = self.error(self.stats(server), 403, 'higgins.forbidden')
        self.assertIn('os_compute_api:os-server-diagnostics', detail)
        # An admin passes Nova's default policy.
        self.assertEqual(200, self.stats(
            server, roles='reader,member,admin').status_int)

    def test_facade_policy_needs_a_reader(self):
        server = self.server()
        self.error(self.stats(server, roles='other'), 403,
                   'higgins.forbidden')

    def test_only_running_containers(self):
        for status in ('SHUTOFF', 'PAUSED', 'BUILD', 'ERROR'):
            server = self.server(status=status)
            detail = self.error(self.stats(server), 409,
                                'higgins.invalid_state')
            self.assertIn('cannot read the stats of', detail)

    def test_stopped_meanwhile_is_novas_409(self):
        server = self.server()
        self.cloud.diagnostics[server['id']] = DIAGNOSTICS
        # The container stops after the facade read it running.
        original = self.cloud.client

        def stopping_client(*args, **kwargs):
            client = original(*args, **kwargs)
            real = client.diagnostics

            def diagnostics(server_id):
                self.cloud.servers[server_id]['status'] = 'SHUTOFF'
                return real(server_id)
            client.diagnostics = diagnostics
            return client
        self.cloud.client = stopping_client
        self.facade = base.app.build(base.facade_conf(), self.cloud.client,
                                     self.cloud.glance_client)
        self.error(self.stats(server), 409, 'higgins.invalid_state')

    def test_other_project_is_404(self):
        server = self.server(project=base.OTHER_PROJECT)
        self.error(self.stats(server), 404, 'higgins.not_found')

    def test_nova_failure_is_502_without_its_text(self):
        server = self.server()
        self.cloud.diagnostics[server['id']] = DIAGNOSTICS
        original = self.cloud.client

        def failing_client(*args, **kwargs):
            client = original(*args, **kwargs)

            def diagnostics(server_id):
                raise base.fake_nova.nova_error(500, 'computeFault',
                                                'engine said secret')
            client.diagnostics = diagnostics
            return client
        self.facade = base.app.build(base.facade_conf(), failing_client,
                                     self.cloud.glance_client)
        detail = self.error(self.stats(server), 502, 'higgins.compute_error')
        self.assertNotIn('secret', detail)
