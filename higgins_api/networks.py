"""Containers on Neutron networks: Zun's network fields as Nova's.

``nets`` become Nova's ``networks`` (a port, or a network with an optional
fixed IP); without ``nets`` the container joins the network Zun would pick
(the project's oldest, else the oldest shared one; never an external one),
and no network at all when the caller sees none. ``security_groups`` are
resolved to ids and passed to Nova. ``exposed_ports`` become one security
group per container, made in Neutron with the caller's token and named
after the server (``higgins-ports-<uuid>``) so that delete finds it again
without any state in the facade. A server's Neutron ports are the
container's ``addresses`` and ``security_groups``.
"""
import dataclasses
import ipaddress
import time

from oslo_log import log as logging
from oslo_utils import uuidutils

from higgins_api import errors

LOG = logging.getLogger(__name__)

#: The exposed-ports group of a server; before Nova names the server, a
#: group carries the pending prefix.
EXPOSED_GROUP_PREFIX = 'higgins-ports-'
PENDING_GROUP_PREFIX = EXPOSED_GROUP_PREFIX + 'pending-'
_PROTOCOLS = ('tcp', 'udp')
_NO_GROUPS = ([], ['default'])
# How long delete waits for Nova to let go of an exposed-ports group.
_GROUP_RELEASE_SECONDS = 10
# network_list answers in Zun's older shape before this microversion.
NETWORK_LIST_FIXED_IPS_VERSION = (1, 18)


@dataclasses.dataclass
class Plan:
    """What Nova is asked for.

    ``networks``, security group ids, and the ingress rules of an
    exposed-ports group (none: no group).
    """
    networks: object = 'none'
    security_groups: list = dataclasses.field(default_factory=list)
    exposed_rules: list = dataclasses.field(default_factory=list)


def plan(req, body):
    """The network part of a create request, checked with Neutron."""
    nets = body.get('nets') or []
    groups = body.get('security_groups') or []
    exposed_rules = rules_for(body.get('exposed_ports') or {})
    if not req.neutron.available():
        if nets:
            raise errors.BadRequest('nets: this cloud has no network service')
        return _without_network(groups, exposed_rules)
    networks = [_nova_network(req, net, 'nets[%d]' % i)
                for i, net in enumerate(nets)]
    if not networks:
        default = default_network(req)
        if default is None:
            return _without_network(groups, exposed_rules)
        networks = [{'uuid': default['id']}]
    only_ports = all('port' in n for n in networks)
    if only_ports and groups in _NO_GROUPS:
        # Zun's clients send ['default'] with every request: given ports
        # keep their own groups, which asks for nothing more.
        groups = []
    ids = []
    for name in groups:
        group_id = req.neutron.security_group(name)
        if group_id not in ids:
            ids.append(group_id)
    if (ids or exposed_rules) and only_ports:
        raise errors.BadRequest(
            'security_groups/exposed_ports: apply to ports Nova creates; '
            'a port given in nets keeps its own security groups')
    return Plan(networks, ids, exposed_rules)


def _without_network(groups, exposed_rules):
    if groups not in _NO_GROUPS:
        raise errors.BadRequest('security_groups: the container has no '
                                'network (the project sees none)')
    if exposed_rules:
        raise errors.BadRequest('exposed_ports: the container has no '
                                'network (the project sees none)')
    return Plan()


def _nova_network(req, net, field):
    """One entry of ``nets`` as one entry of Nova's ``networks``."""
    if bool(net.get('network')) == bool(net.get('port')):
        raise errors.BadRequest('%s: give either a network or a port'
                                % field)
    v4, v6 = net.get('v4-fixed-ip'), net.get('v6-fixed-ip')
    if net.get('port'):
        if v4 or v6:
            raise errors.BadRequest('%s: a port brings its own fixed IPs'
                                    % field)
        port = req.neutron.port(net['port'])
        if port.get('device_id'):
            raise errors.BadRequest('%s: port %s is in use' % (
                field, net['port']))
        return {'port': port['id']}
    if v4 and v6:
        raise errors.BadRequest('%s: Nova takes one fixed IP per network: '
                                'give v4-fixed-ip or v6-fixed-ip' % field)
    network = {'uuid': req.neutron.network(net['network'])['id']}
    if v4 or v6:
        network['fixed_ip'] = fixed_ip(
            v4 or v6, 4 if v4 else 6,
            '%s.%s' % (field, 'v4-fixed-ip' if v4 else 'v6-fixed-ip'))
    return network


def fixed_ip(text, version, field):
    """``text`` as an IP address (of ``version``, unless None)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is None or version not in (None, address.version):
        raise errors.BadRequest('%s: %r is not an IPv%s address'
                                % (field, text, version or '4 or IPv6'))
    return str(address)


def default_network(req):
    """The network Zun gives a container no ``nets`` name, or None.

    The project's own oldest network, else the oldest shared one; external
    networks are left out, as Nova's ``auto`` does.
    """
    usable = [n for n in req.neutron.networks()
              if not n.get('router:external')]
    project = req.caller.project_id
    own = [n for n in usable
           if n.get('project_id', n.get('tenant_id')) == project]
    candidates = own or [n for n in usable if n.get('shared')]
    if not candidates:
        return None
    return min(candidates, key=lambda n: (n.get('created_at') or '',
                                          n['id']))


def rules_for(exposed_ports):
    """Neutron ingress rules for Zun's ``{"80/tcp": {}, "53/udp": {}}``."""
    rules = []
    for key in sorted(exposed_ports):
        number, _, protocol = key.partition('/')
        protocol = protocol or 'tcp'
        if protocol not in _PROTOCOLS:
            raise errors.BadRequest('exposed_ports: %s: the protocol must '
                                    'be tcp or udp' % key)
        if not number.isdigit() or not 1 <= int(number) <= 65535:
            raise errors.BadRequest('exposed_ports: %s: the port must be a '
                                    'number from 1 to 65535' % key)
        for ethertype in ('IPv4', 'IPv6'):
            rules.append({'direction': 'ingress', 'ethertype': ethertype,
                          'protocol': protocol,
                          'port_range_min': int(number),
                          'port_range_max': int(number)})
    return rules


# The exposed-ports group around a create and a delete.
def exposed_group_name(server_id):
    return EXPOSED_GROUP_PREFIX + server_id


def create_exposed_group(req, container_name, rules):
    """The group opening the ports; named after the server once it exists."""
    return req.neutron.create_security_group(
        PENDING_GROUP_PREFIX + uuidutils.generate_uuid(),
        'Ports exposed by Higgins container %s' % container_name, rules)


def name_exposed_group(req, group, server_id):
    req.neutron.rename_security_group(group['id'],
                                      exposed_group_name(server_id))


def delete_exposed_groups(req, server_id, deleting):
    """Remove the server's exposed-ports group around its deletion.

    ``deleting`` deletes the server. The group is taken off the server's
    ports first (Nova's removeSecurityGroup), so Neutron lets it go at
    once; ports Nova is still tearing down are waited for, briefly.
    """
    groups = []
    if req.neutron.available():
        groups = req.neutron.security_groups(
            name=exposed_group_name(server_id))
    for group in groups:
        try:
            req.nova.action(server_id, 'removeSecurityGroup',
                            {'name': group['id']})
        except errors.APIError as exc:
            # Not on the server (any more), or Nova failed: Nova deletes
            # the ports it made with the server, which frees the group too.
            LOG.info('Security group %s not taken off server %s: %s',
                     group['id'], server_id, exc.detail)
    deleting()
    for group in groups:
        _delete_group_when_free(req, group['id'])


def _delete_group_when_free(req, group_id):
    deadline = time.monotonic() + _GROUP_RELEASE_SECONDS
    while True:
        try:
            req.neutron.delete_security_group(group_id)
            return
        except errors.Conflict:
            if time.monotonic() > deadline:
                LOG.warning('Security group %s still in use; left behind',
                            group_id)
                return
            time.sleep(0.5)


# Ports as Zun's views show them.
def ports_by_server(req, server_ids):
    """{server id: [its Neutron ports]} (empty without Neutron)."""
    found = {server_id: [] for server_id in server_ids}
    if server_ids and req.neutron.available():
        for port in req.neutron.ports_of(server_ids):
            found.setdefault(port.get('device_id'), []).append(port)
    return found


def addresses(ports):
    """Zun's ``addresses``: {network id: [one entry per fixed IP]}.

    ``preserve_on_delete`` is unknown: Nova deletes the ports it created
    and keeps those it was given, and its API does not say which is which.
    """
    found = {}
    for port in ports:
        for ip in port.get('fixed_ips') or ():
            found.setdefault(port['network_id'], []).append({
                'addr': ip['ip_address'],
                'version': ipaddress.ip_address(ip['ip_address']).version,
                'port': port['id'], 'subnet_id': ip.get('subnet_id'),
                'preserve_on_delete': None})
    return found


def security_group_ids(ports):
    ids = []
    for port in ports:
        for group_id in port.get('security_groups') or ():
            if group_id not in ids:
                ids.append(group_id)
    return ids


def network_list_entries(ports, version):
    """``network_list``'s ``networks`` in the shape of the microversion."""
    entries = []
    for net_id, items in addresses(ports).items():
        if version < NETWORK_LIST_FIXED_IPS_VERSION:
            entries += [{'net_id': net_id, 'subnet_id': i['subnet_id'],
                         'port_id': i['port'], 'version': i['version'],
                         'ip_address': i['addr']} for i in items]
            continue
        by_port = {}
        for item in items:
            by_port.setdefault(item['port'], []).append({
                'subnet_id': item['subnet_id'], 'version': item['version'],
                'ip_address': item['addr']})
        entries += [{'net_id': net_id, 'port_id': port_id,
                     'fixed_ips': fixed_ips}
                    for port_id, fixed_ips in by_port.items()]
    return entries
