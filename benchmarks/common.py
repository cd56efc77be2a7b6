"""What the Higgins benchmarks share: Nova set-up and a minimal instance.

Import this first: Nova must be told to run on native threads before
anything imports eventlet.
"""
import os

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')
from nova import monkey_patch  # noqa: E402

monkey_patch.patch()

from nova import conf  # noqa: E402
from nova import objects  # noqa: E402
from oslo_utils import uuidutils  # noqa: E402

from higgins_virt import driver as higgins_driver  # noqa: E402


def make_driver():
    """A HigginsDriver on the default engine, outside any Nova service."""
    conf.CONF([], project='nova')
    objects.register_all()
    return higgins_driver.HigginsDriver(virtapi=None)


def instance():
    """A one-vCPU, 128 MiB instance that was never saved to a database."""
    flavor = objects.Flavor(vcpus=1, memory_mb=128, swap=0, root_gb=1,
                            ephemeral_gb=0, name='c1.tiny', flavorid='b1',
                            extra_specs={})
    return objects.Instance(uuid=uuidutils.generate_uuid(), id=1,
                            flavor=flavor, metadata={}, hostname='bench',
                            vm_state='building', task_state='spawning')


def raw_container(client, image):
    """The container `docker run -d` would create (not started yet).

    Hardened and limited as Higgins makes a c1.tiny server's.
    """
    return client.containers.create(
        image, init=True, cap_drop=['ALL'], cap_add=['NET_BIND_SERVICE'],
        security_opt=['no-new-privileges'], network_mode='none',
        nano_cpus=10 ** 9, mem_limit=128 << 20, memswap_limit=128 << 20,
        pids_limit=1024, labels={'higgins.benchmark': '1'})
