"""Serial consoles through Nova's API, bridged to real containers.

One test runs Nova's own websocket proxy (nova-serialproxy's request
handler) in the test process and talks to it as a user's client does. The
others do what that proxy does once a websocket arrives: validate the
console token Nova issued, ask the compute host (over RPC) whether the port
is the server's, then open a TCP connection to the host and port the token
names.
"""
import http.server
import json
import socket
import socketserver
import threading

from nova.compute import rpcapi as compute_rpcapi
from nova.console import serial as serial_ports
from nova.console import websocketproxy
from nova import context as nova_context
from nova import objects
import websocket
from websockify import websockifyserver

from higgins_virt.tests.functional import base

ECHO = ['sh', '-c', 'echo ready; while read l; do echo got:$l; done']
TICK = ['sh', '-c', 'while true; do echo tick; sleep 0.1; done']
# Bounds a read that should succeed quickly: a failure, not a measurement.
READ_BOUND = 20.0


def _read_until(sock, marker):
    seen = b''
    sock.settimeout(READ_BOUND)
    while marker not in seen:
        data = sock.recv(4096)
        if not data:
            break
        seen += data
    return seen


def _read_to_end(sock):
    seen = b''
    sock.settimeout(READ_BOUND)
    while True:
        data = sock.recv(4096)
        if not data:
            return seen
        seen += data


class _SerialProxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """nova-serialproxy's request handler on a loopback port of its own."""

    daemon_threads = True
    # What the handler reads from websockify's server.
    heartbeat = None
    security_proxy = None
    token_plugin = None
    auth_plugin = None
    EClose = websockifyserver.WebSockifyServer.EClose

    def __init__(self):
        super().__init__(('127.0.0.1', 0),
                         websocketproxy.NovaProxyRequestHandler)
        self.url = 'ws://127.0.0.1:%d/' % self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join()


class SerialConsoleTest(base.HigginsTestCase):

    def setUp(self):
        self.flags(enabled=True, proxyclient_address='127.0.0.1',
                   port_range='31400:31500',
                   base_url='ws://127.0.0.1:6083/', group='serial_console')
        super().setUp()
        self.context = nova_context.get_admin_context()

    def boot_console(self, command, interactive=True, tty=True):
        metadata = {'higgins:command': json.dumps(command)}
        if interactive:
            metadata['higgins:interactive'] = 'true'
        if tty:
            metadata['higgins:tty'] = 'true'
        return self.boot(metadata)

    def console_url(self, server, expect=200):
        response = self.api.api_post(
            '/servers/%s/remote-consoles' % server['id'],
            {'remote_console': {'protocol': 'serial', 'type': 'serial'}},
            check_response_status=[expect])
        if expect != 200:
            return None
        console = response.body['remote_console']
        self.assertEqual('serial', console['type'])
        return console['url']

    def proxy_connect(self, server, url):
        """Connect as nova-serialproxy does; return the TCP socket."""
        token = url.split('token=', 1)[1]
        auth = objects.ConsoleAuthToken.validate(self.context, token)
        self.assertEqual(server['id'], auth.instance_uuid)
        instance = objects.Instance.get_by_uuid(self.context, server['id'])
        self.assertTrue(compute_rpcapi.ComputeAPI().validate_console_port(
            self.context, instance, str(auth.port), 'serial'))
        return socket.create_connection((auth.host, auth.port),
                                        timeout=READ_BOUND)

    def test_round_trip_through_nova_s_serial_proxy(self):
        proxy = _SerialProxy()
        self.addCleanup(proxy.stop)
        self.flags(base_url=proxy.url, group='serial_console')
        server = self.boot_console(ECHO)
        url = self.console_url(server)
        self.assertTrue(url.startswith(proxy.url + '?token='), url)
        ws = websocket.create_connection(url, timeout=READ_BOUND,
                                         subprotocols=['binary'])
        self.addCleanup(ws.close)
        ws.send_binary(b'through the proxy\n')
        seen = b''
        while b'got:through the proxy' not in seen:
            data = ws.recv()
            if not data:
                break
            seen += data if isinstance(data, bytes) else data.encode()
        self.assertIn(b'got:through the proxy', seen)

    def test_interactive_tty_console_round_trip(self):
        server = self.boot_console(ECHO)
        config = self.container(server).attrs['Config']
        self.assertTrue(config['Tty'])
        self.assertTrue(config['OpenStdin'])
        url = self.console_url(server)
        self.assertTrue(url.startswith('ws://127.0.0.1:6083/?token='), url)
        with self.proxy_connect(server, url) as console:
            console.sendall(b'hello console\n')
            seen = _read_until(console, b'got:hello console')
        self.assertIn(b'got:hello console', seen)
        # A terminal echoes the input and ends lines with CR LF.
        self.assertIn(b'hello console\r\n', seen)

    def test_output_only_console_of_a_plain_container(self):
        # No terminal: the engine multiplexes stdout and stderr in frames,
        # which the console must strip.
        server = self.boot_console(TICK, interactive=False, tty=False)
        config = self.container(server).attrs['Config']
        self.assertFalse(config['Tty'])
        self.assertFalse(config['OpenStdin'])
        with self.proxy_connect(server, self.console_url(server)) as console:
            # Input goes nowhere, and does not disturb the output.
            console.sendall(b'ignored\n')
            seen = _read_until(console, b'tick\ntick\n')
        self.assertIn(b'tick\ntick\n', seen)
        self.assertNotIn(b'\x01\x00\x00\x00', seen)

    def test_console_port_is_stable_and_released_on_delete(self):
        server = self.boot_console(ECHO)
        first = objects.ConsoleAuthToken.validate(
            self.context, self.console_url(server).split('token=')[1])
        second = objects.ConsoleAuthToken.validate(
            self.context, self.console_url(server).split('token=')[1])
        self.assertEqual(first.port, second.port)
        self.assertIn(('127.0.0.1', first.port), serial_ports.ALLOCATED_PORTS)
        console = socket.create_connection((first.host, first.port))
        self._delete_server(server)
        # The live connection ends with the server, and the port is gone.
        self.assertEqual(b'', _read_to_end(console).replace(b'ready\r\n',
                                                            b''))
        console.close()
        self.assertRaises(ConnectionRefusedError, socket.create_connection,
                          (first.host, first.port))
        self.assertNotIn(('127.0.0.1', first.port),
                         serial_ports.ALLOCATED_PORTS)

    def test_console_closes_when_the_server_stops(self):
        server = self.boot_console(ECHO)
        auth = objects.ConsoleAuthToken.validate(
            self.context, self.console_url(server).split('token=')[1])
        self._stop_server(server)
        self.assertRaises(ConnectionRefusedError, socket.create_connection,
                          (auth.host, auth.port))
        # A stopped server has no console to give.
        self.console_url(server, expect=409)
        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        with self.proxy_connect(server, self.console_url(server)) as console:
            console.sendall(b'again\n')
            self.assertIn(b'got:again', _read_until(console, b'got:again'))

    def test_connections_per_server_are_bounded(self):
        self.flags(console_max_connections=1, group='higgins')
        server = self.boot_console(ECHO)
        url = self.console_url(server)
        with self.proxy_connect(server, url) as first:
            first.sendall(b'one\n')
            self.assertIn(b'got:one', _read_until(first, b'got:one'))
            with self.proxy_connect(server, url) as refused:
                self.assertIn(b'too many console connections',
                              _read_to_end(refused))
            # The admitted console still works.
            first.sendall(b'two\n')
            self.assertIn(b'got:two', _read_until(first, b'got:two'))

    def test_disabled_serial_console_is_unavailable(self):
        self.flags(enabled=False, group='serial_console')
        server = self.boot_console(ECHO)
        self.console_url(server, expect=400)
