"""Driver spawn+destroy against raw docker-py create+start+remove.

Both sides boot the same image with the same limits and hardening; rounds
are interleaved in one run so both see the same machine. Prints medians and
the ratio driver / raw (the target is at most 1.15).

usage: python benchmarks/spawn_destroy.py [--rounds N] [--image REF]
Needs a running engine and the test image (tools/build-test-image.sh).
"""
import argparse
import statistics
import time

# First: it sets Nova up to run on native threads.
import common  # noqa: I100

import docker  # noqa: E402
from nova import conf  # noqa: E402
from nova import objects  # noqa: E402
from oslo_utils import uuidutils  # noqa: E402

from higgins_virt import image_policy  # noqa: E402
from higgins_virt import images  # noqa: E402
import rawdocker  # noqa: E402


class ReferenceGlance:
    """Answers for any image id with a data-less image naming ``name``."""

    def __init__(self, name):
        self.name = name

    def get(self, context, image_id):
        return {'id': image_id, 'size': 0, 'name': self.name,
                'properties': {}}


def time_driver(driver, image_meta):
    instance = common.instance()
    started = time.perf_counter()
    driver.spawn(None, instance, image_meta, [], None, {})
    driver.destroy(None, instance, None)
    return time.perf_counter() - started


def time_raw(client, image):
    started = time.perf_counter()
    container = rawdocker.create(client, image)
    container.start()
    container.remove(force=True, v=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=20)
    parser.add_argument('--image', default='higgins/busybox:latest')
    args = parser.parse_args()

    driver = common.make_driver()
    client = docker.from_env(version='auto')
    # A container image that names an engine reference; the first spawn
    # caches it under its Glance id, as on a real host. The operator must
    # allow that reference.
    conf.CONF.set_override('image_reference_patterns',
                           [image_policy.normalize(args.image)], 'higgins')
    image_meta = objects.ImageMeta.from_dict(
        {'id': uuidutils.generate_uuid(), 'name': args.image,
         'container_format': 'docker', 'disk_format': 'raw'})
    driver._images._glance = ReferenceGlance(args.image)

    # One warm-up each: first calls pay for connections and caches.
    time_driver(driver, image_meta)
    time_raw(client, args.image)
    driver_times, raw_times = [], []
    for _ in range(args.rounds):
        driver_times.append(time_driver(driver, image_meta))
        raw_times.append(time_raw(client, args.image))

    client.images.remove(images.cache_reference(image_meta.id))

    driver_median = statistics.median(driver_times)
    raw_median = statistics.median(raw_times)
    print('rounds: %d (interleaved), image: %s' % (args.rounds, args.image))
    print('raw docker-py create+start+remove  median %.3f s' % raw_median)
    print('Higgins spawn+destroy              median %.3f s' % driver_median)
    print('ratio Higgins / raw: %.2f' % (driver_median / raw_median))


if __name__ == '__main__':
    main()
