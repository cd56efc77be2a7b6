"""Test helpers that look at the real container engine directly.

Tests that claim a feature works check what the engine really did; these
helpers give them a docker-py client, the local test image, a cleanup that
removes whatever containers one test host left behind, and a relay to the
engine that a test can cut to play an engine restart.
"""
import os
import socket
import threading

import docker
import fixtures

#: Built by tools/build-test-image.sh from Debian's busybox-static.
TEST_IMAGE = os.environ.get('HIGGINS_TEST_IMAGE', 'higgins/busybox:latest')


def engine_client(url=None):
    """A docker-py client of the engine at ``url`` (default: the machine's)."""
    if url:
        return docker.DockerClient(base_url=url, version='auto')
    return docker.from_env(version='auto')


def containers_of_host(client, host):
    return client.containers.list(
        all=True, filters={'label': ['higgins.managed=1',
                                     'higgins.host=%s' % host]})


def sandboxes_of_host(client, host):
    return client.containers.list(
        all=True, filters={'label': ['higgins.sandbox_for',
                                     'higgins.host=%s' % host]})


class EngineCleanupFixture(fixtures.Fixture):
    """Removes every container and sandbox of ``host`` when the test ends."""

    def __init__(self, host, url=None):
        super().__init__()
        self.host = host
        self.url = url

    def _setUp(self):
        self.client = engine_client(self.url)
        self.addCleanup(self.client.close)
        self.addCleanup(self._remove_all)

    def _remove_all(self):
        for container in containers_of_host(self.client, self.host):
            container.remove(force=True, v=True)
        # Network sandboxes carry the host label but not higgins.managed.
        for container in sandboxes_of_host(self.client, self.host):
            container.remove(force=True, v=True)


class ImageTagFixture(fixtures.Fixture):
    """Gives TEST_IMAGE an extra engine-local name for the test's length."""

    def __init__(self, name):
        super().__init__()
        self.name = name

    def _setUp(self):
        client = engine_client()
        self.addCleanup(client.close)
        repository, _, tag = self.name.partition(':')
        if client.images.get(TEST_IMAGE).tag(repository, tag or 'latest'):
            self.addCleanup(client.images.remove, self.name)


class EngineRelayFixture(fixtures.Fixture):
    """A unix socket that relays to the real engine and can be cut.

    Cutting closes every relayed connection and refuses new ones, which is
    what a client sees while the engine restarts; restoring accepts again.
    """

    def __init__(self, engine_socket='/var/run/docker.sock'):
        super().__init__()
        self.engine_socket = engine_socket

    def _setUp(self):
        directory = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(directory, 'engine.sock')
        self.url = 'unix://' + self.path
        self._lock = threading.Lock()
        self._open = []
        self._cut = False
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(16)
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self.addCleanup(self._close)

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._cut:
                    client.close()
                    continue
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                upstream.connect(self.engine_socket)
                self._open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst),
                                 daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        with self._lock:
            self._cut = True
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open = []

    def restore(self):
        with self._lock:
            self._cut = False

    def _close(self):
        self.cut()
        self._listener.close()
