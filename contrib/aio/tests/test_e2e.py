"""End to end through the all-in-one's real services.

Every test acts as a Keystone user through nova-api (openstacksdk or the
`openstack` CLI) and then checks what the compute host's Docker engine did.
"""
import json

import openstack
import pytest

from conftest import cli
from conftest import compute_hosts
from conftest import container_of
from conftest import TIMEOUT
from conftest import wait_until


def host_of(admin, server_id):
    return admin.compute.get_server(server_id).compute_host


def engine_state(server_id, host):
    container = container_of(server_id, host)
    return container.attrs['State'] if container else None


def wait_for_cli_status(server_id, status):
    wait_until('server %s to be %s' % (server_id, status), lambda: (
        cli('demo', 'server', 'show', '-f', 'value', '-c', 'status',
            server_id).strip() == status))


def test_sdk_lifecycle(admin, demo, boot, server_name):
    server = boot(server_name)
    assert server.status == 'ACTIVE'
    host = host_of(admin, server.id)
    state = engine_state(server.id, host)
    assert state['Running'], state
    first_start = state['StartedAt']

    demo.compute.stop_server(server)
    demo.compute.wait_for_server(server, status='SHUTOFF', wait=TIMEOUT)
    assert not engine_state(server.id, host)['Running']

    demo.compute.start_server(server)
    demo.compute.wait_for_server(server, status='ACTIVE', wait=TIMEOUT)
    assert engine_state(server.id, host)['Running']

    demo.compute.reboot_server(server, 'SOFT')
    wait_until('the reboot to restart the container', lambda: (
        engine_state(server.id, host)['StartedAt'] != first_start and
        demo.compute.get_server(server.id).status == 'ACTIVE'))
    assert engine_state(server.id, host)['Running']

    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=TIMEOUT)
    assert container_of(server.id, host) is None


def test_cli_lifecycle(admin, server_name):
    created = json.loads(cli(
        'demo', 'server', 'create', '--flavor', 'c1.tiny',
        '--image', 'busybox', '--nic', 'none', '--wait',
        '--property', 'higgins:command=["sh", "-c", "echo cli-marker; '
        'sleep 100000"]', '-f', 'json', server_name))
    server_id = created['id']
    try:
        assert created['status'] == 'ACTIVE'
        host = host_of(admin, server_id)
        assert engine_state(server_id, host)['Running']
        wait_until('the console to show the command output', lambda: (
            'cli-marker' in cli('demo', 'console', 'log', 'show',
                                server_id)))

        cli('demo', 'server', 'stop', server_id)
        wait_for_cli_status(server_id, 'SHUTOFF')
        assert not engine_state(server_id, host)['Running']
        cli('demo', 'server', 'start', server_id)
        wait_for_cli_status(server_id, 'ACTIVE')
        assert engine_state(server_id, host)['Running']
        cli('demo', 'server', 'reboot', '--hard', '--wait', server_id)
        assert engine_state(server_id, host)['Running']
    finally:
        cli('demo', 'server', 'delete', '--wait', server_id)
    assert container_of(server_id, host) is None


def test_other_project_cannot_see_or_act(admin, demo, alt_demo, boot,
                                         server_name):
    server = boot(server_name)
    host = host_of(admin, server.id)

    assert server.id not in [s.id for s in alt_demo.compute.servers()]
    with pytest.raises(openstack.exceptions.NotFoundException):
        alt_demo.compute.get_server(server.id)
    with pytest.raises(openstack.exceptions.NotFoundException):
        alt_demo.compute.stop_server(server.id)
    with pytest.raises(openstack.exceptions.NotFoundException):
        alt_demo.compute.delete_server(server.id, ignore_missing=False)

    assert demo.compute.get_server(server.id).status == 'ACTIVE'
    assert engine_state(server.id, host)['Running']


def test_containers_spread_across_compute_hosts(admin, boot):
    hosts = compute_hosts()
    if len(hosts) < 2:
        pytest.skip('the all-in-one runs one compute host '
                    '(`higgins-aio up --computes 2` for this test)')
    # The scheduler picks at random among the best two hosts
    # (host_subset_size): four servers a host make one host taking them all
    # a 1-in-128 chance, where two a host made it 1 in 8.
    servers = [boot('e2e-spread-%d' % i) for i in range(4 * len(hosts))]
    landed = {host_of(admin, server.id) for server in servers}
    assert len(landed) > 1, landed
    for server in servers:
        host = host_of(admin, server.id)
        # The container runs on the engine of the host Nova chose.
        assert engine_state(server.id, host)['Running'], host


def test_containers_are_walled_off_from_the_host(admin, boot, server_name):
    # The all-in-one's engines remap users and enforce disks, and its
    # flavors require hosts that do (docs/security.md).
    for host in compute_hosts():
        provider = admin.placement.find_resource_provider(
            host, ignore_missing=False)
        traits = set(admin.placement.get(
            '/resource_providers/%s/traits' % provider.id,
            microversion='1.6').json()['traits'])
        assert {'CUSTOM_HIGGINS_CONTAINER', 'CUSTOM_HIGGINS_USERNS',
                'CUSTOM_HIGGINS_DISK_QUOTA'} <= traits, (host, traits)
    server = boot(server_name)
    container = container_of(server.id, host_of(admin, server.id))
    with open('/proc/%d/status' % container.attrs['State']['Pid']) as f:
        uids = [line.split()[1:] for line in f if line.startswith('Uid:')][0]
    assert '0' not in uids, uids
    host_config = container.attrs['HostConfig']
    assert host_config['StorageOpt'] == {'size': str(1024 ** 3)}
    assert host_config['LogConfig']['Config'].get('max-size')
    assert not host_config['Privileged']
