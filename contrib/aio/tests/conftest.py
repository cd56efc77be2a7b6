"""Fixtures for the end-to-end tests against a running all-in-one.

These tests talk to the real services `higgins-aio up` started: Keystone
tokens, nova-api, the scheduler, nova-compute with the Higgins driver and
the Docker engines of the compute hosts. They fail, not skip, when the
all-in-one is not up: `higgins-aio test` is only meant to run after `up`.
"""
import os
import shlex
import subprocess
import time
import uuid

import docker
import openstack
import pytest

AIO_HOME = os.environ.get('AIO_HOME', '/opt/higgins-aio')
TIMEOUT = 180


def read_openrc(user):
    path = os.path.join(AIO_HOME, '%s-openrc' % user)
    if not os.path.exists(path):
        pytest.fail('%s is missing: run `higgins-aio up` first' % path)
    env = {}
    with open(path) as rc:
        for line in rc:
            if line.startswith('export '):
                name, _, value = line[len('export '):].strip().partition('=')
                env[name] = shlex.split(value)[0] if value else ''
    return env


def connect(user):
    env = read_openrc(user)
    return openstack.connect(
        auth_url=env['OS_AUTH_URL'],
        username=env['OS_USERNAME'],
        password=env['OS_PASSWORD'],
        project_name=env['OS_PROJECT_NAME'],
        user_domain_name=env['OS_USER_DOMAIN_NAME'],
        project_domain_name=env['OS_PROJECT_DOMAIN_NAME'],
        region_name=env['OS_REGION_NAME'],
        # 2.37: servers are created with networks='none' unless a test
        # gives them networks.
        compute_api_version='2.37')


def compute_hosts():
    with open(os.path.join(AIO_HOME, 'computes')) as f:
        count = int(f.read().strip() or 1)
    return ['higgins-aio-%d' % n for n in range(1, count + 1)]


def engine_for_host(host):
    """A docker-py client of the engine that compute host ``host`` uses."""
    # contrib/aio/lib/engine.sh: every host has an engine of its own.
    n = int(host.rsplit('-', 1)[1])
    return docker.DockerClient(
        base_url='unix://%s/run/docker-%d.sock' % (AIO_HOME, n))


def container_of(server_id, host):
    """The engine's container of a Nova server, or None."""
    client = engine_for_host(host)
    try:
        found = client.containers.list(all=True, filters={
            'label': 'higgins.instance_uuid=%s' % server_id})
        return found[0] if found else None
    finally:
        client.close()


def wait_until(what, predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail('timed out waiting for %s' % what)
        time.sleep(0.5)


@pytest.fixture(scope='session')
def admin():
    conn = connect('admin')
    yield conn
    conn.close()


@pytest.fixture(scope='session')
def demo():
    conn = connect('demo')
    yield conn
    conn.close()


@pytest.fixture(scope='session')
def alt_demo():
    conn = connect('alt_demo')
    yield conn
    conn.close()


@pytest.fixture
def server_name():
    return 'e2e-%s' % uuid.uuid4().hex[:8]


@pytest.fixture
def boot(demo):
    """Boots containers as demo; deletes whatever is left at the end."""
    booted = []

    def _boot(name, conn=demo, flavor='c1.tiny', metadata=None):
        server = conn.compute.create_server(
            name=name, flavor_id=conn.compute.find_flavor(flavor).id,
            image_id=conn.image.find_image('busybox').id,
            networks='none', metadata=metadata or {})
        booted.append((conn, server.id))
        return conn.compute.wait_for_server(server, wait=TIMEOUT)

    yield _boot
    for conn, server_id in booted:
        conn.compute.delete_server(server_id, ignore_missing=True)
    for conn, server_id in booted:
        try:
            conn.compute.wait_for_delete(
                conn.compute.get_server(server_id), wait=TIMEOUT)
        except openstack.exceptions.NotFoundException:
            pass


def cli(user, *args):
    """Runs the `openstack` CLI as ``user``; returns its standard output."""
    env = dict(os.environ, **read_openrc(user))
    env['OS_COMPUTE_API_VERSION'] = '2.37'
    result = subprocess.run(
        [os.path.join(AIO_HOME, 'venv', 'bin', 'openstack')] + list(args),
        env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    return result.stdout
