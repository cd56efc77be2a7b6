"""What a Higgins host offers: placement inventory and Nova's resource view.

Both views come from one engine ``info`` call plus the free space of the
filesystem holding the engine's data, so a periodic update costs the same
whatever the number of containers. ``HostFacts`` keeps that answer for the
calls in between (a boot, the resource tracker's claim), so they do not ask
the engine again for facts that change only when the engine restarts.
"""
import os
import platform
import threading
import time

from nova.objects import fields
import os_resource_classes as orc
from oslo_serialization import jsonutils
from oslo_utils import units
from oslo_utils import versionutils

from higgins_common import contract

# Storage drivers that always honour a per-container size.
DISK_QUOTA_DRIVERS = frozenset(['btrfs', 'zfs'])


class HostFacts:
    """The engine's ``info``, fetched again when asked to or when stale.

    ``get(refresh=True)`` always asks the engine (the periodic resource
    audit does, so what it reports is current); ``get()`` reuses an answer
    younger than ``ttl`` seconds. Safe to call from several threads.
    """

    def __init__(self, fetch, ttl):
        self._fetch = fetch
        self._ttl = ttl
        self._lock = threading.Lock()
        self._info = None
        self._taken_at = None

    def get(self, refresh=False):
        with self._lock:
            if (not refresh and self._info is not None and
                    time.monotonic() - self._taken_at < self._ttl):
                return self._info
        taken_at = time.monotonic()
        info = self._fetch()
        with self._lock:
            if self._taken_at is None or taken_at >= self._taken_at:
                self._info, self._taken_at = info, taken_at
        return info


def enforces_disk_quota(engine_info, conf):
    """Whether containers get their flavor's root disk as a hard limit."""
    mode = 'enforce' if conf.enforce_disk_quota else conf.disk_quota
    if mode == 'auto':
        return engine_info.storage_driver in DISK_QUOTA_DRIVERS
    return mode == 'enforce'


def traits(engine_info, conf):
    """(traits this host has, Higgins traits it does not have)."""
    facts = {
        contract.CONTAINER_TRAIT: True,
        contract.USERNS_TRAIT: engine_info.userns_remapped,
        contract.DISK_QUOTA_TRAIT: enforces_disk_quota(engine_info, conf),
    }
    return ({trait for trait, held in facts.items() if held},
            {trait for trait, held in facts.items() if not held})


def _disk_stats(path):
    """Return (total_gb, free_gb) of the filesystem holding ``path``."""
    stats = os.statvfs(path)
    total = stats.f_blocks * stats.f_frsize // units.Gi
    free = stats.f_bavail * stats.f_frsize // units.Gi
    return total, free


def _data_path(engine_info, fallback):
    # The engine's data root is local when the engine is; otherwise the
    # instances path is the best local proxy.
    root = engine_info.root_dir
    return root if root and os.path.isdir(root) else fallback


def _architecture(engine_info):
    arch = engine_info.architecture or platform.machine()
    return fields.Architecture.canonicalize(arch)


def inventory(engine_info, ratios, reserved, instances_path):
    """Placement inventory dict for a host described by ``engine_info``.

    ``ratios`` maps resource class to allocation ratio and ``reserved`` maps
    it to the amount kept for the host itself.
    """
    vcpus = engine_info.cpus
    memory_mb = engine_info.memory_bytes // units.Mi
    disk_gb, _free = _disk_stats(_data_path(engine_info, instances_path))
    totals = {orc.VCPU: vcpus, orc.MEMORY_MB: memory_mb, orc.DISK_GB: disk_gb}
    return {
        rc: {
            'total': total,
            'min_unit': 1,
            'max_unit': total,
            'step_size': 1,
            'allocation_ratio': ratios[rc],
            'reserved': reserved[rc],
        }
        for rc, total in totals.items() if total > 0
    }


def available_resource(engine_info, nodename, host_ip, instances_path):
    """The resource dict ``ComputeDriver.get_available_resource`` returns."""
    memory_mb = engine_info.memory_bytes // units.Mi
    disk_gb, free_gb = _disk_stats(_data_path(engine_info, instances_path))
    arch = _architecture(engine_info)
    try:
        version = versionutils.convert_version_to_int(
            engine_info.version.split('+')[0].split('-')[0])
    except ValueError:
        # An engine built from source may report any text ("dev").
        version = 0
    return {
        'vcpus': engine_info.cpus,
        'memory_mb': memory_mb,
        'local_gb': disk_gb,
        # Nova's resource tracker computes usage from its own instances.
        'vcpus_used': 0,
        'memory_mb_used': 0,
        'local_gb_used': 0,
        'hypervisor_type': fields.HVType.DOCKER,
        'hypervisor_version': version,
        'hypervisor_hostname': nodename,
        'cpu_info': jsonutils.dumps({'arch': arch,
                                     'topology': {'cores': engine_info.cpus,
                                                  'sockets': 1,
                                                  'threads': 1}}),
        'disk_available_least': free_gb,
        'supported_instances': [(arch, fields.HVType.DOCKER,
                                 fields.VMMode.EXE)],
        'numa_topology': None,
        'host_ip': host_ip,
    }


def host_uptime(proc='/proc'):
    """The host's uptime and load, in the words of uptime(1).

    Nova's hypervisor uptime API (before microversion 2.88) shows it as
    the driver gives it; libvirt hosts give the command's output.
    """
    with open(os.path.join(proc, 'uptime')) as f:
        seconds = int(float(f.read().split()[0]))
    with open(os.path.join(proc, 'loadavg')) as f:
        loads = f.read().split()[:3]
    days, rest = divmod(seconds, 86400)
    hours, minutes = divmod(rest // 60, 60)
    since = '%d day%s, ' % (days, '' if days == 1 else 's') if days else ''
    return ' %s up %s%2d:%02d,  load average: %s' % (
        time.strftime('%H:%M:%S'), since, hours, minutes, ', '.join(loads))
