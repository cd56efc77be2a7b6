"""A container's attach stream over the Docker Engine API.

``POST /containers/{id}/attach`` with ``Upgrade: tcp`` makes the engine
hijack the HTTP connection: after its answer the same connection carries
the container's stdin one way and its output the other. With a TTY the
output is the terminal's raw bytes; without one, stdout and stderr come
multiplexed in frames (an 8-byte header: stream type, three zero bytes, a
big-endian payload length), which :class:`FrameDemuxer` undoes.

The request is written here on a socket of our own, not through docker-py:
its hijack helper reads the answer through a buffer that may already hold
the first bytes of the stream, and hands back a private socket object.
"""
import socket
import struct
from urllib import parse

from oslo_log import log as logging

from higgins_virt.engine import base
from higgins_virt.engine import errors

LOG = logging.getLogger(__name__)

_HEADER = struct.Struct('>BxxxL')
# Frame stream types: 0 stdin (never sent to us), 1 stdout, 2 stderr.
_OUTPUT_STREAMS = (1, 2)
# The engine's answer head is a few hundred bytes; anything longer is not
# an engine.
_MAX_HEAD = 16 * 1024
RECV_BYTES = 64 * 1024


class FrameDemuxer:
    """Turns the engine's multiplexed frames back into one output stream.

    Feed it bytes as they arrive, cut anywhere; it returns the payload of
    stdout and stderr frames in order, never holding more than one header.
    """

    def __init__(self):
        self._header = b''
        self._remaining = 0
        self._keep = False

    def feed(self, data):
        out = []
        view = memoryview(data)
        while view:
            if self._remaining:
                piece = view[:self._remaining]
                self._remaining -= len(piece)
                if self._keep:
                    out.append(bytes(piece))
                view = view[len(piece):]
                continue
            need = _HEADER.size - len(self._header)
            self._header += bytes(view[:need])
            view = view[need:]
            if len(self._header) == _HEADER.size:
                kind, self._remaining = _HEADER.unpack(self._header)
                self._keep = kind in _OUTPUT_STREAMS
                self._header = b''
        return b''.join(out)


def _connect(url, timeout):
    """A socket connected to the engine at ``url`` (unix:// or tcp://)."""
    parsed = parse.urlsplit(url)
    if parsed.scheme in ('unix', 'http+unix'):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = parsed.path
    elif parsed.scheme in ('tcp', 'http'):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address = (parsed.hostname, parsed.port or 2375)
    else:
        LOG.warning('Engine URL scheme %s cannot carry a console',
                    parsed.scheme)
        raise errors.EngineUnavailable()
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        LOG.warning('Engine unreachable for an attach: %s', exc)
        raise errors.EngineUnavailable() from exc
    return sock


def _read_head(sock):
    """Read the engine's answer up to its blank line, not a byte further."""
    head = b''
    while not head.endswith(b'\r\n\r\n'):
        byte = sock.recv(1)
        if not byte or len(head) > _MAX_HEAD:
            raise errors.EngineError()
        head += byte
    return head.decode('latin-1')


def _check_answer(head, ref):
    status_line = head.split('\r\n', 1)[0]
    parts = status_line.split(' ', 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if status in (101, 200):
        return
    LOG.info('Engine refused an attach to %s: %s', ref, status_line)
    if status == 404:
        raise errors.ContainerNotFound()
    if status == 409:
        # Stopped or paused: nothing to attach to.
        raise errors.ContainerNotRunning()
    raise errors.EngineError()


class DockerAttachment(base.ConsoleStream):
    """One hijacked attach connection; safe to send and receive at once."""

    def __init__(self, sock, multiplexed, accepts_input):
        self._sock = sock
        self._demuxer = FrameDemuxer() if multiplexed else None
        self.accepts_input = accepts_input

    def recv(self):
        while True:
            try:
                data = self._sock.recv(RECV_BYTES)
            except OSError:
                return b''
            if not data or self._demuxer is None:
                return data
            output = self._demuxer.feed(data)
            if output:
                return output

    def send(self, data):
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise errors.ContainerNotRunning() from exc

    def close(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone
        self._sock.close()


def attach(url, api_version, ref, stdin, tty, timeout):
    """Open ``ref``'s attach stream; return a :class:`DockerAttachment`.

    ``stdin``: the console's input reaches the container; ``tty``: the
    container has a terminal, so its output is not multiplexed.
    """
    sock = _connect(url, timeout)
    try:
        query = parse.urlencode({'stream': 1, 'stdout': 1, 'stderr': 1,
                                 'stdin': 1 if stdin else 0})
        request = ('POST /v%s/containers/%s/attach?%s HTTP/1.1\r\n'
                   'Host: docker\r\nConnection: Upgrade\r\n'
                   'Upgrade: tcp\r\nContent-Length: 0\r\n\r\n'
                   % (api_version, parse.quote(ref, safe=''), query))
        sock.sendall(request.encode('ascii'))
        _check_answer(_read_head(sock), ref)
    except OSError as exc:
        sock.close()
        LOG.warning('Attach to %s failed: %s', ref, exc)
        raise errors.EngineUnavailable() from exc
    except BaseException:
        sock.close()
        raise
    # The stream lasts as long as the container runs or a side closes it.
    sock.settimeout(None)
    return DockerAttachment(sock, multiplexed=not tty, accepts_input=stdin)
