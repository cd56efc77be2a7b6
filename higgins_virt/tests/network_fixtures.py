"""Test helpers for Neutron ports on a real Open vSwitch.

A Neutron fixture whose ports bind as plain OVS ports on a test bridge and
report down until the test sends ``network-vif-plugged`` (as a Neutron
agent would); a per-test bridge on the userspace datapath; the privileged
network steps run in-process instead of through a privsep helper; and
small probes of OVS and of the host's links. Traffic only ever flows
between namespaces these tests create.
"""
import copy
import json
import os
import random
import subprocess

import fixtures
from nova.tests.fixtures import neutron as neutron_fixtures
import os_vif
from oslo_utils import uuidutils
from vif_plug_ovs import privsep as os_vif_privsep

from higgins_virt.network import ovs
from higgins_virt.network import privileged

OVSDB = 'unix:/var/run/openvswitch/db.sock'
SUBNET_V4 = neutron_fixtures.NeutronFixture.subnet_1
SUBNET_V6 = neutron_fixtures.NeutronFixture.subnet_ipv6_1
DNS_V4 = '192.168.1.2'
# Nova's harness poisons os.uname; pyroute2 reads it, and the in-process
# privileged steps really do talk to this host's kernel.
_REAL_UNAME = os.uname


def run(*command, check=True):
    return subprocess.run(command, capture_output=True, text=True,
                          timeout=30, check=check).stdout


def ovs_running():
    try:
        return subprocess.run(['ovs-vsctl', '--timeout=3', 'show'],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


SKIP_REASON = ('Open vSwitch is not running (tools/start-ovs.sh installs '
               'and starts it)')


def ovs_interface(port_id):
    """{column: value} of the OVS interface of a port, or None."""
    out = run('ovs-vsctl', '--timeout=5', '--format=json', '--columns=name,'
              'external_ids', 'find', 'Interface',
              'external_ids:iface-id=%s' % port_id)
    rows = json.loads(out)['data']
    if not rows:
        return None
    name, (_, pairs) = rows[0]
    return {'name': name, 'external_ids': dict(pairs)}


def bridge_ports(bridge):
    return run('ovs-vsctl', '--timeout=5', 'list-ports', bridge).split()


def link_exists(name):
    return subprocess.run(['ip', 'link', 'show', name], capture_output=True,
                          timeout=10).returncode == 0


def net_namespaces():
    """Inodes of every network namespace on the host."""
    return set(run('lsns', '-n', '-t', 'net', '-o', 'NS').split())


class OvsBridgeFixture(fixtures.Fixture):
    """A bridge of this test on the userspace datapath, removed at the end."""

    def _setUp(self):
        self.name = 'hgt%s' % uuidutils.generate_uuid()[:8]
        run('ovs-vsctl', '--timeout=10', 'add-br', self.name, '--', 'set',
            'Bridge', self.name, 'datapath_type=netdev')
        self.addCleanup(run, 'ovs-vsctl', '--timeout=10', '--if-exists',
                        'del-br', self.name)


class InProcessNetworkFixture(fixtures.Fixture):
    """Privileged steps in-process, os-vif talking to the local OVSDB.

    Nova's harness forbids starting a privsep helper; as Nova's own
    PrivsepFixture does, the contexts run their functions directly (the
    tests run as root).
    """

    def __init__(self, test):
        super().__init__()
        self.test = test

    def _setUp(self):
        self.useFixture(fixtures.MockPatchObject(
            privileged.net_admin, 'client_mode', False))
        self.useFixture(fixtures.MockPatchObject(
            os_vif_privsep.vif_plug, 'client_mode', False))
        self.useFixture(fixtures.MonkeyPatch('os.uname', _REAL_UNAME))
        ovs.initialize()
        self.test.flags(ovsdb_connection=OVSDB, group='os_vif_ovs')
        # The plugin reads its connection when it is created.
        os_vif.initialize(reset=True)


class PortsNeutronFixture(neutron_fixtures.NeutronFixture):
    """Nova's Neutron fixture with OVS ports on one test bridge.

    New ports are on ``network_1`` with an IPv4 and an IPv6 address, report
    DOWN (so Nova waits for ``network-vif-plugged``) and bind with the
    bridge name and userspace datapath in their binding details. The IPv4
    subnet announces a DNS server.
    """

    def __init__(self, test, bridge):
        super().__init__(test)
        self.bridge = bridge
        self._next_host = 10
        subnet = copy.deepcopy(SUBNET_V4)
        subnet['dns_nameservers'] = [DNS_V4]
        self._subnets[subnet['id']] = subnet

    def add_port(self):
        self._next_host += 1
        port = copy.deepcopy(self.port_1)
        port.update({
            'id': uuidutils.generate_uuid(),
            'status': 'DOWN',
            'mac_address': 'fa:16:3e:%02x:%02x:%02x' % tuple(
                random.randint(0, 255) for _ in range(3)),
            'fixed_ips': [
                {'ip_address': '192.168.1.%d' % self._next_host,
                 'subnet_id': SUBNET_V4['id']},
                {'ip_address': 'fd37:44e8:ad06::%x' % self._next_host,
                 'subnet_id': SUBNET_V6['id']},
            ],
            'binding:vif_details': {
                'port_filter': True, 'ovs_hybrid_plug': False,
                'bridge_name': self.bridge, 'datapath_type': 'netdev'},
        })
        self._ports[port['id']] = port
        return port
