"""A whole boot through Nova and Higgins against the floor it sits on.

One in-process Nova (the functional harness of higgins_virt's tests: API,
conductor, scheduler, placement) runs two compute hosts: one with the
Higgins driver on the machine's engine, one with Nova's fake driver. Each
round boots one server on each and creates+starts one container with raw
docker-py (what `docker run -d` asks of the engine), with the same image,
limits and hardening. The ratio of a round is

    Higgins boot / (fake-driver boot + raw docker run)

so 1.00 means Higgins adds nothing to Nova's own work and the engine's.
A boot is timed from the create request to the moment the compute host
records the server ACTIVE (a hook on the save, so no polling adds noise).
The order inside a round rotates; servers and containers are removed,
untimed, between rounds. Prints the median ratio, its spread, and with
--profile the engine calls and driver time of one boot plus a cProfile of
its build on the compute host.

usage: python benchmarks/boot_vs_floor.py [--rounds N] [--profile FILE]
Needs a running engine and the test image (tools/build-test-image.sh).
"""
import argparse
import statistics
import sys
import time

# First: it sets Nova up to run on native threads.
import common  # noqa: F401,I100

import docker  # noqa: E402

import boot_probe  # noqa: E402
from higgins_common import contract  # noqa: E402
from higgins_virt.tests import engine_fixtures  # noqa: E402
from higgins_virt.tests.functional import base  # noqa: E402
import rawdocker  # noqa: E402

FAKE_HOST = 'bench-fake-driver'


class BootBench(base.HigginsTestCase):
    """The harness, with a second compute host on Nova's fake driver."""

    def setUp(self):
        super().setUp()
        self.flags(compute_driver='fake.FakeDriver')
        self.fake_compute = self._start_compute(FAKE_HOST)
        self.flags(compute_driver='higgins.HigginsDriver')
        self.fake_flavor_id = self._create_flavor(
            name='c1.fake', memory_mb=128, vcpu=1, disk=1, ephemeral=0,
            extra_spec={'trait:%s' % contract.CONTAINER_TRAIT: 'forbidden'})
        # An image id of its own: other suites on a shared engine remove
        # the cached image of the harness's usual id when they finish.
        self.image_id = self.register_image(engine_fixtures.TEST_IMAGE)
        self.probe = boot_probe.ActiveProbe()
        self.addCleanup(self.probe.close)

    def runTest(self):  # testtools wants a test method; unused
        pass

    def timed_boot(self, flavor_id):
        """Seconds from the create request to ACTIVE; the server's id."""
        body = self._build_server(image_uuid=self.image_id,
                                  flavor_id=flavor_id, networks='none')
        started = time.perf_counter()
        server = self.api.post_server({'server': body})
        finished = self.probe.wait(server['id'])
        return finished - started, server

    def delete(self, server):
        self.api.delete_server(server['id'])
        self._wait_until_deleted(server)


def raw_run(client, image):
    """Seconds to create and start the container `docker run -d` would."""
    started = time.perf_counter()
    container = rawdocker.create(client, image)
    container.start()
    elapsed = time.perf_counter() - started
    container.remove(force=True, v=True)
    return elapsed


def run_rounds(bench, client, rounds):
    sides = {
        'higgins': lambda: bench.timed_boot(bench.flavor_id),
        'fake': lambda: bench.timed_boot(bench.fake_flavor_id),
        'raw': lambda: (raw_run(client, engine_fixtures.TEST_IMAGE), None),
    }
    order = list(sides)
    times = {side: [] for side in sides}
    for n in range(rounds):
        made = []
        # Rotate the order so no side always runs first.
        for side in order[n % 3:] + order[:n % 3]:
            elapsed, server = sides[side]()
            times[side].append(elapsed)
            if server:
                made.append(server)
        for server in made:
            bench.delete(server)
    return times


def report(times):
    ratios = [h / (f + r) for h, f, r in
              zip(times['higgins'], times['fake'], times['raw'])]
    quartiles = statistics.quantiles(ratios, n=4)
    print('rounds: %d (interleaved, order rotated)' % len(ratios))
    for side, label in (('higgins', 'Higgins boot→ACTIVE'),
                        ('fake', 'fake-driver boot→ACTIVE'),
                        ('raw', 'raw docker create+start')):
        print('%-26s median %.3f s  (min %.3f, max %.3f)'
              % (label, statistics.median(times[side]), min(times[side]),
                 max(times[side])))
    print('ratio Higgins / (fake + raw): median %.3f, IQR %.3f–%.3f, '
          'min %.3f, max %.3f' % (statistics.median(ratios), quartiles[0],
                                  quartiles[2], min(ratios), max(ratios)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=20)
    parser.add_argument('--profile', metavar='FILE',
                        help='also profile one boot; cProfile stats to FILE')
    args = parser.parse_args()
    bench = BootBench()
    bench.setUp()
    client = docker.from_env(version='auto')
    try:
        # Warm-up: first boots pay for connections, caches and imports.
        for flavor in (bench.flavor_id, bench.fake_flavor_id):
            bench.delete(bench.timed_boot(flavor)[1])
        raw_run(client, engine_fixtures.TEST_IMAGE)
        report(run_rounds(bench, client, args.rounds))
        if args.profile:
            boot_probe.profile_one_boot(bench, args.profile)
    finally:
        bench.doCleanups()
        client.close()
    sys.stdout.flush()


if __name__ == '__main__':
    main()
