"""Neutron ports in containers, end to end on the all-in-one.

Servers boot on demo's `private` network (and alt_demo's); Neutron's
Open vSwitch agents wire the ports and enforce security groups, the L3
agent routes floating IPs of `public`. What a container sees is read with
`docker exec` on its host's engine; traffic goes only to the servers these
tests boot (busybox nc, bounded by its connect timeout) and, for the
floating IP, from this machine to that address.

Every server listens on TCP 8080 and 9090 and answers with its hostname.
"""
import json
import socket
import subprocess
import time
import uuid

import pytest

from conftest import compute_hosts
from conftest import container_of
from conftest import engine_for_host
from conftest import TIMEOUT
from conftest import wait_until

LISTEN = json.dumps(['sh', '-c', 'nc -ll -p 8080 -e hostname & '
                     'nc -ll -p 9090 -e hostname & wait'])
OPEN_PORT = 8080
OTHER_PORT = 9090
# Seconds nc waits for a connection before calling the port closed.
CONNECT_TIMEOUT = 3


def two_hosts():
    return len(compute_hosts()) > 1


class Servers:
    """Boots servers on a project's `private` network; deletes them all."""

    def __init__(self, admin):
        self.admin = admin
        self.booted = []

    def boot(self, conn, name, security_groups=('default',), hints=None):
        network = conn.network.find_network(
            'private', project_id=conn.current_project_id,
            ignore_missing=False)
        server = conn.compute.create_server(
            name='e2e-net-%s-%s' % (name, uuid.uuid4().hex[:6]),
            flavor_id=conn.compute.find_flavor('c1.tiny').id,
            image_id=conn.image.find_image('busybox').id,
            networks=[{'uuid': network.id}],
            security_groups=[{'name': sg} for sg in security_groups],
            scheduler_hints=hints or {},
            metadata={'higgins:command': LISTEN})
        self.booted.append((conn, server.id))
        server = conn.compute.wait_for_server(server, wait=TIMEOUT)
        return self.admin.compute.get_server(server.id)

    def delete_all(self):
        for conn, server_id in self.booted:
            conn.compute.delete_server(server_id, ignore_missing=True)
        for conn, server_id in self.booted:
            wait_until('server %s to go' % server_id, lambda: (
                conn.compute.find_server(server_id) is None))


@pytest.fixture(scope='module')
def servers(admin):
    made = Servers(admin)
    yield made
    made.delete_all()


@pytest.fixture(scope='module')
def web(demo, servers):
    """demo's servers: a, b on a's host and, with two hosts, c on another."""
    found = {'a': servers.boot(demo, 'a')}
    found['b'] = servers.boot(demo, 'b', hints={'same_host': found['a'].id})
    if two_hosts():
        found['c'] = servers.boot(demo, 'c', hints={
            'different_host': found['a'].id})
    return found


def exec_in(server, *command):
    """(exit code, output) of ``command`` in ``server``'s container."""
    engine = engine_for_host(server.compute_host)
    try:
        found = engine.containers.list(filters={
            'label': 'higgins.instance_uuid=%s' % server.id})
        assert found, 'no running container for %s' % server.id
        code, output = found[0].exec_run(list(command))
    finally:
        engine.close()
    return code, output.decode(errors='replace')


def sandboxes(server):
    engine = engine_for_host(server.compute_host)
    try:
        return [c.attrs for c in engine.containers.list(all=True, filters={
            'label': 'higgins.sandbox_for=%s' % server.id})]
    finally:
        engine.close()


def fixed_ip(server):
    return [address['addr'] for addresses in server.addresses.values()
            for address in addresses
            if address['OS-EXT-IPS:type'] == 'fixed'][0]


def port_of(conn, server):
    return list(conn.network.ports(device_id=server.id))[0]


def answer(client, server, port):
    """What ``server`` answers on ``port`` to ``client`` (None: nothing)."""
    code, output = exec_in(client, 'nc', '-w', str(CONNECT_TIMEOUT),
                           fixed_ip(server), str(port))
    return output.strip() if code == 0 and output.strip() else None


def wait_answer(client, server, port):
    # The agent's flows for a port that just came up may lag its ACTIVE.
    return wait_until('%s to answer on %d' % (server.name, port),
                      lambda: answer(client, server, port), timeout=60)


def assert_port_inside(conn, server):
    port = port_of(conn, server)
    code, output = exec_in(server, 'ip', 'addr')
    assert code == 0, output
    assert port.mac_address in output, output
    for ip in port.fixed_ips:
        assert 'inet %s/' % ip['ip_address'] in output, output


def host_command(*command):
    return subprocess.run(list(command), capture_output=True, text=True,
                          timeout=30, check=True).stdout


def test_each_container_has_its_port(demo, web):
    for server in web.values():
        assert_port_inside(demo, server)


def test_servers_of_one_network_reach_each_other_on_one_host(web):
    assert web['a'].compute_host == web['b'].compute_host
    assert wait_answer(web['a'], web['b'], OPEN_PORT) == web['b'].name
    assert wait_answer(web['b'], web['a'], OPEN_PORT) == web['a'].name


def test_servers_of_one_network_reach_each_other_across_hosts(web):
    if not two_hosts():
        pytest.skip('the all-in-one runs one compute host '
                    '(`higgins-aio up --computes 2` for this test)')
    assert web['a'].compute_host != web['c'].compute_host
    assert wait_answer(web['a'], web['c'], OPEN_PORT) == web['c'].name
    assert wait_answer(web['c'], web['a'], OPEN_PORT) == web['a'].name


def test_other_project_cannot_reach_them(demo, alt_demo, web, servers):
    # alt_demo's `private` has the same addresses on another VLAN.
    intruder = servers.boot(alt_demo, 'intruder',
                            hints={'same_host': web['a'].id})
    assert_port_inside(alt_demo, intruder)
    for server in web.values():
        assert answer(intruder, server, OPEN_PORT) is None, server.name
    # Not even ARP crosses: the intruder never learnt a's MAC.
    code, neighbours = exec_in(intruder, 'ip', 'neigh')
    assert port_of(demo, web['a']).mac_address not in neighbours, neighbours


@pytest.fixture(scope='module')
def guarded(demo, web, servers):
    """A demo server whose security group lets nothing in."""
    group = demo.network.create_security_group(
        name='e2e-closed-%s' % uuid.uuid4().hex[:6])
    # Placed away from a when it can be: the rule must hold across hosts.
    hints = ({'different_host': web['a'].id} if two_hosts()
             else {'same_host': web['a'].id})
    server = servers.boot(demo, 'guarded', security_groups=[group.name],
                          hints=hints)
    yield server, group
    servers.delete_all()
    demo.network.delete_security_group(group)


def open_port(conn, group, port):
    rules = conn.network.security_group_rules(security_group_id=group.id)
    if not any(rule.port_range_min == port for rule in rules):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction='ingress',
            ethertype='IPv4', protocol='tcp', port_range_min=port,
            port_range_max=port, remote_ip_prefix='0.0.0.0/0')


def test_security_group_rule_opens_exactly_its_port(demo, web, guarded):
    server, group = guarded
    wait_answer(web['a'], web['b'], OPEN_PORT)  # the client's flows are up
    assert answer(web['a'], server, OPEN_PORT) is None
    assert answer(web['a'], server, OTHER_PORT) is None

    open_port(demo, group, OPEN_PORT)

    assert wait_answer(web['a'], server, OPEN_PORT) == server.name
    assert answer(web['a'], server, OTHER_PORT) is None


def tcp_answer(address, port):
    try:
        with socket.create_connection((address, port),
                                      timeout=CONNECT_TIMEOUT) as sock:
            sock.settimeout(CONNECT_TIMEOUT)
            return sock.recv(256).decode().strip() or None
    except OSError:
        return None


def test_floating_ip_reaches_the_container_from_the_host(demo, guarded):
    server, group = guarded
    open_port(demo, group, OPEN_PORT)
    public = demo.network.find_network('public', ignore_missing=False)
    fip = demo.network.create_ip(floating_network_id=public.id,
                                 port_id=port_of(demo, server).id)
    try:
        assert wait_until('the floating IP to answer', lambda: tcp_answer(
            fip.floating_ip_address, OPEN_PORT),
            timeout=60) == server.name
        assert tcp_answer(fip.floating_ip_address, OTHER_PORT) is None
    finally:
        demo.network.delete_ip(fip)


def test_stop_start_and_reboot_keep_the_addresses(demo, web):
    server = web['b']
    for action, status in ((demo.compute.stop_server, 'SHUTOFF'),
                           (demo.compute.start_server, 'ACTIVE')):
        action(server.id)
        demo.compute.wait_for_server(server, status=status, wait=TIMEOUT)
    assert_port_inside(demo, server)
    assert wait_answer(web['a'], server, OPEN_PORT) == server.name
    started = container_of(server.id, server.compute_host).attrs['State'][
        'StartedAt']
    demo.compute.reboot_server(server.id, 'HARD')
    wait_until('the reboot to restart the container', lambda: (
        container_of(server.id, server.compute_host).attrs['State'][
            'StartedAt'] != started and
        demo.compute.get_server(server.id).status == 'ACTIVE'))
    assert_port_inside(demo, server)
    assert wait_answer(web['a'], server, OPEN_PORT) == server.name


def ovs_interfaces(server_id):
    return host_command('ovs-vsctl', '--columns=name', '--format=csv',
                        '--no-headings', 'find', 'Interface',
                        'external_ids:vm-uuid=%s' % server_id).split()


def test_interface_attach_and_detach_on_a_running_server(demo, web):
    server = web['a']
    network = demo.network.find_network(
        'private', project_id=demo.current_project_id, ignore_missing=False)
    port = demo.network.create_port(network_id=network.id)
    try:
        demo.compute.create_server_interface(server, port_id=port.id)
        wait_until('the attached port inside the container', lambda: (
            port.mac_address in exec_in(server, 'ip', 'link')[1]))
        _, output = exec_in(server, 'ip', 'addr')
        assert 'inet %s/' % port.fixed_ips[0]['ip_address'] in output
        assert len(ovs_interfaces(server.id)) == 2

        demo.compute.delete_server_interface(port.id, server=server)
        wait_until('the detached port to leave the container', lambda: (
            port.mac_address not in exec_in(server, 'ip', 'link')[1]))
        wait_until('the detached port to leave OVS', lambda: (
            len(ovs_interfaces(server.id)) == 1))
        # Nova hands the port back (its owner then may delete it).
        wait_until('Neutron to see the port detached', lambda: (
            not demo.network.get_port(port.id).device_id))
    finally:
        demo.network.delete_port(port, ignore_missing=True)
    assert wait_answer(web['b'], server, OPEN_PORT) == server.name


def test_delete_leaves_no_port_veth_or_namespace(demo, servers):
    server = servers.boot(demo, 'deleted')
    port = port_of(demo, server)
    host_dev = 'tap' + port.id[:11]
    assert ovs_interfaces(server.id)
    assert host_dev in host_command('ip', 'link', 'show')
    found = sandboxes(server)
    assert len(found) == 1
    pid = found[0]['State']['Pid']
    netns = host_command('readlink', '/proc/%d/ns/net' % pid).strip()

    demo.compute.delete_server(server.id)
    wait_until('the server to go', lambda: (
        demo.compute.find_server(server.id) is None))

    assert ovs_interfaces(server.id) == []
    assert host_dev not in host_command('ovs-vsctl', 'show')
    assert host_dev not in host_command('ip', 'link', 'show')
    assert sandboxes(server) == []
    # No process is left in the sandbox's network namespace.
    deadline = time.monotonic() + 10
    while True:
        holders = host_command('sh', '-c', 'for p in /proc/[0-9]*; do '
                               'readlink $p/ns/net; done 2>/dev/null')
        if netns not in holders.split() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert netns not in holders.split()
