"""The facade behind real Keystone: python-zunclient and raw HTTP, checked
on Nova and on the engine."""
import time

from keystoneauth1 import exceptions as ks_exc
import pytest
from zunclient import client as zun_client
from zunclient.common.apiclient import exceptions as zun_exc

from conftest import container_of
from conftest import TIMEOUT
from conftest import wait_until

NOT_FOUND = (zun_exc.NotFound, ks_exc.NotFound)


def zun(conn):
    # The facade is found in the catalog under service type "container".
    return zun_client.Client('1.40', session=conn.session)


def host_of(admin, uuid):
    return admin.compute.get_server(uuid).compute_host


def wait_status(client, uuid, status):
    wait_until('container %s to be %s' % (uuid, status),
               lambda: client.containers.get(uuid).status == status)


@pytest.fixture
def containers(demo):
    client = zun(demo)
    made = []
    yield client, made
    for uuid in made:
        try:
            client.containers.delete(uuid, force=True)
        except NOT_FOUND:
            pass
        except zun_exc.Conflict:
            # Already being deleted (a test's own delete: releasing a
            # Neutron port outlasts the container).
            wait_until('container %s to go' % uuid,
                       lambda: gone(client, uuid))


def gone(client, uuid):
    try:
        client.containers.get(uuid)
    except NOT_FOUND:
        return True
    return False


def test_zunclient_lifecycle_through_the_facade(admin, demo, containers,
                                                server_name):
    client, made = containers
    created = client.containers.run(
        name=server_name, image='busybox', memory='128',
        command=['sh', '-c', 'echo facade-e2e; sleep 100000'])
    made.append(created.uuid)
    wait_status(client, created.uuid, 'Running')

    # It is a Nova server of the demo project, and a container on its host.
    server = demo.compute.get_server(created.uuid)
    assert server.status == 'ACTIVE'
    host = host_of(admin, created.uuid)
    assert container_of(created.uuid, host).status == 'running'
    wait_until('the output in the logs', lambda: 'facade-e2e' in
               client.containers.logs(created.uuid, stdout=True,
                                      stderr=True))

    client.containers.stop(created.uuid, timeout=5)
    wait_status(client, created.uuid, 'Stopped')
    assert container_of(created.uuid, host).status == 'exited'
    client.containers.start(created.uuid)
    wait_status(client, created.uuid, 'Running')
    client.containers.pause(created.uuid)
    wait_status(client, created.uuid, 'Paused')
    assert container_of(created.uuid, host).status == 'paused'
    client.containers.unpause(created.uuid)
    wait_status(client, created.uuid, 'Running')

    client.containers.delete(created.uuid, force=True)
    deadline = time.monotonic() + TIMEOUT
    while container_of(created.uuid, host) is not None:
        assert time.monotonic() < deadline, 'container not removed'
        time.sleep(0.5)


def test_docker_image_reference_through_the_facade(admin, demo, containers,
                                                   server_name):
    # Zun's default: an engine reference, not a Glance image. The facade
    # registers it in the project's Glance (a tagged name: Glance must not
    # read the colon as a filter operator) and the host's allow-list lets
    # it boot from the engine's own copy.
    client, made = containers
    created = client.containers.run(
        name=server_name, image='higgins/busybox:latest',
        image_driver='docker',
        command=['sh', '-c', 'echo by-reference; sleep 100000'])
    made.append(created.uuid)
    wait_status(client, created.uuid, 'Running')
    assert client.containers.get(created.uuid).image == (
        'higgins/busybox:latest')
    host = host_of(admin, created.uuid)
    assert container_of(created.uuid, host).status == 'running'
    image_id = demo.compute.get_server(created.uuid).image['id']
    image = demo.image.get_image(image_id)
    assert image.visibility == 'private'
    assert image.owner == demo.current_project_id

    # A second run finds the same registered image.
    again = client.containers.run(
        name=server_name + '-again', image='higgins/busybox:latest',
        image_driver='docker')
    made.append(again.uuid)
    wait_status(client, again.uuid, 'Running')
    assert demo.compute.get_server(again.uuid).image['id'] == image_id


def test_other_project_gets_404_through_the_facade(admin, demo, alt_demo,
                                                   containers, server_name):
    client, made = containers
    created = client.containers.run(name=server_name, image='busybox')
    made.append(created.uuid)
    wait_status(client, created.uuid, 'Running')
    other = zun(alt_demo)
    with pytest.raises(NOT_FOUND):
        other.containers.get(created.uuid)
    with pytest.raises(NOT_FOUND):
        other.containers.stop(created.uuid, timeout=1)
    assert created.uuid not in [c.uuid for c in other.containers.list()]
    host = host_of(admin, created.uuid)
    assert container_of(created.uuid, host).status == 'running'


def test_facade_rejects_missing_token(demo):
    endpoint = demo.session.get_endpoint(service_type='container',
                                         interface='public')
    response = demo.session.get(endpoint + '/containers', authenticated=False,
                                raise_exc=False)
    assert response.status_code == 401
