"""What the in-process benchmarks share: Nova set-up and a minimal instance.

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
