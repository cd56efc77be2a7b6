"""Serial consoles: one TCP endpoint per server, bridged to its container.

Nova's ``nova-serialproxy`` checks the user's console token, then opens a
plain TCP connection to the host and port the driver reported, as it does
to the TCP serial port QEMU opens for a libvirt guest. Here each server with
a console gets a listening socket on ``[serial_console]
proxyclient_address``, at a port of ``[serial_console] port_range`` taken
through Nova's own allocator; every connection to it gets its own attach
stream from the engine and two native threads copy bytes both ways.

Like QEMU's port, the endpoint is unauthenticated: it must be reachable only
from the proxy's network (docs/security.md). A server takes at most
``max_connections`` consoles at once; a client that misbehaves or goes away
ends its own connection and nothing else.
"""
import socket
import threading

from oslo_log import log as logging

from higgins_virt.engine import errors as engine_errors

LOG = logging.getLogger(__name__)

# Listening backlog; connections beyond the limit are refused after accept.
_BACKLOG = 8
# How often a blocked accept looks at its stop flag, in case closing the
# socket did not wake it.
_ACCEPT_POLL_SECONDS = 1.0
_RECV_BYTES = 64 * 1024
_TOO_MANY = b'\r\n[too many console connections to this server]\r\n'
_NOT_RUNNING = b'\r\n[the server is not running]\r\n'


class _Listener:
    """The TCP endpoint of one server's console and its live connections."""

    def __init__(self, engine, container_name, sock, max_connections):
        self._engine = engine
        self._container = container_name
        self._sock = sock
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._connections = set()
        self._stopped = threading.Event()
        self.host, self.port = sock.getsockname()[:2]
        self._sock.settimeout(_ACCEPT_POLL_SECONDS)
        self._thread = threading.Thread(
            target=self._serve, name='higgins-console-%d' % self.port,
            daemon=True)

    def start(self):
        self._thread.start()

    def _serve(self):
        while not self._stopped.is_set():
            try:
                client, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break  # closed
            try:
                self._admit(client)
            except Exception:  # one client must never stop the endpoint
                LOG.exception('Console connection to %s failed',
                              self._container)
                _close_quietly(client)

    def _admit(self, client):
        client.settimeout(None)
        if not self._slots.acquire(blocking=False):
            LOG.warning('Console of %s refused a connection: limit reached',
                        self._container)
            _send_quietly(client, _TOO_MANY)
            _shutdown_quietly(client)
            _close_quietly(client)
            return
        threading.Thread(target=self._bridge, args=(client,), daemon=True,
                         name='higgins-console-%d-out' % self.port).start()

    def _bridge(self, client):
        """Serve one client: engine output to it, its input to the engine."""
        stream = None
        try:
            try:
                stream = self._engine.attach(self._container)
            except engine_errors.EngineError as exc:
                LOG.info('Console of %s unavailable: %s', self._container,
                         exc)
                _send_quietly(client, _NOT_RUNNING)
                return
            with self._lock:
                if self._stopped.is_set():
                    return
                self._connections.add((client, stream))
            threading.Thread(target=self._pump_input,
                             args=(client, stream), daemon=True,
                             name='higgins-console-%d-in' % self.port
                             ).start()
            self._pump_output(client, stream)
        except Exception:
            LOG.exception('Console connection to %s failed', self._container)
        finally:
            with self._lock:
                self._connections.discard((client, stream))
            if stream is not None:
                stream.close()
            # Shut down before closing: closing alone neither ends the
            # connection nor wakes the input thread blocked reading it.
            _shutdown_quietly(client)
            _close_quietly(client)
            self._slots.release()

    @staticmethod
    def _pump_output(client, stream):
        while True:
            data = stream.recv()
            if not data:
                return
            client.sendall(data)

    def _pump_input(self, client, stream):
        """Copy the client's bytes to the container until either ends.

        Without an open stdin the input is read and dropped, so the client
        is not blocked; its end still ends the console.
        """
        try:
            while True:
                data = client.recv(_RECV_BYTES)
                if not data:
                    break
                if stream.accepts_input:
                    stream.send(data)
        except (OSError, engine_errors.EngineError):
            pass  # either side went away
        except Exception:
            LOG.exception('Console input to %s failed', self._container)
        finally:
            # Ends the output side too, so the slot frees at once.
            stream.close()
            _shutdown_quietly(client)

    def close(self):
        self._stopped.set()
        _shutdown_quietly(self._sock)
        _close_quietly(self._sock)
        with self._lock:
            live = list(self._connections)
            self._connections.clear()
        for client, stream in live:
            stream.close()
            _shutdown_quietly(client)
        if self._thread.is_alive() and (
                self._thread is not threading.current_thread()):
            self._thread.join()


class ConsoleServer:
    """Every console endpoint of one compute host.

    ``acquire_port(host)`` and ``release_port(host, port)`` are Nova's
    allocator of ``[serial_console] port_range``; ``max_connections()``
    gives the limit when a server's endpoint opens.
    """

    def __init__(self, engine, address, acquire_port, release_port,
                 max_connections):
        self._engine = engine
        self._address = address
        self._acquire = acquire_port
        self._release = release_port
        self._max_connections = max_connections
        self._lock = threading.Lock()
        self._listeners = {}

    def endpoint(self, key, container_name):
        """(host, port) of ``key``'s console, opening it on first use."""
        with self._lock:
            listener = self._listeners.get(key)
            if listener is None:
                listener = _Listener(self._engine, container_name,
                                     self._bind(), self._max_connections())
                listener.start()
                self._listeners[key] = listener
                LOG.info('Console of %s listens on %s:%d', container_name,
                         listener.host, listener.port)
            return listener.host, listener.port

    def _bind(self):
        # The allocator checks a port is free by binding it and letting
        # go; another process may take it in between: try the next one.
        for _ in range(3):
            port = self._acquire(self._address)
            sock = socket.socket(_family(self._address), socket.SOCK_STREAM)
            try:
                sock.bind((self._address, port))
                sock.listen(_BACKLOG)
                return sock
            except OSError:
                sock.close()
                self._release(self._address, port)
                LOG.warning('Console port %d taken meanwhile', port)
        raise engine_errors.EngineError()

    def close(self, key):
        """Close ``key``'s console, if open; its port is free again."""
        with self._lock:
            listener = self._listeners.pop(key, None)
        if listener is not None:
            listener.close()
            self._release(self._address, listener.port)

    def close_all(self):
        with self._lock:
            keys = list(self._listeners)
        for key in keys:
            self.close(key)

    def ports(self):
        """The open endpoints' ports, by key."""
        with self._lock:
            return {k: v.port for k, v in self._listeners.items()}


def _family(address):
    return socket.AF_INET6 if ':' in address else socket.AF_INET


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass


def _shutdown_quietly(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _close_quietly(sock):
    try:
        sock.close()
    except OSError:
        pass
