"""attach through the facade: Nova's serial console of a real container.

The URL the facade answers carries the token Nova issued; the test then
does what nova-serialproxy does with it (validate the token, ask the
compute host to confirm the port, connect) and talks to the container.
"""
import socket

from nova import context as nova_context
from nova import objects

from higgins_api.tests.functional import base

ECHO = ['sh', '-c', 'echo ready; while read l; do echo got:$l; done']
READ_BOUND = 20.0


class AttachTest(base.FacadeTestCase):

    def setUp(self):
        self.flags(enabled=True, proxyclient_address='127.0.0.1',
                   port_range='31600:31700',
                   base_url='ws://127.0.0.1:6083/', group='serial_console')
        super().setUp()

    def test_attach_to_an_interactive_container(self):
        container = self.run_container(command=ECHO, interactive=True,
                                       tty=True)
        self.assertEqual((True, True),
                         (container['interactive'], container['tty']))
        config = self.engine_container(container['uuid']).attrs['Config']
        self.assertEqual((True, True), (config['OpenStdin'], config['Tty']))
        url = self.call('GET', '/v1/containers/%s/attach'
                        % container['uuid'], expect=200).json
        self.assertTrue(url.startswith('ws://127.0.0.1:6083/?token='), url)
        context = nova_context.get_admin_context()
        auth = objects.ConsoleAuthToken.validate(context,
                                                 url.split('token=')[1])
        self.assertEqual(container['uuid'], auth.instance_uuid)
        with socket.create_connection((auth.host, auth.port),
                                      timeout=READ_BOUND) as console:
            console.sendall(b'via facade\n')
            seen = b''
            while b'got:via facade' not in seen:
                data = console.recv(4096)
                if not data:
                    break
                seen += data
        self.assertIn(b'got:via facade', seen)
        # Zun's client resizes after attaching; Nova cannot carry it.
        self.call('POST', '/v1/containers/%s/resize?h=24&w=80'
                  % container['uuid'], expect=400)

    def test_attach_refuses_a_container_that_is_not_interactive(self):
        container = self.run_container()
        response = self.call('GET', '/v1/containers/%s/attach'
                             % container['uuid'], expect=400)
        self.assertIn('interactive=true',
                      response.json['errors'][0]['detail'])
        self.assertEqual((False, False),
                         (container['interactive'], container['tty']))
