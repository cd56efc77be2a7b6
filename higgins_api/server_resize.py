"""A container's cpu/memory update as a Nova resize, confirmed at once.

Zun answers an update once the container has its new limits. Nova's resize
is asynchronous and then waits for the owner's confirmation, so the facade
picks the smallest container flavor that fits the new values (the disk
never shrinks), asks Nova to resize, waits for ``VERIFY_RESIZE`` within
``[nova] resize_timeout``, confirms, and answers with the container as it
is then. The compute host changes a container's limits in place when it
stays on its host, and moves its filesystem when the scheduler picks another.
"""
import time

from higgins_api import errors
from higgins_api import translate
from higgins_api import verbs

#: Zun lets an update change cpu/memory in these statuses; Nova resizes
#: ACTIVE and SHUTOFF servers only (a paused one is refused, as in Zun).
RESIZABLE = frozenset((verbs.CREATED, verbs.RUNNING, verbs.STOPPED))
#: Seconds between two looks at the server while it resizes.
POLL_INTERVAL = 0.5
# Nova's statuses while a resize is under way.
_RESIZING = ('RESIZE', 'MIGRATING')


def target_flavor(flavors, server, cpu=None, memory=None):
    """The flavor to resize to; None when the current one already fits.

    A value not given keeps the current one.
    """
    current = server.get('flavor') or {}
    flavor = translate.pick_flavor(
        flavors, cpu=cpu or current.get('vcpus'),
        memory=memory or current.get('ram'), disk=current.get('disk'))
    if flavor['name'] == current.get('original_name'):
        return None
    return flavor


def resize(nova, server_id, flavor_id, timeout, sleep=time.sleep,
           clock=time.monotonic):
    """Resize a server to ``flavor_id`` and confirm; return the server."""
    deadline = clock() + timeout
    nova.action(server_id, 'resize', {'flavorRef': flavor_id})
    server = _wait(nova, server_id, _resizing, deadline, sleep, clock)
    if server['status'] == 'ERROR':
        raise errors.UpstreamError('the compute service failed to resize '
                                   'the container')
    if server['status'] != 'VERIFY_RESIZE':
        # Nova rolled the resize back: the server is as it was.
        raise errors.Conflict('the compute service could not give the '
                              'container this cpu and memory; it keeps '
                              'its old ones')
    nova.action(server_id, 'confirmResize')
    return _wait(nova, server_id, lambda s: s['status'] == 'VERIFY_RESIZE',
                 deadline, sleep, clock)


def _resizing(server):
    return server['status'] in _RESIZING or (
        server['status'] != 'VERIFY_RESIZE' and
        server.get('OS-EXT-STS:task_state'))


def _wait(nova, server_id, busy, deadline, sleep, clock):
    while True:
        server = nova.server(server_id)
        if not busy(server):
            return server
        if clock() > deadline:
            raise errors.UpstreamError('the resize did not finish in time; '
                                       'the container may still change')
        sleep(POLL_INTERVAL)
