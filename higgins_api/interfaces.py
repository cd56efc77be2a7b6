"""Handlers of network_attach, network_detach and network_list.

Zun's verbs become Nova's interface attach and detach (os-interface) on
the container's server; what is attached is read from Neutron's ports of
the server (:mod:`higgins_api.networks`). Parameters come in the query
string, as Zun's clients send them, or in a JSON body.
"""
from higgins_api import containers
from higgins_api import errors
from higgins_api import networks
from higgins_api import policy


def _server_and_ports(req, ident):
    server = containers.find_server(req, ident)
    containers.check_state(req, server)
    ports = networks.ports_by_server(req, [server['id']])[server['id']]
    return server, ports


def _parameters(req, names):
    """The verb's parameters, from the query string or a JSON body."""
    body = req.json_body_or_empty()
    if not isinstance(body, dict):
        raise errors.BadRequest('the request body must be a JSON object')
    given = dict(req.GET)
    given.update(body)
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise errors.BadRequest('%s: not a parameter of %s' % (
            ', '.join(unknown), req.verb.name))
    for name, value in given.items():
        if not isinstance(value, str) or not 0 < len(value) <= 255:
            raise errors.BadRequest('%s: must be a string of 1 to 255 '
                                    'characters' % name)
    if given.get('network') and given.get('port'):
        raise errors.BadRequest('network, port: give one of them')
    return given


def _require_neutron(req):
    if not req.neutron.available():
        raise errors.BadRequest('%s: this cloud has no network service'
                                % req.verb.name)


def network_list(req, ident):
    policy.authorize(req)
    server, ports = _server_and_ports(req, ident)
    return 200, {'networks': networks.network_list_entries(ports,
                                                           req.version)}


def network_attach(req, ident):
    """A port, or a new port on a network, for the container.

    With neither, the network Zun would pick.
    """
    policy.authorize(req)
    given = _parameters(req, ('network', 'port', 'fixed_ip'))
    if given.get('fixed_ip') and given.get('port'):
        raise errors.BadRequest('fixed_ip: a port brings its own fixed IPs')
    ip = given.get('fixed_ip') and networks.fixed_ip(given['fixed_ip'], None,
                                                     'fixed_ip')
    _require_neutron(req)
    server, ports = _server_and_ports(req, ident)
    port = None
    if given.get('port'):
        port = req.neutron.port(given['port'])
        if port.get('device_id'):
            raise errors.BadRequest('port: port %s is in use' % given['port'])
        network_id = port['network_id']
    elif given.get('network'):
        network_id = req.neutron.network(given['network'])['id']
    else:
        default = networks.default_network(req)
        if default is None:
            raise errors.BadRequest('network: the project has no network; '
                                    'name a network or a port')
        network_id = default['id']
    if network_id in {p['network_id'] for p in ports}:
        raise errors.BadRequest('network %s is already connected to the '
                                'container' % network_id)
    try:
        req.nova.attach_interface(server['id'], port_id=port and port['id'],
                                  net_id=network_id, fixed_ip=ip)
    except errors.UpstreamError:
        if ports:
            raise
        # The driver keeps a network namespace only for servers booted
        # with a port (docs/networking.md).
        raise errors.Conflict(
            'cannot attach a network to this container: only containers '
            'created on a network can be given more')
    return 202, None


def network_detach(req, ident):
    """Detach a port, or every port on a network, from the container."""
    policy.authorize(req)
    given = _parameters(req, ('network', 'port'))
    if not given:
        raise errors.BadRequest('network, port: give one of them')
    _require_neutron(req)
    server, ports = _server_and_ports(req, ident)
    if given.get('port'):
        wanted = req.neutron.port(given['port'])['id']
        detached = [p for p in ports if p['id'] == wanted]
        what = 'port %s' % given['port']
    else:
        wanted = req.neutron.network(given['network'])['id']
        detached = [p for p in ports if p['network_id'] == wanted]
        what = 'network %s' % given['network']
    if not detached:
        raise errors.BadRequest('%s is not attached to the container'
                                % what)
    for port in detached:
        req.nova.detach_interface(server['id'], port['id'])
    return 202, None
