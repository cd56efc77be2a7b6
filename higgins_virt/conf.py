"""Configuration options of the Higgins driver, all in the ``[higgins]`` group.

Options are registered on Nova's global CONF when the driver is imported, and
listed through :func:`list_opts` for ``oslo-config-generator --namespace
higgins_virt``. Placement-related settings (allocation ratios, reserved host
resources) are Nova's own ``[DEFAULT]`` options and are not repeated here.
"""
from oslo_config import cfg
from oslo_utils import units

GROUP = cfg.OptGroup(
    'higgins',
    title='Higgins container driver options',
    help='How nova-compute reaches the container engine and how it shapes '
         'the containers it creates.')

engine_opts = [
    cfg.StrOpt('engine_url',
               default='unix:///var/run/docker.sock',
               help='URL of the Docker Engine API: unix:///path/to.sock or '
                    'tcp://host:port. Each compute host talks to its own '
                    'engine.'),
    cfg.IntOpt('engine_timeout',
               default=60, min=1,
               help='Seconds to wait for any single engine API call.'),
    cfg.IntOpt('image_pull_timeout',
               default=300, min=1,
               help='Seconds a pull of an image from a registry may take, '
                    'for Glance container images that name an engine '
                    'reference instead of holding data.'),
    cfg.FloatOpt('event_reconnect_interval',
                 default=1.0, min=0.1,
                 help='Seconds between attempts to re-open the engine event '
                      'stream after it broke (engine restart or upgrade).'),
]

container_opts = [
    cfg.StrOpt('network_mode',
               default='none',
               choices=[('none', 'Containers get a loopback interface only.'),
                        ('bridge', "The engine's default bridge network, for "
                                   'stand-alone hosts without Neutron.')],
               help='Network the engine gives a new container.'),
    cfg.IntOpt('pids_limit',
               default=1024, min=16,
               help='Maximum number of processes in one container.'),
    cfg.ListOpt('cap_add',
                default=['NET_BIND_SERVICE'],
                help='Linux capabilities given back to containers after '
                     'all are dropped. Keep this list minimal.'),
    cfg.IntOpt('default_stop_timeout',
               default=10, min=0,
               help='Seconds a container gets to exit after SIGTERM when '
                    'Nova asks for a graceful stop without a timeout of its '
                    'own (soft reboot, suspend). Then it is killed.'),
    cfg.IntOpt('console_log_lines',
               default=1000, min=1,
               help='Lines of container output returned as console log.'),
    cfg.IntOpt('console_log_max_bytes',
               default=units.Mi, min=units.Ki,
               help='Upper bound in bytes of the console log returned.'),
    cfg.BoolOpt('enforce_disk_quota',
                default=False,
                help="Pass the flavor's root disk as the container's storage "
                     "size limit. Only some storage drivers support it (e.g. "
                     "overlay2 on xfs with pquota); leave off otherwise, and "
                     "the disk figure is a scheduling hint only."),
]

ALL_OPTS = engine_opts + container_opts


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(ALL_OPTS, group=GROUP)


def list_opts():
    """Options for the sample-config generator (oslo.config.opts entry)."""
    return [(GROUP, ALL_OPTS)]
