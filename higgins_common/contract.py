"""Facts shared by the driver, the facade and the deployment tooling.

Each fact here has exactly one home: the placement trait container hosts
report and container flavors require, the engine labels and container name
prefix the driver owns, and the default container flavors the all-in-one and
the devstack plugin create. The server-metadata keys live beside their parser
in :mod:`higgins_common.metadata`.

This module uses the standard library only, so shell tooling can read it
before anything is installed::

    python3 higgins_common/contract.py shell   # NAME=value lines for `eval`
"""
import shlex
import sys

#: Reported by every Higgins compute host; container flavors require it
#: (``trait:CUSTOM_HIGGINS_CONTAINER=required``) so that containers land
#: only on Higgins hosts and VMs never do.
CONTAINER_TRAIT = 'CUSTOM_HIGGINS_CONTAINER'
#: The flavor extra spec that asks for the trait.
CONTAINER_TRAIT_SPEC = 'trait:%s' % CONTAINER_TRAIT
#: Reported by hosts whose engine runs containers in user namespaces (a
#: container's root is an unprivileged id on the host).
USERNS_TRAIT = 'CUSTOM_HIGGINS_USERNS'
#: Reported by hosts that limit a container's writable layer to its
#: flavor's root disk.
DISK_QUOTA_TRAIT = 'CUSTOM_HIGGINS_DISK_QUOTA'

#: Engine labels on every container the driver creates.
LABEL_PREFIX = 'higgins.'
LABEL_MANAGED = LABEL_PREFIX + 'managed'
LABEL_HOST = LABEL_PREFIX + 'host'
LABEL_INSTANCE_UUID = LABEL_PREFIX + 'instance_uuid'
LABEL_INSTANCE_NAME = LABEL_PREFIX + 'instance_name'
#: The engine restart policy of a container the engine may restart (absent
#: for the default, "no").
LABEL_RESTART_POLICY = LABEL_PREFIX + 'restart_policy'

#: A server's container is named this prefix plus the server's uuid.
CONTAINER_NAME_PREFIX = 'higgins-'

#: Default container flavors: (name, vCPUs, RAM MiB, root disk GiB). Disk is
#: at least 1: zero-disk flavors are for admins only in current Nova.
FLAVORS = (
    ('c1.tiny', 1, 128, 1),
    ('c1.small', 1, 256, 1),
    ('c1.medium', 2, 512, 2),
)


def container_name(instance_uuid):
    return CONTAINER_NAME_PREFIX + instance_uuid


def shell_variables():
    """The facts shell tooling needs, as ``NAME=value`` lines."""
    flavors = ' '.join('%s:%d:%d:%d' % flavor for flavor in FLAVORS)
    facts = {
        'HIGGINS_CONTAINER_TRAIT': CONTAINER_TRAIT,
        'HIGGINS_DEFAULT_FLAVORS': flavors,
        'HIGGINS_LABEL_MANAGED': LABEL_MANAGED,
        'HIGGINS_LABEL_HOST': LABEL_HOST,
        'HIGGINS_LABEL_INSTANCE': LABEL_INSTANCE_UUID,
    }
    return ''.join('%s=%s\n' % (name, shlex.quote(value))
                   for name, value in facts.items())


if __name__ == '__main__':
    if sys.argv[1:] != ['shell']:
        sys.exit('usage: contract.py shell')
    sys.stdout.write(shell_variables())
