"""Boot latency and concurrency on the all-in-one, as a client sees them.

Through openstacksdk with the demo user's Keystone token, against Nova's
API (the image `busybox`, the flavor `c1.tiny`; no Neutron port, or with
--network NAME one port on the demo project's network NAME, e.g. `private`,
so that create→ACTIVE includes plugging it and Neutron's
network-vif-plugged):

1. sequential: N servers one after another, each created, awaited ACTIVE
   and deleted (awaited gone); p50/p99 of create→ACTIVE and of the cycle;
2. burst: M servers created at once (one client thread each); the time
   until every one is ACTIVE, how many never got there, whether any
   server or container is left after they are deleted, and the CPU time
   each all-in-one service used meanwhile (is the burst bound by the
   machine's cores, and whose work fills them);
3. the floor: N containers created+started one at a time, and M at once
   spread over the compute hosts' engines like the burst, with raw
   docker-py, same image and limits;
4. with --fake-host, Nova's own floor: the same sequential boots
   (interleaved with the Higgins ones) and the same burst on one more
   compute host running Nova's fake driver (aio_fake_host.py), which
   starts nothing: what Nova's services alone take on this machine.

The client polls lightly, as the issue asks: one list call every --poll
seconds (0.25) answers for every server it waits for, so the measured
latency includes up to one poll interval. Every server and container made
here is removed at the end, also on failure.

usage: /opt/higgins-aio/venv/bin/python benchmarks/aio_boot.py
       [--sequential N] [--burst M] [--poll S] [--network NAME]
       [--fake-host]
Needs `contrib/aio/higgins-aio up`.
"""
import argparse
import concurrent.futures
import contextlib
import os
import statistics
import time
import uuid

import aio_cloud
import aio_fake_host
import rawdocker

NOVA = {'OpenStack-API-Version': 'compute 2.79'}
FAKE = ' (fake driver)'


class Cloud:
    """Creates, watches and deletes the benchmark's servers."""

    def __init__(self, poll, network=None, conn=None, flavor='c1.tiny',
                 image='busybox', **fields):
        """``fields`` are added to every create request's server."""
        self.conn = conn or aio_cloud.demo_connection()
        if network:
            found = self.conn.network.find_network(
                network, project_id=self.conn.current_project_id,
                ignore_missing=False)
            self.networks = [{'uuid': found.id}]
        else:
            self.networks = 'none'
        self.session = self.conn.session
        self.nova = self.session.get_endpoint(service_type='compute',
                                              interface='public')
        self.image = self.conn.image.find_image(image).id
        self.flavor = self.conn.compute.find_flavor(flavor).id
        self.fields = fields
        self.poll = poll
        self.prefix = 'bench-%s-' % uuid.uuid4().hex[:6]
        self.made = set()

    def create(self, n):
        response = self.session.post(
            self.nova + '/servers', headers=NOVA, json={'server': {
                'name': '%s%d' % (self.prefix, n), 'imageRef': self.image,
                'flavorRef': self.flavor, 'networks': self.networks,
                **self.fields}})
        server_id = response.json()['server']['id']
        self.made.add(server_id)
        return server_id

    def statuses(self):
        """{server id: status} of this run's servers: one list call."""
        response = self.session.get(
            self.nova + '/servers/detail', headers=NOVA,
            params={'name': '^' + self.prefix})
        return {s['id']: s['status'] for s in response.json()['servers']}

    def wait(self, server_ids, until, timeout=120):
        """Poll until ``until(status or None)`` holds for every server.

        Returns {server id: seconds since the call when first seen so}.
        """
        started = time.perf_counter()
        seen = {}
        while len(seen) < len(server_ids):
            if time.perf_counter() - started > timeout:
                break
            current = self.statuses()
            now = time.perf_counter() - started
            for server_id in server_ids:
                if server_id not in seen and until(current.get(server_id)):
                    seen[server_id] = now
            if len(seen) < len(server_ids):
                time.sleep(self.poll)
        return seen

    def delete_made(self):
        """Delete every server of this run that is still there."""
        if self.made:
            # A host deletes one server at a time, slower the more it has.
            self.delete(list(self.made), timeout=120 + 2 * len(self.made))

    def delete(self, server_ids, timeout=120):
        for server_id in server_ids:
            self.session.delete(self.nova + '/servers/' + server_id,
                                headers=NOVA, raise_exc=False)
        gone = self.wait(server_ids, lambda status: status is None, timeout)
        self.made -= set(gone)
        return gone


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def one_cycle(cloud, n):
    """Seconds create→ACTIVE and create→ACTIVE→deleted of one server."""
    started = time.perf_counter()
    server_id = cloud.create(n)
    active = cloud.wait([server_id], lambda status: status == 'ACTIVE')
    if server_id not in active:
        raise RuntimeError('server %s never became ACTIVE' % server_id)
    boot = time.perf_counter() - started
    cloud.delete([server_id])
    return boot, time.perf_counter() - started


def sequential(clouds, rounds):
    """Boots one server at a time on each of ``clouds``, taking turns.

    ``clouds`` is {label: Cloud}.
    """
    boots = {label: [] for label in clouds}
    cycles = {label: [] for label in clouds}
    for n in range(rounds):
        for label, cloud in clouds.items():
            boot, cycle = one_cycle(cloud, n)
            boots[label].append(boot)
            cycles[label].append(cycle)
    for label in clouds:
        print('sequential%s: %d servers, create→ACTIVE p50 %.3f s, p99 '
              '%.3f s, max %.3f s; create→ACTIVE→deleted p50 %.3f s'
              % (label, rounds, statistics.median(boots[label]),
                 percentile(boots[label], 0.99), max(boots[label]),
                 statistics.median(cycles[label])))
    return {label: statistics.median(boots[label]) for label in clouds}


def burst(cloud, count, engines, label='', extra_pids=None):
    """Creates ``count`` servers at once; prints what it took.

    ``extra_pids``: {name: pid} of processes to count with the services'
    CPU time.
    """
    cpu_before = aio_cloud.cpu_seconds(extra_pids)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        ids = list(pool.map(cloud.create, range(1000, 1000 + count)))
    accepted = time.perf_counter() - started
    settled = cloud.wait(ids, lambda status: status in ('ACTIVE', 'ERROR'))
    wall = time.perf_counter() - started
    cpu_used = cpu_during(cpu_before, aio_cloud.cpu_seconds(extra_pids))
    final = cloud.statuses()
    active = [i for i in ids if final.get(i) == 'ACTIVE']
    # Until the last server that became ACTIVE did.
    all_active = accepted + max([settled[i] for i in active] or [0])
    cloud.delete(ids)
    left = [i for i in ids if i in cloud.statuses()]
    containers = aio_cloud.containers_of(engines, ids)
    print('burst%s: %d servers created at once; all accepted after %.2f s; '
          '%d ACTIVE, the last after %.2f s; lost (ERROR or never '
          'ACTIVE): %d; left after delete: %d server(s), %d container(s)'
          % (label, count, accepted, len(active), all_active,
             count - len(active), len(left), len(containers)))
    # Whether a burst is bound by the machine's cores, and by whom.
    total = sum(cpu_used.values())
    print('burst%s CPU: %.1f s of %d cores x %.1f s wall (%.0f%%); by '
          'service: %s' % (label, total, os.cpu_count(), wall,
                           100 * total / (os.cpu_count() * wall),
                           ', '.join('%s %.1f s' % item for item in sorted(
                               cpu_used.items(), key=lambda item: -item[1])
                               if item[1] >= 0.05)))


def cpu_during(before, after):
    """CPU seconds each service used between two ``cpu_seconds()``."""
    return {name: seconds - before.get(name, 0)
            for name, seconds in after.items()}


def raw_run(client, image):
    """The container `docker run -d` would start, as Higgins limits it."""
    container = rawdocker.create(client, image)
    container.start()
    return container


def engines_with(engines, image):
    return [e for e in engines if e.images.list(name=image.split(':')[0])]


def raw_sequential(engines, image, rounds):
    """Median seconds of one create+start at a time, on one engine."""
    client = engines_with(engines, image)[0]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        container = raw_run(client, image)
        times.append(time.perf_counter() - started)
        container.remove(force=True, v=True)
    print('raw docker: %d containers created+started one at a time, p50 '
          '%.3f s' % (rounds, statistics.median(times)))
    return statistics.median(times)


def raw_burst(engines, image, count):
    """Seconds for ``count`` concurrent create+start, spread over engines."""
    engines = engines_with(engines, image)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        made = list(pool.map(
            lambda n: raw_run(engines[n % len(engines)], image),
            range(count)))
    elapsed = time.perf_counter() - started
    for container in made:
        container.remove(force=True, v=True)
    print('raw docker: %d containers created+started at once on %d '
          'engine(s) in %.2f s' % (count, len(engines), elapsed))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sequential', type=int, default=50)
    parser.add_argument('--burst', type=int, default=20)
    parser.add_argument('--poll', type=float, default=0.25)
    parser.add_argument('--network', help="one port on the demo project's "
                        'network of this name (default: no port)')
    parser.add_argument('--fake-host', action='store_true',
                        help="also boot on a compute host with Nova's fake "
                        'driver, interleaved: the floor of Nova alone')
    args = parser.parse_args()
    if args.fake_host and args.network:
        # No Neutron agent serves the fake host: its ports never bind.
        parser.error('--fake-host boots servers without ports only')
    print('servers with %s' % ('a port on %s' % args.network
                               if args.network else 'no port'))
    engines = aio_cloud.engines()
    with contextlib.ExitStack() as stack:
        clouds = {'': Cloud(args.poll, args.network)}
        extra_pids = {}
        if args.fake_host:
            fake_host = aio_fake_host.fake_compute_host(
                aio_cloud.admin_connection())
            fake_flavor, fake_image, extra_pids[aio_fake_host.HOST] = (
                stack.enter_context(fake_host))
            clouds[FAKE] = Cloud(args.poll, flavor=fake_flavor,
                                 image=fake_image)
        for cloud in clouds.values():
            stack.callback(cloud.delete_made)
        # Warm-up: the first boot on each host may fetch the image.
        warm = {cloud: [cloud.create(n) for n in range(-len(engines), 0)]
                for cloud in clouds.values()}
        for cloud, ids in warm.items():
            cloud.wait(ids, lambda status: status == 'ACTIVE')
            cloud.delete(ids)
        image = 'higgins/glance-%s:latest' % clouds[''].image
        if args.sequential:
            p50 = sequential(clouds, args.sequential)
            raw = raw_sequential(engines, image, args.sequential)
            if args.fake_host:
                print('sequential p50, Higgins / (fake driver + raw docker): '
                      '%.2f' % (p50[''] / (p50[FAKE] + raw)))
        if args.burst:
            for label, cloud in clouds.items():
                burst(cloud, args.burst, engines, label, extra_pids)
            raw_burst(engines, image, args.burst)


if __name__ == '__main__':
    main()
