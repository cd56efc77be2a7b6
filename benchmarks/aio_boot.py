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
3. the floor: M containers created+started at once with raw docker-py,
   spread over the compute hosts' engines like the burst, same image.

The client polls lightly, as the issue asks: one list call every --poll
seconds (0.25) answers for every server it waits for, so the measured
latency includes up to one poll interval. Every server and container made
here is removed at the end, also on failure.

usage: /opt/higgins-aio/venv/bin/python benchmarks/aio_boot.py
       [--sequential N] [--burst M] [--poll S] [--network NAME]
Needs `contrib/aio/higgins-aio up`.
"""
import argparse
import concurrent.futures
import os
import statistics
import time
import uuid

import aio_cloud

NOVA = {'OpenStack-API-Version': 'compute 2.79'}


class Cloud:
    """Creates, watches and deletes the benchmark's servers."""

    def __init__(self, poll, network=None):
        self.conn = aio_cloud.demo_connection()
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
        self.image = self.conn.image.find_image('busybox').id
        self.flavor = self.conn.compute.find_flavor('c1.tiny').id
        self.poll = poll
        self.prefix = 'bench-%s-' % uuid.uuid4().hex[:6]
        self.made = set()

    def create(self, n):
        response = self.session.post(
            self.nova + '/servers', headers=NOVA, json={'server': {
                'name': '%s%d' % (self.prefix, n), 'imageRef': self.image,
                'flavorRef': self.flavor, 'networks': self.networks}})
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

    def delete(self, server_ids):
        for server_id in server_ids:
            self.session.delete(self.nova + '/servers/' + server_id,
                                headers=NOVA, raise_exc=False)
        gone = self.wait(server_ids, lambda status: status is None)
        self.made -= set(gone)
        return gone


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def sequential(cloud, rounds):
    boots, cycles = [], []
    for n in range(rounds):
        started = time.perf_counter()
        server_id = cloud.create(n)
        active = cloud.wait([server_id], lambda status: status == 'ACTIVE')
        if server_id not in active:
            raise RuntimeError('server %s never became ACTIVE' % server_id)
        boots.append(time.perf_counter() - started)
        cloud.delete([server_id])
        cycles.append(time.perf_counter() - started)
    print('sequential: %d servers, create→ACTIVE p50 %.3f s, p99 %.3f s, '
          'max %.3f s; create→ACTIVE→deleted p50 %.3f s'
          % (rounds, statistics.median(boots), percentile(boots, 0.99),
             max(boots), statistics.median(cycles)))


def burst(cloud, count, engines):
    cpu_before = aio_cloud.cpu_seconds()
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        ids = list(pool.map(cloud.create, range(1000, 1000 + count)))
    accepted = time.perf_counter() - started
    settled = cloud.wait(ids, lambda status: status in ('ACTIVE', 'ERROR'))
    wall = time.perf_counter() - started
    cpu_used = cpu_during(cpu_before, aio_cloud.cpu_seconds())
    final = cloud.statuses()
    active = [i for i in ids if final.get(i) == 'ACTIVE']
    # Until the last server that became ACTIVE did.
    all_active = accepted + max([settled[i] for i in active] or [0])
    cloud.delete(ids)
    left = [i for i in ids if i in cloud.statuses()]
    containers = aio_cloud.containers_of(engines, ids)
    print('burst: %d servers created at once; all accepted after %.2f s; '
          '%d ACTIVE, the last after %.2f s; lost (ERROR or never '
          'ACTIVE): %d; left after delete: %d server(s), %d container(s)'
          % (count, accepted, len(active), all_active,
             count - len(active), len(left), len(containers)))
    # Whether a burst is bound by the machine's cores, and by whom.
    print('burst CPU: %.1f s of %d cores x %.1f s wall (%.0f%%); by service: '
          '%s' % (sum(cpu_used.values()), os.cpu_count(), wall,
                  100 * sum(cpu_used.values()) / (os.cpu_count() * wall),
                  ', '.join('%s %.1f s' % item for item in sorted(
                      cpu_used.items(), key=lambda item: -item[1])
                      if item[1] >= 0.05)))


def cpu_during(before, after):
    """CPU seconds each service used between two ``cpu_seconds()``."""
    return {name: seconds - before.get(name, 0)
            for name, seconds in after.items()}


def raw_burst(engines, image, count):
    """Seconds for ``count`` concurrent create+start, spread over engines."""
    engines = [e for e in engines if e.images.list(name=image.split(':')[0])]

    def run(n):
        client = engines[n % len(engines)]
        container = client.containers.create(
            image, init=True, cap_drop=['ALL'], cap_add=['NET_BIND_SERVICE'],
            security_opt=['no-new-privileges'], network_mode='bridge',
            nano_cpus=10 ** 9, mem_limit=128 << 20, pids_limit=1024,
            labels={'higgins.benchmark': '1'})
        container.start()
        return container
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        made = list(pool.map(run, range(count)))
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
    args = parser.parse_args()
    cloud = Cloud(args.poll, args.network)
    print('servers with %s' % ('a port on %s' % args.network
                               if args.network else 'no port'))
    engines = aio_cloud.engines()
    try:
        # Warm-up: the first boot on each host may fetch the image.
        warm = [cloud.create(n) for n in range(-len(engines), 0)]
        cloud.wait(warm, lambda status: status == 'ACTIVE')
        cloud.delete(warm)
        if args.sequential:
            sequential(cloud, args.sequential)
        if args.burst:
            burst(cloud, args.burst, engines)
            raw_burst(engines, 'higgins/glance-%s:latest' % cloud.image,
                      args.burst)
    finally:
        if cloud.made:
            cloud.delete(list(cloud.made))


if __name__ == '__main__':
    main()
