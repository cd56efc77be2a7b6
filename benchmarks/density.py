"""Many small containers on one compute host: memory and periodic tasks.

One in-process Nova (the functional harness) with one Higgins compute host
on the machine's engine boots N servers of 128 MiB / 1 vCPU (allocation
ratios raised so N fit). Then:

* memory per idle container, Higgins against raw docker-py create+start of
  the same image with the same options: the shims' proportional set size,
  the containers' own anonymous memory (cgroup ``total_rss``), and what
  dockerd and containerd grew by, divided by N;
* each periodic task Nova runs against the driver, called as Nova calls it
  (``update_available_resource``, ``_sync_power_states`` until its per-
  instance syncs finish, ``_sync_scheduler_instance_info``,
  ``_run_image_cache_manager_pass``, ``_cleanup_running_deleted_instances``):
  wall time, the time spent in the driver, the number of engine calls and
  of requests to placement, at a few servers and at N, so that a count
  growing with N shows;
* the RSS of the process (the whole in-process cloud, nova-compute
  included) with no server and with N.

Every server, container and image made here is removed at the end.

usage: python benchmarks/density.py [--count N]
Needs a running engine and the test image (tools/build-test-image.sh).
"""
import argparse
import os
import time

# First: it sets Nova up to run on native threads.
import common  # noqa: F401,I100

import docker  # noqa: E402
from nova import context as nova_context  # noqa: E402

import boot_probe  # noqa: E402
from higgins_virt.tests import engine_fixtures  # noqa: E402
from higgins_virt.tests.functional import base  # noqa: E402
import instrument  # noqa: E402
import procmem  # noqa: E402
import rawdocker  # noqa: E402

# Servers booted or deleted at a time. One: with several builds at once,
# the harness's single in-memory database (one lock for every service)
# deadlocks against the resource tracker's lock.
BATCH = 1
# Servers at the first periodic-task measurement.
FEW = 10
PERIODIC_TASKS = ('update_available_resource', '_sync_power_states',
                  '_sync_scheduler_instance_info',
                  '_run_image_cache_manager_pass',
                  '_cleanup_running_deleted_instances')
# Driver methods the periodic tasks call: their time is the driver's share.
DRIVER_METHODS = ('get_available_resource', 'update_provider_tree',
                  'get_available_nodes', 'node_is_available', 'get_info',
                  'list_instances', 'list_instance_uuids',
                  'get_num_instances', 'instance_exists',
                  'manage_image_cache')
# The report client's requests to placement.
PLACEMENT_METHODS = ('get', 'put', 'post', 'delete')


class DensityBench(base.HigginsTestCase):
    """The harness with allocation ratios that let N small servers in."""

    def setUp(self):
        self.flags(cpu_allocation_ratio=256.0, ram_allocation_ratio=4.0,
                   disk_allocation_ratio=4.0)
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        super().setUp()
        self.image_id = self.register_image(engine_fixtures.TEST_IMAGE)
        self.probe = boot_probe.ActiveProbe()
        self.addCleanup(self.probe.close)

    def runTest(self):  # testtools wants a test method; unused
        pass

    def boot_many(self, count):
        made = []
        while len(made) < count:
            batch = [self.api.post_server({'server': self._build_server(
                image_uuid=self.image_id, flavor_id=self.flavor_id,
                networks='none')})
                for _ in range(min(BATCH, count - len(made)))]
            for server in batch:
                self.probe.wait(server['id'], timeout=300)
            made.extend(batch)
        return made

    def delete_many(self, servers):
        for start in range(0, len(servers), BATCH):
            batch = servers[start:start + BATCH]
            for server in batch:
                self.api.delete_server(server['id'])
            for server in batch:
                self._wait_until_deleted(server)


def cgroup_rss_kib(client, container_id):
    """The container's own anonymous memory, as the engine's stats say."""
    stats = client.api.stats(container_id, stream=False, one_shot=True)
    memory = (stats.get('memory_stats') or {}).get('stats') or {}
    return (memory.get('total_rss') or memory.get('anon') or 0) // 1024


def engine_pids():
    pids = {}
    for name, pidfile in (('dockerd', '/var/run/docker.pid'),
                          ('containerd',
                           '/var/run/docker/containerd/containerd.pid')):
        with open(pidfile) as f:
            pids[name] = int(f.read())
    return pids


def engine_kib():
    return {name: procmem.pss_kib(pid) for name, pid in engine_pids().items()}


def per_container(client, ids, before):
    """KiB per container: shim, container, engine growth, total."""
    n = len(ids)
    after = engine_kib()
    shim = sum(procmem.pss_kib(p) for p in procmem.shim_pids(ids)) / n
    inside = sum(cgroup_rss_kib(client, i) for i in ids) / n
    growth = sum(after[k] - before[k] for k in after) / n
    return shim, inside, growth, shim + inside + growth


def raw_containers(client, count):
    made = []
    for _ in range(count):
        container = rawdocker.create(client, engine_fixtures.TEST_IMAGE)
        container.start()
        made.append(container)
    return made


def rss_mib():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0


def run_periodic_tasks(bench, label):
    manager = bench.compute.manager
    ctx = nova_context.get_admin_context()
    recorder = instrument.Recorder()
    recorder.wrap(manager.driver._engine, instrument.ENGINE_METHODS,
                  'engine.')
    recorder.wrap(manager.driver, DRIVER_METHODS, 'driver.')
    recorder.wrap(manager.rt.reportclient, PLACEMENT_METHODS, 'placement.')
    print('\nperiodic tasks with %s:' % label)
    try:
        for task in PERIODIC_TASKS:
            recorder.reset()
            started = time.perf_counter()
            getattr(manager, task)(ctx)
            # The power-state sync hands each instance to a pool.
            while manager._syncs_in_progress:
                time.sleep(0.005)
            elapsed = time.perf_counter() - started
            calls = ', '.join('%s %d' % (k[len('engine.'):], v)
                              for k, v in sorted(recorder.calls.items())
                              if k.startswith('engine.'))
            print('  %-36s %7.1f ms  driver %6.1f ms  engine calls: %d (%s)'
                  '  placement requests: %d'
                  % (task, elapsed * 1000,
                     recorder.total_seconds('driver.') * 1000,
                     recorder.total_calls('engine.'), calls or '-',
                     recorder.total_calls('placement.')))
    finally:
        recorder.unwrap()


def measure_higgins(bench, count):
    before = engine_kib()
    servers = bench.boot_many(FEW)
    run_periodic_tasks(bench, '%d servers' % len(servers))
    servers += bench.boot_many(count - len(servers))
    time.sleep(5)  # let the containers settle into idleness
    ids = [bench.container(s).id for s in servers]
    memory = per_container(bench.engine, ids, before)
    run_periodic_tasks(bench, '%d servers' % len(servers))
    return servers, memory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=200)
    args = parser.parse_args()
    bench = DensityBench()
    bench.setUp()
    client = docker.from_env(version='auto')
    servers, raw = [], []
    try:
        rss_before = rss_mib()
        started = time.perf_counter()
        servers, higgins = measure_higgins(bench, args.count)
        booted = time.perf_counter() - started
        rss_after = rss_mib()
        bench.delete_many(servers)
        servers = []
        before = engine_kib()
        raw = raw_containers(client, args.count)
        time.sleep(5)
        raw_memory = per_container(client, [c.id for c in raw], before)
        print('\n%d servers booted in %.0f s (%d at a time)'
              % (args.count, booted, BATCH))
        print('memory per idle container, KiB: %8s %10s %8s %8s'
              % ('shim', 'container', 'engine', 'total'))
        for label, m in (('Higgins', higgins), ('raw docker', raw_memory)):
            print('  %-32s %8.0f %10.0f %8.0f %8.0f' % ((label,) + m))
        print('ratio Higgins / raw: %.2f' % (higgins[3] / raw_memory[3]))
        print('in-process cloud RSS: %.0f MiB with 0 servers, %.0f MiB '
              'with %d' % (rss_before, rss_after, args.count))
    finally:
        for container in raw:
            container.remove(force=True, v=True)
        if servers:
            bench.delete_many(servers)
        bench.doCleanups()
        client.close()


if __name__ == '__main__':
    os.environ.setdefault('OS_TEST_TIMEOUT', '0')
    main()
