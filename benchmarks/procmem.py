"""Memory of processes as /proc tells it: proportional sets and shims.

No Nova import: the all-in-one's benchmarks use it as well.
"""
import glob


def pss_kib(pid):
    """Proportional set size of a process, KiB (0 if it is gone)."""
    try:
        with open('/proc/%d/smaps_rollup' % pid) as rollup:
            for line in rollup:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def shim_pids(container_ids):
    """Pids of the containerd shims of these containers (full ids)."""
    wanted = set(container_ids)
    pids = []
    for cmdline in glob.glob('/proc/[0-9]*/cmdline'):
        try:
            with open(cmdline, 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        if b'containerd-shim' in args[0] and b'-id' in args:
            if args[args.index(b'-id') + 1].decode() in wanted:
                pids.append(int(cmdline.split('/')[2]))
    return pids
