"""Nova's network_info as the settings of container interfaces.

Pure translation, no I/O: each VIF becomes an :class:`InterfaceConfig`
(port, host device, MAC, MTU, addresses with prefix lengths, routes), and
the subnets' DNS servers become the container's resolver list. Only Open
vSwitch VIFs without the hybrid (Linux bridge) plug can be wired here.
"""
import dataclasses
import ipaddress

from nova.network import model

# Used when Neutron does not say (older networks carry no MTU).
DEFAULT_MTU = 1500
DEFAULT_ROUTE = 'default'


class UnsupportedVif(Exception):
    """A VIF this driver cannot wire into a container."""

    def __init__(self, port_id, reason):
        super().__init__('Port %s cannot be plugged into a container: %s'
                         % (port_id, reason))
        self.port_id = port_id


@dataclasses.dataclass(frozen=True)
class InterfaceConfig:
    """One container interface: what the privileged layer is told."""

    port_id: str
    host_dev: str
    mac: str
    mtu: int
    # ((address, prefix length), ...), IPv4 and IPv6 alike.
    addresses: tuple = ()
    # ((destination CIDR or 'default', gateway), ...).
    routes: tuple = ()


def check_vif(vif):
    """Raise UnsupportedVif unless ``vif`` can be wired into a container."""
    if vif.get('type') != model.VIF_TYPE_OVS:
        raise UnsupportedVif(vif['id'], 'VIF type %s is not supported, '
                             'only ovs' % vif.get('type'))
    if vif.is_hybrid_plug_enabled():
        # The hybrid plug puts a Linux bridge between VM and OVS for the
        # iptables firewall; a container's veth goes straight onto OVS.
        raise UnsupportedVif(vif['id'], 'the hybrid plug (iptables '
                             'firewall) is not supported; use the '
                             'openvswitch firewall driver or OVN')


def _mtu(vif):
    network = vif.get('network') or {}
    return (network.get_meta('mtu') if network else None) or DEFAULT_MTU


def _gateway(subnet):
    gateway = subnet.get('gateway')
    return gateway.get('address') if gateway else None


def interface(vif, default_routes=()):
    """The InterfaceConfig of one VIF.

    ``default_routes`` are the IP versions (4, 6) for which this interface
    carries the container's default route.
    """
    check_vif(vif)
    addresses, routes = [], []
    for subnet in (vif['network'] or {}).get('subnets', []):
        cidr = ipaddress.ip_network(subnet['cidr'], strict=False)
        for ip in subnet.get('ips', []):
            addresses.append((ip['address'], cidr.prefixlen))
        gateway = _gateway(subnet)
        if gateway and cidr.version in default_routes and subnet.get('ips'):
            routes.append((DEFAULT_ROUTE, gateway))
        for route in subnet.get('routes', []):
            via = _gateway(route)
            if via:
                routes.append((route['cidr'], via))
    return InterfaceConfig(
        port_id=vif['id'], host_dev=vif['devname'], mac=vif['address'],
        mtu=int(_mtu(vif)), addresses=tuple(addresses), routes=tuple(routes))


def interfaces(network_info):
    """InterfaceConfigs of every VIF, in network_info's order.

    A container has one default route per IP version: the first interface
    with a gateway of that version carries it, as a guest's first NIC does.
    """
    result, routed = [], set()
    for vif in network_info:
        versions = set()
        for subnet in (vif['network'] or {}).get('subnets', []):
            version = ipaddress.ip_network(subnet['cidr'],
                                           strict=False).version
            if _gateway(subnet) and subnet.get('ips') and (
                    version not in routed):
                versions.add(version)
        routed |= versions
        result.append(interface(vif, default_routes=versions))
    return result


def dns_servers(network_info):
    """The subnets' DNS servers, first seen first, without repeats."""
    servers = []
    for vif in network_info:
        for subnet in (vif['network'] or {}).get('subnets', []):
            for dns in subnet.get('dns', []):
                if dns['address'] not in servers:
                    servers.append(dns['address'])
    return servers
