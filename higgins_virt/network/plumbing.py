"""A server's Neutron ports, wired into its sandbox's network namespace.

For each VIF: a veth pair whose container end, named ``ethN`` and given
the port's MAC, MTU, addresses and routes, lives in the sandbox's
namespace, and whose host end os-vif puts on the integration bridge. Every
step is idempotent, so plugging again after a host or engine restart only
redoes what is missing. The kernel work goes through ``ops`` (privsep in
production, the direct ``linux`` module in tests). Errors leave as
:class:`NetworkError`, with a message Higgins wrote.
"""
import contextlib

from oslo_log import log as logging

from higgins_virt.engine import base
from higgins_virt.engine import errors as engine_errors
from higgins_virt.network import config
from higgins_virt.network import ovs
from higgins_virt.network import privileged
from higgins_virt.network import sandbox

LOG = logging.getLogger(__name__)


class NetworkError(Exception):
    """A port could not be wired into (or out of) a container."""


@contextlib.contextmanager
def _as_network_errors(what, instance):
    try:
        yield
    except (config.UnsupportedVif, ovs.OvsError,
            sandbox.SandboxUnavailable) as exc:
        raise NetworkError(str(exc)) from exc
    except engine_errors.EngineError:
        raise
    except Exception as exc:
        # Kernel and privsep errors: their text goes to the log only.
        LOG.error('Network step failed (%s): %s', what, exc,
                  instance=instance)
        raise NetworkError('Could not %s' % what) from exc


def _free_name(taken, preferred):
    if preferred not in taken:
        return preferred
    number = 0
    while 'eth%d' % number in taken:
        number += 1
    return 'eth%d' % number


class Plumbing:
    """Sandboxes and interfaces of one compute host's servers."""

    def __init__(self, engine, host, ops=None):
        self._engine = engine
        self.host = host
        self._ops = ops or privileged
        self._image = sandbox.SandboxImage(engine)

    # -- sandbox ----------------------------------------------------------

    def split_spec(self, instance, app_spec, network_info):
        """(sandbox spec, app spec) for a server with ports."""
        return sandbox.spec_for(app_spec, instance.uuid, self.host,
                                config.dns_servers(network_info))

    def start_sandbox(self, instance, sandbox_spec):
        with _as_network_errors('prepare the network sandbox', instance):
            self._image.ensure()
        try:
            self._engine.create(sandbox_spec)
        except engine_errors.ContainerConflict:
            # Left by an earlier, failed build of this same server.
            self._engine.remove(sandbox_spec.name)
            self._engine.create(sandbox_spec)
        self._engine.start(sandbox_spec.name)

    def _sandbox_netns(self, instance, start=False):
        """The sandbox's namespace path; None when it has no sandbox."""
        name = sandbox.name(instance.uuid)
        try:
            info = self._engine.inspect(name)
        except engine_errors.ContainerNotFound:
            return None
        if info.state != base.RUNNING and start:
            # Host or engine restart: a new namespace, empty until plugged.
            LOG.info('Starting the network sandbox %s', name,
                     instance=instance)
            self._engine.start(name)
            info = self._engine.inspect(name)
        if info.state != base.RUNNING or not info.pid:
            return None
        return sandbox.netns_path(info.pid)

    def _sandboxes(self, instance):
        return self._engine.list(sandbox.labels(self.host, instance.uuid))

    # -- interfaces -------------------------------------------------------

    def plug(self, instance, network_info, start=True):
        """Wire every VIF into the sandbox; returns False without one."""
        netns = self._sandbox_netns(instance, start=start)
        if netns is None:
            return False
        with _as_network_errors('plug the ports', instance):
            present = dict(self._ops.list_interfaces(netns))
            for index, iface in enumerate(config.interfaces(network_info)):
                self._plug_one(instance, network_info[index], iface, netns,
                               present, 'eth%d' % index)
        return True

    def _plug_one(self, instance, vif, iface, netns, present, preferred):
        macs = {mac: name for name, mac in present.items()}
        if iface.mac.lower() not in macs:
            ifname = _free_name(present, preferred)
            self._ops.add_interface(
                netns, iface.host_dev, ifname, iface.mac, iface.mtu,
                [list(a) for a in iface.addresses],
                [list(r) for r in iface.routes])
            present[ifname] = iface.mac.lower()
            LOG.info('Port %s is %s in the container', iface.port_id,
                     ifname, instance=instance)
        ovs.plug(instance, vif)

    def attach(self, instance, vif):
        netns = self._sandbox_netns(instance)
        if netns is None:
            raise NetworkError('the server has no network sandbox: only '
                               'servers booted with a port can take more')
        with _as_network_errors('attach the port', instance):
            present = dict(self._ops.list_interfaces(netns))
            self._plug_one(instance, vif, config.interface(vif), netns,
                           present, 'eth%d' % len(present))

    def unplug(self, instance, vif):
        """Remove one VIF's pair and OVS port; absent parts are fine."""
        netns = self._sandbox_netns(instance)
        with _as_network_errors('unplug the port', instance):
            config.check_vif(vif)
            self._ops.remove_interface(vif['devname'], netns,
                                       vif['address'])
            ovs.unplug(instance, vif)

    def counters(self, instance):
        """InterfaceCounters of the server's ports, read in its sandbox.

        An empty tuple when the server has no running sandbox.
        """
        netns = self._sandbox_netns(instance)
        if netns is None:
            return ()
        with _as_network_errors('read the port counters', instance):
            found = self._ops.interface_counters(netns)
        return tuple(base.InterfaceCounters(
            name=c['ifname'], mac=c['mac'],
            **{k: v for k, v in c.items() if k not in ('ifname', 'mac')})
            for c in found)

    def teardown(self, instance, network_info):
        """Unplug every VIF, then remove the sandbox and its namespace.

        Best effort: a step that fails is logged and the rest still run,
        so a delete never stops half-way.
        """
        for vif in network_info or ():
            try:
                self.unplug(instance, vif)
            except NetworkError:
                LOG.exception('Could not unplug port %s', vif['id'],
                              instance=instance)
        for found in self._sandboxes(instance):
            self._engine.remove(found.name)
