"""The privileged network steps, run in an oslo.privsep daemon.

One context (``net_admin``) with just the capabilities the steps in
``linux`` need; each entrypoint only forwards to ``linux``. nova-compute
starts the daemon on first use (the ``privsep-helper`` of the
``[higgins_net_admin]`` section). Tests use ``linux`` directly instead.
"""
from oslo_privsep import capabilities
from oslo_privsep import priv_context

from higgins_virt.network import linux

net_admin = priv_context.PrivContext(
    'higgins_virt',
    cfg_section='higgins_net_admin',
    pypath=__name__ + '.net_admin',
    capabilities=[capabilities.CAP_NET_ADMIN,
                  capabilities.CAP_SYS_ADMIN,
                  capabilities.CAP_SYS_PTRACE,
                  capabilities.CAP_DAC_OVERRIDE],
)


@net_admin.entrypoint
def add_interface(netns, host_dev, ifname, mac, mtu, addresses, routes):
    linux.add_interface(netns, host_dev, ifname, mac, mtu, addresses,
                        routes)


@net_admin.entrypoint
def remove_interface(host_dev, netns=None, mac=None):
    linux.remove_interface(host_dev, netns, mac)


@net_admin.entrypoint
def list_interfaces(netns):
    return linux.list_interfaces(netns)


@net_admin.entrypoint
def host_device_exists(host_dev):
    return linux.host_device_exists(host_dev)


@net_admin.entrypoint
def interface_counters(netns):
    return linux.interface_counters(netns)
