"""Test helpers that look at the real container engine directly.

Tests that claim a feature works check what the engine really did; these
helpers give them a docker-py client, the local test image, and a cleanup that
removes whatever containers one test host left behind.
"""
import os

import docker
import fixtures

#: Built by tools/build-test-image.sh from Debian's busybox-static.
TEST_IMAGE = os.environ.get('HIGGINS_TEST_IMAGE', 'higgins/busybox:latest')


def engine_client():
    return docker.from_env(version='auto')


def containers_of_host(client, host):
    return client.containers.list(
        all=True, filters={'label': ['higgins.managed=1',
                                     'higgins.host=%s' % host]})


class EngineCleanupFixture(fixtures.Fixture):
    """Removes every container of ``host`` when the test ends."""

    def __init__(self, host):
        super().__init__()
        self.host = host

    def _setUp(self):
        self.client = engine_client()
        self.addCleanup(self.client.close)
        self.addCleanup(self._remove_all)

    def _remove_all(self):
        for container in containers_of_host(self.client, self.host):
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
