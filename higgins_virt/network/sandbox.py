"""The per-server sandbox container that owns the network namespace.

A container's network namespace dies with its process, so a server with
Neutron ports gets a second, tiny container (``higgins-net-<uuid>``) that
only sleeps: it owns the namespace, its hostname and resolv.conf, and the
server's container joins it (``network_mode=container:<sandbox>``). The
server's container can then stop, restart, pause or be rebuilt while its
interfaces stay. The sandbox image is built on the host from Debian's
busybox-static (no registry needed), once, the first time it is missing.
"""
import dataclasses
import io
import tarfile
import threading

from oslo_log import log as logging
from oslo_utils import units

from higgins_common import contract
from higgins_virt.engine import base
from higgins_virt.engine import errors as engine_errors

LOG = logging.getLogger(__name__)

IMAGE = 'higgins/sandbox:1'
#: A static binary is all the image holds (Debian: busybox-static).
BUSYBOX = '/bin/busybox'
# Sleep for 68 years: the sandbox's only job is to exist.
COMMAND = ('/bin/busybox', 'sleep', '2147483647')
# Sandboxes are labelled apart from servers' containers (no
# higgins.managed), so listings and events of servers never see them.
LABEL_SANDBOX_FOR = 'higgins.sandbox_for'
MEMORY_BYTES = 16 * units.Mi
PIDS_LIMIT = 8
NANO_CPUS = 10 ** 8
# The engine turns IPv6 off in namespaces it does not give IPv6 to; ports
# carry IPv6 addresses, so the sandbox's namespace keeps it on.
# Unprivileged ICMP echo sockets, as the engine allows on its own networks:
# a ping that uses them (iputils) needs no CAP_NET_RAW. The kernel refuses a
# range with a group the container's user namespace does not map, and an
# engine with --userns-remap maps 65536 ids (the engine's own
# 0-2147483647 made every sandbox fail to start there).
SYSCTLS = {'net.ipv6.conf.all.disable_ipv6': '0',
           'net.ipv6.conf.default.disable_ipv6': '0',
           'net.ipv4.ping_group_range': '0 65535'}


class SandboxUnavailable(Exception):
    """The sandbox image is missing and cannot be built on this host."""


def name(instance_uuid):
    return 'higgins-net-%s' % instance_uuid


def labels(host, instance_uuid):
    return {contract.LABEL_HOST: host, LABEL_SANDBOX_FOR: instance_uuid}


def netns_path(pid):
    return '/proc/%d/ns/net' % pid


def spec_for(app_spec, instance_uuid, host, dns):
    """(sandbox spec, app spec joining it) for the app's ContainerSpec.

    Hostname and resolvers belong to the namespace's owner: the engine
    refuses them on a container that joins another's network.
    """
    sandbox = base.ContainerSpec(
        name=name(instance_uuid), image=IMAGE,
        labels=labels(host, instance_uuid), command=COMMAND,
        hostname=app_spec.hostname, nano_cpus=NANO_CPUS,
        memory_bytes=MEMORY_BYTES, memory_swap_bytes=MEMORY_BYTES,
        pids_limit=PIDS_LIMIT, network_mode='none', dns=tuple(dns),
        sysctls=dict(SYSCTLS))
    app = dataclasses.replace(app_spec, hostname=None, dns=(),
                              network_mode='container:%s' % sandbox.name)
    return sandbox, app


def _rootfs(busybox):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as tar:
        for directory in ('bin', 'etc', 'tmp'):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        tar.add(busybox, arcname='bin/busybox')
    return buffer.getvalue()


class SandboxImage:
    """Makes sure the sandbox image is on the engine; thread-safe."""

    def __init__(self, engine, reference=IMAGE, busybox=BUSYBOX):
        self._engine = engine
        self._reference = reference
        self._busybox = busybox
        self._lock = threading.Lock()
        self._present = False

    def ensure(self):
        if self._present:
            return
        with self._lock:
            if self._present:
                return
            try:
                self._engine.inspect_image(self._reference)
            except engine_errors.ImageNotFound:
                self._build()
            self._present = True

    def _build(self):
        try:
            archive = _rootfs(self._busybox)
        except OSError as exc:
            raise SandboxUnavailable(
                'the network sandbox image %s is missing and %s cannot be '
                'read (install busybox-static)'
                % (self._reference, self._busybox)) from exc
        self._engine.import_rootfs(archive, self._reference, list(COMMAND))
        LOG.info('Built the network sandbox image %s from %s',
                 self._reference, self._busybox)
