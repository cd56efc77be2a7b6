"""The attach stream: frame demultiplexing and the hijacked connection.

A small server on a unix socket plays the engine's attach endpoint, so the
request, the answer head and the first stream bytes travel for real.
"""
import os
import socket
import struct
import tempfile
import threading
import unittest

from higgins_virt.engine import docker_attach
from higgins_virt.engine import errors


def _frame(kind, payload):
    return struct.pack('>BxxxL', kind, len(payload)) + payload


class FrameDemuxerTest(unittest.TestCase):

    def test_stdout_and_stderr_in_order_stdin_dropped(self):
        data = (_frame(1, b'out1 ') + _frame(0, b'never') +
                _frame(2, b'err ') + _frame(1, b'out2'))
        self.assertEqual(b'out1 err out2',
                         docker_attach.FrameDemuxer().feed(data))

    def test_any_cut_gives_the_same_output(self):
        data = _frame(1, b'hello ') + _frame(2, b'') + _frame(2, b'world')
        for cut in range(len(data) + 1):
            demuxer = docker_attach.FrameDemuxer()
            out = demuxer.feed(data[:cut]) + demuxer.feed(data[cut:])
            self.assertEqual(b'hello world', out, cut)

    def test_byte_by_byte(self):
        data = _frame(1, b'a' * 300) + _frame(2, b'b')
        demuxer = docker_attach.FrameDemuxer()
        out = b''.join(demuxer.feed(data[i:i + 1]) for i in range(len(data)))
        self.assertEqual(b'a' * 300 + b'b', out)

    def test_large_frame_streams_without_waiting_for_its_end(self):
        demuxer = docker_attach.FrameDemuxer()
        header = struct.pack('>BxxxL', 1, 1 << 30)
        self.assertEqual(b'part', demuxer.feed(header + b'part'))


class _FakeAttachEndpoint:
    """Answers one attach request with ``head``, then sends ``stream``."""

    def __init__(self, head, stream=b''):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, 'engine.sock')
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.head, self.stream = head, stream
        self.request = b''
        self.received = b''
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            while b'\r\n\r\n' not in self.request:
                self.request += conn.recv(1024)
            # Head and first output in one write: the client must not
            # lose what follows the head.
            conn.sendall(self.head + self.stream)
            conn.shutdown(socket.SHUT_WR)
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                self.received += data

    def close(self):
        self.server.close()
        self.thread.join(10)
        os.unlink(self.path)
        os.rmdir(self.dir)


UPGRADED = (b'HTTP/1.1 101 UPGRADED\r\n'
            b'Content-Type: application/vnd.docker.raw-stream\r\n'
            b'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n')


class AttachTest(unittest.TestCase):

    def _attach(self, endpoint, stdin=True, tty=False):
        self.addCleanup(endpoint.close)
        return docker_attach.attach('unix://' + endpoint.path, '1.41',
                                    'abc', stdin=stdin, tty=tty, timeout=10)

    def _drain(self, stream):
        out = b''
        while True:
            data = stream.recv()
            if not data:
                return out
            out += data

    def test_multiplexed_output_and_input(self):
        endpoint = _FakeAttachEndpoint(
            UPGRADED, _frame(1, b'ready\n') + _frame(2, b'oops\n'))
        stream = self._attach(endpoint)
        self.assertTrue(stream.accepts_input)
        stream.send(b'typed\n')
        self.assertEqual(b'ready\noops\n', self._drain(stream))
        stream.close()
        endpoint.thread.join(10)
        self.assertEqual(b'typed\n', endpoint.received)
        request_line = endpoint.request.split(b'\r\n')[0]
        self.assertTrue(request_line.startswith(
            b'POST /v1.41/containers/abc/attach?'), request_line)
        self.assertIn(b'stdin=1', request_line)
        self.assertIn(b'Upgrade: tcp', endpoint.request)

    def test_tty_output_is_raw(self):
        raw = b'\x01\x00\x00\x00raw bytes\r\n'
        endpoint = _FakeAttachEndpoint(UPGRADED, raw)
        stream = self._attach(endpoint, stdin=False, tty=True)
        self.assertFalse(stream.accepts_input)
        self.assertEqual(raw, self._drain(stream))
        self.assertIn(b'stdin=0', endpoint.request)
        stream.close()

    def test_refusals_become_engine_errors(self):
        cases = [(b'404 Not Found', errors.ContainerNotFound),
                 (b'409 Conflict', errors.ContainerNotRunning),
                 (b'500 Server Error', errors.EngineError)]
        for status, error in cases:
            endpoint = _FakeAttachEndpoint(
                b'HTTP/1.1 ' + status + b'\r\nContent-Length: 0\r\n\r\n')
            self.assertRaises(error, self._attach, endpoint)

    def test_unreachable_engine(self):
        self.assertRaises(errors.EngineUnavailable, docker_attach.attach,
                          'unix:///nonexistent/engine.sock', '1.41', 'abc',
                          stdin=False, tty=False, timeout=1)
        self.assertRaises(errors.EngineUnavailable, docker_attach.attach,
                          'ssh://host', '1.41', 'abc', stdin=False,
                          tty=False, timeout=1)
