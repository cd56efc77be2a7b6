"""The kernel side of container interfaces, done directly with pyroute2.

Every function here needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN to enter a
network namespace, CAP_SYS_PTRACE to open another process's). Production
calls them through ``privileged`` (an oslo.privsep daemon); tests, which
may not start a privsep helper, call them in-process. Arguments and results
are plain lists, strings and numbers so that privsep can carry them.
"""
import array
import fcntl
import ipaddress
import os
import socket
import struct

from pyroute2 import IPRoute
from pyroute2 import NetNS

# Kernel flag: an address usable at once, without duplicate detection
# (Neutron already made the address unique on its network).
IFA_F_NODAD = 0x02
# A temporary name for the container end while it is still on the host.
_PEER_PREFIX = 'hgp'
# ethtool through ioctl (linux/sockios.h, linux/ethtool.h).
_SIOCETHTOOL = 0x8946
_ETHTOOL_STXCSUM = 0x17


def _index(ipr, ifname):
    found = ipr.link_lookup(ifname=ifname)
    return found[0] if found else None


def _delete(ipr, ifname):
    index = _index(ipr, ifname)
    if index is not None:
        ipr.link('del', index=index)


def _peer_name(host_dev):
    # Host devices are 'tap' + 11 characters of the port id (Nova's
    # devname); the peer keeps the suffix so two plugs never collide.
    return _PEER_PREFIX + host_dev[3:]


def _quiet_host_end(host_dev):
    # The host end is a switch port, not a host interface: no IPv6
    # link-local address, no router solicitations into the tenant network.
    path = '/proc/sys/net/ipv6/conf/%s/disable_ipv6' % host_dev
    if os.path.exists(path):
        with open(path, 'w') as knob:
            knob.write('1')


def _full_checksums(ifname):
    """Have the kernel complete every checksum ``ifname`` sends.

    With transmit checksum offload a veth hands its peer TCP/UDP packets
    whose checksum is left for hardware that does not exist. Open vSwitch's
    userspace datapath forwards such packets as they are, and the receiving
    container drops them: ARP and ICMP pass, TCP never connects.
    """
    command = array.array('B', struct.pack('II', _ETHTOOL_STXCSUM, 0))
    request = struct.pack('16sP', ifname.encode(), command.buffer_info()[0])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock.fileno(), _SIOCETHTOOL, request)


def add_interface(netns, host_dev, ifname, mac, mtu, addresses, routes):
    """Create a veth pair; ``ifname`` goes into ``netns``, configured.

    ``netns`` is a namespace path (``/proc/<pid>/ns/net``); ``addresses``
    a list of [address, prefix length]; ``routes`` a list of
    [destination CIDR or 'default', gateway]. A stale pair of the same
    host device is replaced. On failure nothing is left behind.
    """
    peer = _peer_name(host_dev)
    with IPRoute() as ipr:
        _delete(ipr, host_dev)
        _delete(ipr, peer)
        ipr.link('add', ifname=host_dev, kind='veth', peer={'ifname': peer})
        try:
            _quiet_host_end(host_dev)
            ipr.link('set', index=_index(ipr, host_dev), mtu=mtu,
                     state='up')
            peer_index = _index(ipr, peer)
            ipr.link('set', index=peer_index, address=mac, mtu=mtu)
            _full_checksums(peer)
            fd = os.open(netns, os.O_RDONLY)
            try:
                ipr.link('set', index=peer_index, net_ns_fd=fd)
            finally:
                os.close(fd)
            _configure_inside(netns, peer, ifname, addresses, routes)
        except BaseException:
            # Deleting one end of a veth pair deletes both.
            _delete(ipr, host_dev)
            raise


def _configure_inside(netns, peer, ifname, addresses, routes):
    with NetNS(netns) as ns:
        index = _index(ns, peer)
        ns.link('set', index=index, ifname=ifname)
        for address, prefixlen in addresses:
            family = (socket.AF_INET6 if ipaddress.ip_address(address)
                      .version == 6 else socket.AF_INET)
            ns.addr('add', index=index, address=address,
                    prefixlen=int(prefixlen), family=family,
                    flags=IFA_F_NODAD)
        ns.link('set', index=index, state='up')
        for destination, gateway in routes:
            version = ipaddress.ip_address(gateway).version
            if destination == 'default':
                destination = '::/0' if version == 6 else '0.0.0.0/0'
            ns.route('add', dst=destination, gateway=gateway, oif=index,
                     family=socket.AF_INET6 if version == 6
                     else socket.AF_INET)


def remove_interface(host_dev, netns=None, mac=None):
    """Delete a pair by its host end; or, with no host end, by MAC inside.

    Succeeds silently when there is nothing to delete.
    """
    with IPRoute() as ipr:
        if _index(ipr, host_dev) is not None:
            _delete(ipr, host_dev)
            return
    if netns and mac and os.path.exists(netns):
        with NetNS(netns) as ns:
            for link in ns.get_links():
                if link.get('address') == mac.lower():
                    ns.link('del', index=link['index'])


def list_interfaces(netns):
    """[[ifname, mac], ...] of the namespace's interfaces but loopback."""
    with NetNS(netns) as ns:
        return [[link.get('ifname'), link.get('address')]
                for link in ns.get_links() if link.get('ifname') != 'lo']


_COUNTERS = ('rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped',
             'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped')


def interface_counters(netns):
    """Traffic counters of the namespace's interfaces but loopback.

    A list of dicts: ``ifname``, ``mac`` and the kernel's 64-bit counters
    as seen from inside (rx: received by the container).
    """
    found = []
    with NetNS(netns) as ns:
        for link in ns.get_links():
            if link.get('ifname') == 'lo':
                continue
            stats = link.get('IFLA_STATS64') or {}
            entry = {'ifname': link.get('ifname'),
                     'mac': link.get('address')}
            entry.update((key, int(stats.get(key) or 0))
                         for key in _COUNTERS)
            found.append(entry)
    return found


def host_device_exists(host_dev):
    with IPRoute() as ipr:
        return _index(ipr, host_dev) is not None
