"""Booting from a Glance docker-save archive, against raw docker load + run.

First boot: the driver streams the archive from an image service into the
engine, strips its tags, checks its hash, names it and runs the container;
raw: docker-py loads the same archive and runs it. Cached boot: the image is
already on the engine, on both sides. Rounds are interleaved; medians and
ratios are printed. The image service here is an in-process stand-in that
serves the archive from memory in 64 KiB chunks, as Glance's client does.

usage: python benchmarks/image_boot.py [--rounds N]
Needs a running engine and the test image (tools/build-test-image.sh).
"""
import argparse
import hashlib
import statistics
import time

# First: it sets Nova up to run on native threads.
import common  # noqa: I100

import docker  # noqa: E402
from nova import objects  # noqa: E402
from oslo_utils import uuidutils  # noqa: E402

from higgins_virt import images  # noqa: E402

CHUNK = 64 * 1024


class InMemoryGlance:
    """Serves one archive for any image id, with the hash Glance records."""

    def __init__(self, archive):
        self.archive = archive
        self.sha512 = hashlib.sha512(archive).hexdigest()

    def get(self, context, image_id):
        return {'id': image_id, 'size': len(self.archive), 'name': 'bench',
                'os_hash_algo': 'sha512', 'os_hash_value': self.sha512,
                'properties': {}}

    def download(self, context, image_id, data=None):
        for i in range(0, len(self.archive), CHUNK):
            data.write(self.archive[i:i + CHUNK])


def _run_raw(client, image):
    container = client.containers.create(
        image, init=True, cap_drop=['ALL'], network_mode='none',
        nano_cpus=10 ** 9, mem_limit=128 << 20, pids_limit=1024)
    container.start()
    container.remove(force=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--image', default='higgins/busybox:latest')
    args = parser.parse_args()

    client = docker.from_env(version='auto')
    # A distinct image, so that loading it really adds an image.
    builder = client.containers.run(args.image, ['sh', '-c', 'echo x > /x'],
                                    detach=True)
    builder.wait()
    built = builder.commit(changes=['CMD ["/bin/sleep", "1000000"]'])
    builder.remove()
    archive = b''.join(built.save(named=False))
    client.images.remove(built.id)

    driver = common.make_driver()
    driver._images._glance = InMemoryGlance(archive)

    def driver_boot(image_id):
        meta = objects.ImageMeta.from_dict(
            {'id': image_id, 'name': 'bench', 'container_format': 'docker',
             'disk_format': 'raw'})
        instance = common.instance()
        started = time.perf_counter()
        driver.spawn(None, instance, meta, [], None, {})
        driver.destroy(None, instance, None)
        return time.perf_counter() - started

    def raw_first():
        started = time.perf_counter()
        [image] = client.images.load(archive)
        _run_raw(client, image.id)
        return time.perf_counter() - started, image.id

    timings = {'driver first': [], 'raw first': [],
               'driver cached': [], 'raw cached': []}
    for _ in range(args.rounds):
        image_id = uuidutils.generate_uuid()
        timings['driver first'].append(driver_boot(image_id))
        timings['driver cached'].append(driver_boot(image_id))
        client.images.remove(images.cache_reference(image_id))
        elapsed, loaded = raw_first()
        timings['raw first'].append(elapsed)
        started = time.perf_counter()
        _run_raw(client, loaded)
        timings['raw cached'].append(time.perf_counter() - started)
        client.images.remove(loaded)

    medians = {k: statistics.median(v) for k, v in timings.items()}
    print('rounds: %d (interleaved), archive: %.1f MiB'
          % (args.rounds, len(archive) / 2 ** 20))
    for name, value in medians.items():
        print('%-14s median %.3f s' % (name, value))
    print('first boot ratio Higgins / raw:  %.2f'
          % (medians['driver first'] / medians['raw first']))
    print('cached boot ratio Higgins / raw: %.2f'
          % (medians['driver cached'] / medians['raw cached']))


if __name__ == '__main__':
    main()
