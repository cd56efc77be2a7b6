"""Console endpoints with an engine whose consoles are in-memory pipes.

The real engine's consoles are in the functional tests; these pin down the
endpoint's own behaviour: ports, limits, misbehaving clients, closing.
"""
import queue
import socket
import threading
import unittest

from higgins_virt.engine import base
from higgins_virt.engine import errors
from higgins_virt import serial_console

BOUND = 10.0


class _Console(base.ConsoleStream):
    """Echoes what is sent, upper-cased; ends when closed."""

    accepts_input = True

    def __init__(self):
        self._out = queue.Queue()
        self.closed = threading.Event()

    def recv(self):
        return self._out.get()

    def send(self, data):
        self._out.put(data.upper())

    def close(self):
        self.closed.set()
        self._out.put(b'')


class _Engine:
    def __init__(self):
        self.consoles = []
        self.refuse = None

    def attach(self, ref):
        if self.refuse:
            raise self.refuse
        console = _Console()
        self.consoles.append(console)
        return console


class _Ports:
    """Nova's allocator's interface, over ports the kernel picks."""

    def __init__(self):
        self.held = set()

    def acquire(self, host):
        probe = socket.socket()
        probe.bind((host, 0))
        port = probe.getsockname()[1]
        probe.close()
        self.held.add(port)
        return port

    def release(self, host, port):
        self.held.discard(port)


def _read_until(sock, marker):
    seen = b''
    sock.settimeout(BOUND)
    while marker not in seen:
        data = sock.recv(1024)
        if not data:
            break
        seen += data
    return seen


class ConsoleServerTest(unittest.TestCase):

    def setUp(self):
        self.engine = _Engine()
        self.ports = _Ports()
        self.limit = 2
        self.server = serial_console.ConsoleServer(
            self.engine, '127.0.0.1', self.ports.acquire, self.ports.release,
            lambda: self.limit)
        self.addCleanup(self.server.close_all)

    def _connect(self, key='a'):
        host, port = self.server.endpoint(key, 'higgins-' + key)
        sock = socket.create_connection((host, port), timeout=BOUND)
        self.addCleanup(sock.close)
        return sock

    def test_bridges_both_ways(self):
        sock = self._connect()
        sock.sendall(b'hello\n')
        self.assertIn(b'HELLO\n', _read_until(sock, b'HELLO\n'))

    def test_one_endpoint_per_key_and_ports_released(self):
        first = self.server.endpoint('a', 'higgins-a')
        self.assertEqual(first, self.server.endpoint('a', 'higgins-a'))
        other = self.server.endpoint('b', 'higgins-b')
        self.assertNotEqual(first[1], other[1])
        self.assertEqual({first[1], other[1]}, self.ports.held)
        self.server.close('a')
        self.assertEqual({other[1]}, self.ports.held)
        self.assertRaises(ConnectionRefusedError, socket.create_connection,
                          first)
        self.server.close('a')  # twice is fine
        self.server.close_all()
        self.assertEqual(set(), self.ports.held)

    def test_closing_ends_live_connections(self):
        sock = self._connect()
        sock.sendall(b'x')
        _read_until(sock, b'X')
        self.server.close('a')
        self.assertEqual(b'', _read_until(sock, b'never'))
        self.assertTrue(self.engine.consoles[0].closed.is_set())

    def test_limit_refuses_extra_connections_only(self):
        self.limit = 1
        first = self._connect()
        first.sendall(b'one')
        _read_until(first, b'ONE')
        extra = self._connect()
        self.assertIn(b'too many console connections',
                      _read_until(extra, b'never'))
        first.sendall(b'two')
        self.assertIn(b'TWO', _read_until(first, b'TWO'))
        # A closed connection frees its slot.
        first.close()
        self.engine.consoles[0].closed.wait(BOUND)
        for _ in range(100):
            again = self._connect()
            again.sendall(b'three')
            if b'THREE' in _read_until(again, b'THREE'):
                break
        else:
            self.fail('the slot was never freed')

    def test_client_that_vanishes_does_not_stop_the_endpoint(self):
        rude = self._connect()
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        b'\x01\x00\x00\x00\x00\x00\x00\x00')
        rude.close()  # reset, not a clean close
        sock = self._connect()
        sock.sendall(b'still')
        self.assertIn(b'STILL', _read_until(sock, b'STILL'))

    def test_engine_refusal_tells_the_client_and_keeps_serving(self):
        self.engine.refuse = errors.ContainerNotRunning()
        sock = self._connect()
        self.assertIn(b'not running', _read_until(sock, b'never'))
        self.engine.refuse = None
        sock = self._connect()
        sock.sendall(b'back')
        self.assertIn(b'BACK', _read_until(sock, b'BACK'))
