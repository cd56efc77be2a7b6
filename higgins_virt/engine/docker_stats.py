"""Docker's stats document as engine-neutral :class:`ContainerStats`.

The engine answers ``GET /containers/{id}/stats?stream=false&one-shot=true``
with cgroup counters (v1 or v2 layouts). Memory in use is counted as the
engine's own CLI counts it: the cgroup's usage minus the page cache the
kernel can drop at once (inactive file pages). Pages of tmpfs files and
anonymous memory stay counted. Block I/O is summed over devices; an empty
record means nothing was measured, which is not the same as zero.
"""
from higgins_virt.engine import base


def _memory_used(memory):
    usage = int(memory.get('usage') or 0)
    detail = memory.get('stats') or {}
    # cgroup v1 names it total_inactive_file, v2 inactive_file.
    for key in ('total_inactive_file', 'inactive_file'):
        if key in detail:
            return max(0, usage - int(detail[key]))
    return usage


def _sum_by_op(entries):
    """{'read': n, 'write': n} of a blkio list; None if it is empty."""
    if not entries:
        return None
    totals = {'read': 0, 'write': 0}
    for entry in entries:
        op = str(entry.get('op') or '').lower()
        if op in totals:
            totals[op] += int(entry.get('value') or 0)
    return totals


def _interfaces(networks):
    return tuple(
        base.InterfaceCounters(
            name=name,
            rx_bytes=int(n.get('rx_bytes') or 0),
            rx_packets=int(n.get('rx_packets') or 0),
            rx_errors=int(n.get('rx_errors') or 0),
            rx_dropped=int(n.get('rx_dropped') or 0),
            tx_bytes=int(n.get('tx_bytes') or 0),
            tx_packets=int(n.get('tx_packets') or 0),
            tx_errors=int(n.get('tx_errors') or 0),
            tx_dropped=int(n.get('tx_dropped') or 0))
        for name, n in sorted((networks or {}).items()))


def container_stats(doc):
    """:class:`ContainerStats` of one engine stats document."""
    cpu = (doc.get('cpu_stats') or {}).get('cpu_usage') or {}
    memory = doc.get('memory_stats') or {}
    blkio = doc.get('blkio_stats') or {}
    volume = _sum_by_op(blkio.get('io_service_bytes_recursive'))
    requests = _sum_by_op(blkio.get('io_serviced_recursive'))
    return base.ContainerStats(
        cpu_time_ns=int(cpu.get('total_usage') or 0),
        memory_used_bytes=_memory_used(memory),
        memory_limit_bytes=int(memory.get('limit') or 0),
        disk_read_bytes=volume and volume['read'],
        disk_write_bytes=volume and volume['write'],
        disk_read_requests=requests and requests['read'],
        disk_write_requests=requests and requests['write'],
        interfaces=_interfaces(doc.get('networks')))
