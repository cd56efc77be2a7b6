"""Resize and cold migration: what moves, and how, between compute hosts.

A resize on the same host changes the running container's CPU, memory and
pids limits in place: same processes, same filesystem, no restart. The root
disk cannot change in place (no engine resizes a container's storage quota),
so where the engine enforces it a same-host resize to another disk size is
refused and rolled back.

A resize to another host, or a cold migration, moves the container's
filesystem the way a snapshot does: the source commits the stopped
container into a private, hidden Glance image made for this one move
(:func:`transfer_image_record`), and the destination loads it under
:func:`migration_reference` and creates the container from it with the new
flavor. Compute hosts talk only through Nova's RPC and Glance, never engine
to engine, so Glance is the transport. The destination deletes the Glance
image once it has loaded it; the source keeps its stopped container until
the move is confirmed (removed) or reverted (started again).
"""
import json

from nova.compute import task_states
from nova import exception
from nova.i18n import _
from nova import objects
from oslo_log import log as logging


LOG = logging.getLogger(__name__)

# The engine name of a container image that arrived with a migration.
MIGRATION_PREFIX = 'higgins/migration-'
# Glance property marking a transfer image, so an operator can find strays.
TRANSFER_PROPERTY = 'higgins_migration_of'
# disk_info keys: what migrate_disk_and_power_off hands finish_migration.
IN_PLACE = 'in_place'
TRANSFER_IMAGE = 'image_id'


def migration_reference(instance_uuid):
    return '%s%s:latest' % (MIGRATION_PREFIX, instance_uuid)


def migration_of(context, instance):
    """The Migration record of the resize or migration now under way."""
    return objects.Migration.get_by_id(
        context, instance.migration_context.migration_id)


def is_same_host(migration):
    return migration.source_compute == migration.dest_compute


def moves_within_host(context, instance, dest, host, my_ip):
    """Whether the resize or migration of ``instance`` stays on ``host``.

    Nova's migration record says; without one (a caller outside Nova's
    resize flow), ``dest``, the destination's address or name, does.
    """
    if instance.migration_context is not None:
        return is_same_host(migration_of(context, instance))
    return dest in (host, my_ip)


def is_same_host_revert(context, instance, task_state):
    """Whether Nova's revert is destroying a server resized in place.

    Nova's revert destroys the server on the destination before it
    restores the source; on the same host both are one container, which
    must survive.
    """
    if task_state != task_states.RESIZE_REVERTING:
        return False
    # Loaded from the database if the caller's instance lacks it.
    if instance.migration_context is None:
        return False
    return is_same_host(migration_of(context, instance))


def check_in_place(old_flavor, new_flavor, disk_quota):
    """Refuse a same-host resize the engine cannot apply in place.

    Raises InstanceFaultRollback, so Nova puts the server back as it was.
    """
    if disk_quota and old_flavor.root_gb != new_flavor.root_gb:
        raise exception.InstanceFaultRollback(exception.ResizeError(reason=_(
            'the root disk size of a container cannot change on the same '
            'host; resize to a flavor with the same disk, or let the '
            'server move to another host')))


def in_place_disk_info():
    return json.dumps({IN_PLACE: True})


def transfer_disk_info(image_id):
    return json.dumps({TRANSFER_IMAGE: image_id})


def transfer_image_of(disk_info):
    """The Glance image id a disk_info names, or None (in place)."""
    try:
        return json.loads(disk_info or '{}').get(TRANSFER_IMAGE)
    except (ValueError, AttributeError):
        return None


def transfer_image_record(instance):
    """The Glance record of a server's transfer image.

    Private to the project of the request, hidden from image lists, and
    marked with the server it belongs to.
    """
    return {
        'name': 'higgins-migration-%s' % instance.uuid,
        'container_format': 'docker',
        'disk_format': 'raw',
        'visibility': 'private',
        'os_hidden': True,
        'properties': {TRANSFER_PROPERTY: instance.uuid},
    }


def delete_transfer_image(image_api, context, image_id, instance):
    """Delete a transfer image; a missing one is fine, nothing raises."""
    try:
        image_api.delete(context, image_id)
    except exception.ImageNotFound:
        pass
    except Exception:
        LOG.exception('Could not delete transfer image %s', image_id,
                      instance=instance)
