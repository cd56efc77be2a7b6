"""Many small servers on one compute host of the all-in-one: memory.

The admin boots N servers (default 200) onto compute host 1 through Nova's
API, --batch at a time, then reads from /proc:

* nova-compute's RSS with the host's servers before the run and with N
  more (after one resource audit has run with them);
* the engine's (dockerd and its containerd) RSS growth, and the shims'
  proportional set size, per server.

So many servers fit on one host only with room made for them, which the
run makes as an operator would and undoes at the end: a flavor of 1 vCPU,
64 MiB and no disk quota (the hosts' store is small; an admin may boot a
zero-disk flavor), the admin project's instance, core and RAM quotas
lifted, and the host's VCPU allocation ratio in placement raised (Nova
keeps a ratio set in placement when nova.conf sets none). Every server
made here is deleted at the end, also on failure, and the run checks that
no container is left.

usage: /opt/higgins-aio/venv/bin/python benchmarks/aio_density.py
       [--count N] [--batch B]
Needs `contrib/aio/higgins-aio up`.
"""
import argparse
import contextlib
import time
import uuid

from higgins_common import contract

import aio_boot
import aio_cloud
import procmem

HOST = 'higgins-aio-1'
PLACEMENT = {'OpenStack-API-Version': 'placement 1.26'}
# Nova's resource audit runs every minute.
AUDIT_SECONDS = 60


@contextlib.contextmanager
def density_flavor(conn):
    name = 'bench-density-%s' % uuid.uuid4().hex[:6]
    flavor = conn.compute.create_flavor(name=name, ram=64, vcpus=1, disk=0)
    try:
        conn.compute.create_flavor_extra_specs(
            flavor, {'trait:%s' % contract.CONTAINER_TRAIT: 'required'})
        yield name
    finally:
        conn.compute.delete_flavor(flavor)


@contextlib.contextmanager
def lifted_quotas(conn):
    project = conn.current_project_id
    before = conn.get_compute_quotas(project)
    conn.set_compute_quotas(project, instances=-1, cores=-1, ram=-1)
    try:
        yield
    finally:
        conn.set_compute_quotas(project, instances=before['instances'],
                                cores=before['cores'], ram=before['ram'])


class Placement:
    def __init__(self, conn):
        self.session = conn.session
        self.url = conn.session.get_endpoint(service_type='placement',
                                             interface='public')

    def get(self, path):
        return self.session.get(self.url + path, headers=PLACEMENT).json()

    def provider(self, name):
        found = self.get('/resource_providers?name=' + name)
        return found['resource_providers'][0]['uuid']

    def set_ratio(self, provider, resource_class, ratio):
        """Set an allocation ratio; returns the ratio it had.

        Retries a conflict with the compute host's own update of its
        inventory.
        """
        path = '/resource_providers/%s/inventories/%s' % (provider,
                                                          resource_class)
        for _ in range(10):
            inventory = self.get(path)
            old = inventory['allocation_ratio']
            inventory['allocation_ratio'] = ratio
            response = self.session.put(self.url + path, json=inventory,
                                        headers=PLACEMENT, raise_exc=False)
            if response.status_code == 200:
                return old
            time.sleep(0.5)
        raise RuntimeError('placement kept refusing the new ratio: %s'
                           % response.text)


@contextlib.contextmanager
def raised_vcpu_ratio(conn, count):
    placement = Placement(conn)
    provider = placement.provider(hypervisor_of(conn, HOST))
    old = placement.set_ratio(provider, 'VCPU', float(count))
    try:
        yield
    finally:
        placement.set_ratio(provider, 'VCPU', old)


def hypervisor_of(conn, host):
    for hypervisor in conn.compute.hypervisors(details=True):
        if hypervisor.service_details['host'] == host:
            return hypervisor.name
    raise RuntimeError('no hypervisor on %s' % host)


def memory_now(engine, container_ids):
    """nova-compute's RSS, the engine's RSS, the shims' PSS; KiB."""
    rss = aio_cloud.rss_kib()
    shims = sum(procmem.pss_kib(pid)
                for pid in procmem.shim_pids(container_ids))
    return rss['nova-compute-1'], rss['dockerd-1'], shims


def boot(cloud, count, batch):
    """Boots ``count`` servers, ``batch`` at a time.

    Returns their ids, the seconds it took, and the seconds of each batch.
    """
    made, batches = [], []
    started = time.perf_counter()
    while len(made) < count:
        batch_started = time.perf_counter()
        ids = [cloud.create(n) for n in
               range(len(made), min(count, len(made) + batch))]
        cloud.wait(ids, lambda status: status in ('ACTIVE', 'ERROR'),
                   timeout=300)
        statuses = cloud.statuses()
        failed = [i for i in ids if statuses.get(i) != 'ACTIVE']
        if failed:
            fault = cloud.conn.compute.get_server(failed[0]).fault or {}
            raise RuntimeError(
                '%d of the servers %d to %d did not become ACTIVE; the '
                'first: %s' % (len(failed), len(made), len(made) + len(ids),
                               fault.get('message', 'no fault recorded')))
        made += ids
        batches.append(time.perf_counter() - batch_started)
    return made, time.perf_counter() - started, batches


def delete(cloud, server_ids, batch):
    started = time.perf_counter()
    for start in range(0, len(server_ids), batch):
        cloud.delete(server_ids[start:start + batch])
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=200)
    parser.add_argument('--batch', type=int, default=10)
    args = parser.parse_args()
    conn = aio_cloud.admin_connection()
    engine = aio_cloud.engines()[0]
    with contextlib.ExitStack() as stack:
        flavor = stack.enter_context(density_flavor(conn))
        stack.enter_context(lifted_quotas(conn))
        stack.enter_context(raised_vcpu_ratio(conn, args.count))
        cloud = aio_boot.Cloud(0.25, conn=conn, flavor=flavor,
                               availability_zone='nova:' + HOST)
        stack.callback(cloud.delete_made)
        before = memory_now(engine, [])
        ids, booted, batches = boot(cloud, args.count, args.batch)
        wanted = set(ids)
        containers = [c.id for c in engine.containers.list(
            filters={'label': aio_cloud.LABEL_INSTANCE_UUID})
            if c.labels[aio_cloud.LABEL_INSTANCE_UUID] in wanted]
        # One resource audit with every server, then the memory.
        time.sleep(AUDIT_SECONDS + 5)
        after = memory_now(engine, containers)
        deleted = delete(cloud, ids, args.batch)
        left = aio_cloud.containers_of([engine], ids)
    n = len(ids)
    print('%d servers on %s, %d at a time: booted in %.0f s, deleted in '
          '%.0f s; containers found %d, left after delete %d'
          % (n, HOST, args.batch, booted, deleted, len(containers),
             len(left)))
    # Each claim on the host waits for the claims before it; what a claim
    # costs shows in how long a batch takes as the host fills.
    print('seconds per batch of %d, in order: %s'
          % (args.batch, ' '.join('%.1f' % b for b in batches)))
    print('nova-compute RSS: %.0f MiB with the host\'s servers before, '
          '%.0f MiB with %d more (%.0f KiB per server)'
          % (before[0] / 1024, after[0] / 1024, n,
             (after[0] - before[0]) / n))
    print('per server: engine (dockerd, containerd) RSS growth %.0f KiB, '
          'shim PSS %.0f KiB' % ((after[1] - before[1]) / n, after[2] / n))


if __name__ == '__main__':
    main()
