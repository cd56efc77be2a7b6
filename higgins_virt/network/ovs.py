"""The host end of a container interface on Open vSwitch, through os-vif.

os-vif's ``ovs`` plugin adds the veth's host end to the integration bridge
with the external ids Neutron's agent looks for (``iface-id`` = port id,
``attached-mac``, ``vm-uuid``, ``iface-status``) and removes it again. With
no hypervisor to create the port, Higgins asks the plugin to create it.
"""
import threading

from nova.network import os_vif_util
import os_vif
from os_vif import exception as os_vif_exception
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

_init_lock = threading.Lock()
_initialized = False


class OvsError(Exception):
    """os-vif could not plug or unplug a port."""


def initialize():
    """Load os-vif's plugins once per process (nova-compute does too)."""
    global _initialized
    with _init_lock:
        if not _initialized:
            os_vif.initialize()
            _initialized = True


def _objects(instance, vif):
    vif_object = os_vif_util.nova_to_osvif_vif(vif)
    if vif_object is None:
        raise OvsError('os-vif has no object for VIF type %s'
                       % vif.get('type'))
    # libvirt would create the OVS port when it starts the guest; nothing
    # does that for a container, so the plugin must.
    vif_object.port_profile.create_port = True
    return vif_object, os_vif_util.nova_to_osvif_instance(instance)


def _call(operation, instance, vif):
    initialize()
    vif_object, info = _objects(instance, vif)
    try:
        operation(vif_object, info)
    except os_vif_exception.ExceptionBase as exc:
        LOG.error('os-vif could not %s port %s: %s', operation.__name__,
                  vif['id'], exc, instance=instance)
        raise OvsError(str(exc)) from exc


def plug(instance, vif):
    """Add the VIF's host device to its bridge (idempotent)."""
    _call(os_vif.plug, instance, vif)


def unplug(instance, vif):
    """Remove the VIF's port from its bridge; absent ports are fine."""
    _call(os_vif.unplug, instance, vif)
