"""Configuration options of the Higgins facade (``higgins-api``)."""
from oslo_config import cfg

api_group = cfg.OptGroup('api', title='Higgins facade API')
nova_group = cfg.OptGroup('nova', title='How the facade reaches Nova')
glance_group = cfg.OptGroup(
    'glance', title='How the facade reaches Glance (image_driver=docker)')
neutron_group = cfg.OptGroup(
    'neutron', title='How the facade reaches Neutron (nets, '
                     'security_groups, exposed_ports, addresses)')

API_OPTS = [
    cfg.HostAddressOpt('host', default='0.0.0.0',
                       help='Address the development server listens on '
                            '(production servers load higgins_api.wsgi).'),
    cfg.PortOpt('port', default=9517,
                help='Port the development server listens on.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=['keystone', 'noauth'],
               help='"keystone" validates tokens with keystonemiddleware '
                    '(options in [keystone_authtoken]) and calls Nova with '
                    'the caller\'s own token. "noauth" trusts the X-User-Id, '
                    'X-Project-Id and X-Roles headers: only for development '
                    'and tests, never on a network others can reach.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most containers one list request returns.'),
    cfg.IntOpt('flavor_cache_seconds', default=60, min=0,
               help='How long the flavor list a project sees is reused to '
                    'pick the flavor of new containers. Flavors rarely '
                    'change; 0 asks Nova on every create.'),
]


def _endpoint_opts(service, without=None):
    """Where the facade finds one service (``compute``, ``image``).

    ``without``: what happens in noauth mode without an override (by
    default the override is required then).
    """
    noauth = without or '(required with auth_strategy = noauth)'

    return [
        cfg.StrOpt('region_name',
                   help='Region of the %s endpoint in the catalog.'
                   % service),
        cfg.StrOpt('interface', default='public',
                   choices=['public', 'internal', 'admin'],
                   help='Catalog interface of the %s endpoint.' % service),
        cfg.URIOpt('endpoint_override',
                   help='%s endpoint to use instead of the catalog\'s %s.'
                   % (service.capitalize(), noauth)),
    ]


NOVA_OPTS = _endpoint_opts('compute') + [
    cfg.IntOpt('timeout', default=60, min=1,
               help='Seconds to wait for one Nova API call.'),
    cfg.IntOpt('resize_timeout', default=120, min=1,
               help='Seconds an update of a container\'s cpu or memory '
                    'waits for Nova to resize the server (it answers when '
                    'the resize is confirmed).'),
]


GLANCE_OPTS = _endpoint_opts('image')


NEUTRON_OPTS = _endpoint_opts(
    'network', '(with auth_strategy = noauth and no override, or no network '
    'endpoint in the catalog, containers get no network)')


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(API_OPTS, group=api_group)
    conf.register_group(nova_group)
    conf.register_opts(NOVA_OPTS, group=nova_group)
    conf.register_group(glance_group)
    conf.register_opts(GLANCE_OPTS, group=glance_group)
    conf.register_group(neutron_group)
    conf.register_opts(NEUTRON_OPTS, group=neutron_group)


def list_opts():
    return [(api_group, API_OPTS), (nova_group, NOVA_OPTS),
            (glance_group, GLANCE_OPTS), (neutron_group, NEUTRON_OPTS)]
