"""How a Nova instance becomes a container specification.

Owns the translation of flavor, server metadata and configuration into a
``ContainerSpec``: hard resource limits, the hardening every container gets,
and the labels that let one filtered engine call find this host's containers.
"""
import posixpath

from nova.compute import task_states
from oslo_log import log as logging
from oslo_utils import units

from higgins_common import contract
from higgins_common import metadata
from higgins_virt.engine import base

LOG = logging.getLogger(__name__)

# The engine's CPU quota counts billionths of a CPU.
NANO_CPUS_PER_CPU = units.G
# Extra specs under this prefix would be Higgins' own.
FLAVOR_SPEC_PREFIX = 'higgins:'
# Docker and Linux limit a hostname to 63 characters.
MAX_HOSTNAME = 63
# The search path an engine uses when neither image nor user sets one.
DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


class Refused(ValueError):
    """A flavor setting Higgins will not honour; the message is safe."""


def check_flavor_extra_specs(extra_specs):
    """Refuse extra specs in Higgins' namespace: none is a setting yet.

    Flavors are the operator's, but a key such as ``higgins:privileged``
    reads like a promise; refusing it says plainly that no flavor reaches
    privileged mode, host namespaces, devices or host paths.
    """
    for key in sorted(extra_specs or {}):
        if key.startswith(FLAVOR_SPEC_PREFIX):
            raise Refused('flavor extra spec %s is not a Higgins setting; '
                          'containers never get privileged mode, host '
                          'namespaces, devices or host paths' % key)


# The engine's restart policy for each policy a server's metadata names. A
# Nova stop is final: the engine's "always" would start a container Nova
# stopped once the engine itself restarts, so servers get "unless-stopped",
# which differs only in that.
ENGINE_RESTART_POLICIES = {
    metadata.RESTART_NO: base.RESTART_NO,
    metadata.RESTART_ON_FAILURE: base.RESTART_ON_FAILURE,
    metadata.RESTART_ALWAYS: base.RESTART_UNLESS_STOPPED,
    metadata.RESTART_UNLESS_STOPPED: base.RESTART_UNLESS_STOPPED,
}


def starts_on_create(instance):
    """Whether spawning ``instance`` starts its container.

    Only the first boot honours ``higgins:run=false``; a rebuild restores
    the server's running state as Nova expects.
    """
    if instance.task_state != task_states.SPAWNING:
        return True
    return metadata.parse_metadata(instance.metadata).run


def host_labels(host):
    """Labels shared by every container of one compute host."""
    return {contract.LABEL_MANAGED: '1', contract.LABEL_HOST: host}


def flavor_limits(flavor, host_cpus, conf, instance=None):
    """The engine :class:`~higgins_virt.engine.base.Limits` of ``flavor``.

    CPU, memory and pids: what a resize changes on a running container.
    """
    vcpus = flavor.vcpus
    if host_cpus and vcpus > host_cpus:
        # The engine refuses a quota above the host's cores; placement's
        # VCPU max_unit keeps real flavors within the host anyway.
        LOG.info('Flavor asks for %(want)d vCPUs; this host has %(have)d: '
                 'the CPU quota is capped at %(have)d',
                 {'want': vcpus, 'have': host_cpus}, instance=instance)
        vcpus = host_cpus
    memory = flavor.memory_mb * units.Mi
    # No swap beyond the flavor's own swap allowance.
    memory_and_swap = memory + (flavor.swap or 0) * units.Mi
    return base.Limits(
        nano_cpus=vcpus * NANO_CPUS_PER_CPU if vcpus else None,
        memory_bytes=memory or None,
        memory_swap_bytes=memory_and_swap or None,
        pids_limit=conf.pids_limit)


def build(instance, image, host, host_cpus, conf, disk_quota=False):
    """Return the ContainerSpec for ``instance`` booting engine ``image``.

    ``conf`` is the ``[higgins]`` option group; ``disk_quota`` says whether
    the engine enforces the flavor's root disk. Raises
    ``higgins_common.metadata.InvalidMetadata`` for unusable server metadata
    and ``Refused`` for flavor extra specs Higgins does not honour.
    """
    flavor = instance.flavor
    check_flavor_extra_specs(flavor.extra_specs)
    overrides = metadata.parse_metadata(instance.metadata)

    limits = flavor_limits(flavor, host_cpus, conf, instance)
    disk = (flavor.root_gb * units.Gi
            if disk_quota and flavor.root_gb else None)

    labels = dict(overrides.labels)
    labels.update(host_labels(host))
    labels[contract.LABEL_INSTANCE_UUID] = instance.uuid
    labels[contract.LABEL_INSTANCE_NAME] = instance.name
    restart_policy = ENGINE_RESTART_POLICIES[overrides.restart_policy]
    if restart_policy != base.RESTART_NO:
        # Engine events carry labels: the driver sees at once which exits
        # the engine may answer with a restart.
        labels[contract.LABEL_RESTART_POLICY] = restart_policy

    hostname = (instance.hostname or '')[:MAX_HOSTNAME].rstrip('-.') or None
    return base.ContainerSpec(
        name=contract.container_name(instance.uuid),
        image=image,
        labels=labels,
        command=overrides.command,
        entrypoint=overrides.entrypoint,
        workdir=overrides.workdir,
        environment=overrides.environment,
        hostname=hostname,
        nano_cpus=limits.nano_cpus,
        memory_bytes=limits.memory_bytes,
        memory_swap_bytes=limits.memory_swap_bytes,
        pids_limit=limits.pids_limit,
        disk_bytes=disk,
        cap_add=tuple(conf.cap_add),
        network_mode=conf.network_mode,
        log_max_bytes=conf.log_max_mb * units.Mi,
        log_max_files=conf.log_max_files,
        stdin_open=overrides.interactive,
        tty=overrides.tty,
        restart_policy=restart_policy,
        restart_max_retries=overrides.restart_max_retries,
    )


def command_candidates(spec, image_info):
    """Paths where the program of a user-supplied command may be, in order.

    The program is the user's entrypoint's, else the command's. Empty when
    there is nothing to check: neither override, or an image entrypoint
    that receives the command as its arguments.
    """
    if spec.entrypoint:
        program = spec.entrypoint[0]
    elif spec.command and not image_info.entrypoint:
        program = spec.command[0]
    else:
        return []
    if '/' in program:
        return [posixpath.join(spec.workdir or '/', program)]
    search = (spec.environment.get('PATH') or
              image_info.environment.get('PATH') or DEFAULT_PATH)
    return [posixpath.join(d, program) for d in search.split(':') if d]
