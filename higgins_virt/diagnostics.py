"""A container's resource use as Nova's server diagnostics.

Built from one engine stats sample, the engine's inspect of the container
(state and start time) and, for a server with Neutron ports, the counters
of the interfaces in its network sandbox. Facts a container cannot have
are left out rather than invented:

- ``cpu_details`` holds one entry, the CPU time of all the container's
  processes on every core since it last started; a container has no
  virtual CPUs to count apart, and no live utilisation is measured.
- ``uptime`` counts from the container's last start, the moment its CPU
  and I/O counters began, so ``time / uptime`` is its average use.
- ``memory_details`` is in MiB: ``used`` as the engine counts it (without
  page cache the kernel can drop), ``maximum`` the limit it enforces.
- ``disk_details`` holds the container's root filesystem; its values are
  None when the host recorded no block I/O for the container.
- ``driver`` is ``libvirt``: Nova's API admits only its own driver names
  (ironic, libvirt, vmwareapi, xenapi) and validates its answer against
  them; ``hypervisor`` is ``docker``, which tells a Higgins server apart.
"""
from nova.compute import power_state
from nova import objects
from oslo_utils import timeutils
from oslo_utils import units

#: Nova's closed list of driver names has none for a container driver.
DRIVER = 'libvirt'
HYPERVISOR = 'docker'
HYPERVISOR_OS = 'linux'


def _uptime(started_at, now):
    if started_at is None:
        return None
    return max(0, int((now - started_at).total_seconds()))


def build(state, started_at, stats, interfaces, now=None):
    """Nova's ``Diagnostics`` object.

    ``state`` is the Nova power state, ``interfaces`` the
    InterfaceCounters of the server's ports (the engine's own when the
    server has none).
    """
    now = now or timeutils.utcnow(with_timezone=True)
    diags = objects.Diagnostics(
        state=power_state.STATE_MAP[state], driver=DRIVER,
        hypervisor=HYPERVISOR, hypervisor_os=HYPERVISOR_OS,
        uptime=_uptime(started_at, now), config_drive=False)
    diags.memory_details = objects.MemoryDiagnostics(
        maximum=stats.memory_limit_bytes // units.Mi,
        used=stats.memory_used_bytes // units.Mi)
    diags.add_cpu(time=stats.cpu_time_ns)
    diags.add_disk(read_bytes=stats.disk_read_bytes,
                   read_requests=stats.disk_read_requests,
                   write_bytes=stats.disk_write_bytes,
                   write_requests=stats.disk_write_requests)
    for nic in interfaces:
        diags.add_nic(
            mac_address=nic.mac, rx_octets=nic.rx_bytes,
            rx_packets=nic.rx_packets, rx_errors=nic.rx_errors,
            rx_drop=nic.rx_dropped, tx_octets=nic.tx_bytes,
            tx_packets=nic.tx_packets, tx_errors=nic.tx_errors,
            tx_drop=nic.tx_dropped)
    return diags


def legacy(diags, interfaces):
    """The pre-2.48 free-form dict, with the same facts.

    Keys follow the libvirt driver's where one exists (``cpu0_time``,
    ``memory``, ``<device>_read`` …), memory in KiB as there.
    """
    memory = diags.memory_details
    disk = diags.disk_details[0]
    found = {
        'cpu0_time': diags.cpu_details[0].time,
        'memory': memory.maximum * units.Ki,
        'memory-rss': memory.used * units.Ki,
        'uptime': diags.uptime,
        'root_read': disk.read_bytes,
        'root_read_req': disk.read_requests,
        'root_write': disk.write_bytes,
        'root_write_req': disk.write_requests,
    }
    for nic in interfaces:
        for suffix, value in (
                ('rx', nic.rx_bytes), ('rx_packets', nic.rx_packets),
                ('rx_errors', nic.rx_errors), ('rx_drop', nic.rx_dropped),
                ('tx', nic.tx_bytes), ('tx_packets', nic.tx_packets),
                ('tx_errors', nic.tx_errors), ('tx_drop', nic.tx_dropped)):
            found['%s_%s' % (nic.name, suffix)] = value
    return found
