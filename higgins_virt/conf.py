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
    cfg.IntOpt('console_max_connections',
               default=4, min=1,
               help='Serial console connections one server takes at once '
                    '(each is a nova-serialproxy session); more are '
                    'refused. Consoles are on when [serial_console] '
                    'enabled is true.'),
    cfg.StrOpt('disk_quota',
               default='auto',
               choices=[
                   ('auto', "Enforce the flavor's root disk as the "
                            "container's size limit when the engine's "
                            'storage driver always can (btrfs, zfs).'),
                   ('enforce', 'Always pass the size limit: for storage '
                               'that can enforce it but does not say so '
                               '(overlay2 on xfs mounted with pquota). A '
                               'boot fails if the engine cannot.'),
                   ('off', 'Never: the root disk is a scheduling figure '
                           'only.')],
               help="Whether a container's writable layer is limited to "
                    "its flavor's root disk. Hosts that enforce it report "
                    'the trait CUSTOM_HIGGINS_DISK_QUOTA.'),
    cfg.BoolOpt('enforce_disk_quota',
                default=False,
                deprecated_for_removal=True,
                deprecated_reason='Use disk_quota=enforce.',
                help='True is the same as disk_quota=enforce.'),
    cfg.IntOpt('log_max_mb',
               default=10, min=1,
               help="MiB of a container's output kept in one log file "
                    'before it is rotated.'),
    cfg.IntOpt('log_max_files',
               default=3, min=1,
               help="Log files kept per container: its output on the host "
                    'never exceeds log_max_mb times log_max_files MiB. The '
                    'console log reads the newest lines across them.'),
]

image_opts = [
    cfg.ListOpt('image_reference_patterns',
                default=[],
                help='Shell-style patterns of the engine references a Glance '
                     'container image without data may name (its '
                     'higgins_image_ref property, or its name), matched '
                     'against the full form, e.g. docker.io/library/* or '
                     'registry.example.com/apps/*:*. Empty: only images '
                     'whose data is stored in Glance boot. Digests, image '
                     "ids and Higgins' own cache names are never accepted."),
    cfg.ListOpt('image_reference_owners',
                default=[],
                help='Glance owners (project ids) whose images may name an '
                     'engine reference. Empty: any owner, within '
                     'image_reference_patterns.'),
]

ALL_OPTS = engine_opts + container_opts + image_opts


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(ALL_OPTS, group=GROUP)


def list_opts():
    """Options for the sample-config generator (oslo.config.opts entry)."""
    return [(GROUP, ALL_OPTS)]
