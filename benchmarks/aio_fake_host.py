"""A compute host on Nova's fake driver, added to the all-in-one for a run.

What a boot costs Nova's own services on this machine, with no engine and
no driver work: the floor under every Higgins figure of the all-in-one.
``fake_compute_host`` starts one more nova-compute with
``compute_driver = fake.FakeDriver`` on the cloud's nova.conf, maps it
into the cell, and makes what only it can take: a flavor that forbids the
container trait (so the scheduler picks this host and no Higgins host) and
an image without ``hypervisor_type=docker`` (so the image filter lets it
through; the fake driver never reads the data). At the end the process is
stopped and the host, flavor and image are removed from the cloud.
"""
import contextlib
import os
import signal
import subprocess
import tempfile
import time
import uuid

from higgins_common import contract

import aio_cloud

HOST = 'bench-fake-driver'
VENV_BIN = os.path.join(aio_cloud.AIO_HOME, 'venv', 'bin')
NOVA_CONF = os.path.join(aio_cloud.AIO_HOME, 'etc', 'nova', 'nova.conf')


@contextlib.contextmanager
def fake_compute_host(admin):
    """Adds the fake host for the time of the block.

    Yields the names of the flavor and the image that boot onto the fake
    host, and the pid of its nova-compute.
    """
    suffix = uuid.uuid4().hex[:6]
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory())
        # Forgotten only once its process has stopped (callbacks run last
        # in, first out), or it would register itself again.
        stack.callback(_delete_service, admin)
        process = stack.enter_context(_compute_process(workdir))
        _wait_until_up(admin)
        subprocess.run([os.path.join(VENV_BIN, 'nova-manage'),
                        '--config-file', NOVA_CONF, 'cell_v2',
                        'discover_hosts'], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        flavor = admin.compute.create_flavor(
            name='bench-fake-' + suffix, ram=128, vcpus=1, disk=1)
        stack.callback(admin.compute.delete_flavor, flavor)
        admin.compute.create_flavor_extra_specs(
            flavor, {'trait:%s' % contract.CONTAINER_TRAIT: 'forbidden'})
        image = admin.image.create_image(
            name='bench-fake-' + suffix, data=b'\0' * 512,
            disk_format='raw', container_format='bare',
            visibility='public', wait=True)
        stack.callback(admin.image.delete_image, image)
        yield flavor.name, image.name, process.pid


@contextlib.contextmanager
def _compute_process(workdir):
    conf = os.path.join(workdir, 'fake.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nhost = %s\ncompute_driver = fake.FakeDriver\n'
                'state_path = %s\ninstances_path = %s/instances\n'
                '[serial_console]\nenabled = false\n'
                % (HOST, workdir, workdir))
    log = open(os.path.join(aio_cloud.AIO_HOME, 'log',
                            'bench-fake-driver.log'), 'ab')
    process = subprocess.Popen(
        [os.path.join(VENV_BIN, 'nova-compute'), '--config-file', NOVA_CONF,
         '--config-file', conf], stdout=log, stderr=subprocess.STDOUT,
        # A session of its own, as the all-in-one's services have: its CPU
        # time is counted the same way.
        start_new_session=True)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _services(admin):
    return list(admin.compute.services(binary='nova-compute', host=HOST))


def _wait_until_up(admin, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s.state == 'up' for s in _services(admin)):
            return
        time.sleep(1)
    raise RuntimeError('the fake-driver compute host did not come up in %d s'
                       % timeout)


def _delete_service(admin):
    """Forget the host: its service, compute node and resource provider."""
    for service in _services(admin):
        admin.compute.delete_service(service, ignore_missing=True)
