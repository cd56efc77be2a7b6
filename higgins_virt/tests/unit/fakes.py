"""Small builders for unit tests: Nova objects and the Higgins options."""
from nova import conf
from nova import objects
from oslo_utils import uuidutils

from higgins_virt import conf as higgins_conf


def register_higgins_opts():
    if 'higgins' not in conf.CONF:
        higgins_conf.register_opts(conf.CONF)


def instance(vcpus=1, memory_mb=128, swap=0, root_gb=1, metadata=None,
             hostname='web-1', vm_state='active', task_state=None):
    objects.register_all()
    flavor = objects.Flavor(vcpus=vcpus, memory_mb=memory_mb, swap=swap,
                            root_gb=root_gb, ephemeral_gb=0, name='c1',
                            flavorid='c1', extra_specs={})
    return objects.Instance(uuid=uuidutils.generate_uuid(), id=1,
                            flavor=flavor, metadata=metadata or {},
                            hostname=hostname, vm_state=vm_state,
                            task_state=task_state)
