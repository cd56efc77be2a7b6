"""Telling Nova that a container created without starting it is stopped.

A server booted with ``higgins:run=false`` ends its build with a container
that exists but never ran. Nova records the build as ACTIVE and would only
notice the power state at its next power-state sync (every ten minutes by
default). It also ignores lifecycle events while the build's task is still
pending. So, once the build's task is over, this module emits a STOPPED
lifecycle event, a few times over a few seconds in case the first one
reaches Nova before it has saved the end of the build. Repeats are
harmless: Nova acts on such an event only when the driver's power state
agrees with it, and stopping a container that never started does nothing
to it (its command still has not run).
"""
import threading
import time

from nova.virt import event as virtevent
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

#: Seconds to wait for Nova to end the build's task.
BUILD_END_TIMEOUT = 60.0
POLL_INTERVAL = 0.1
#: Delays after the build's end at which STOPPED is (re)announced.
ANNOUNCE_DELAYS = (0.2, 1.0, 3.0)


def _build_ended(instance, timeout, poll):
    """Wait until Nova clears the build's task on ``instance``.

    Nova updates the very instance object it handed to spawn, so reading
    it needs no call to Nova.
    """
    deadline = time.monotonic() + timeout
    while instance.task_state is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def _announce(instance, emit, timeout, poll, delays):
    if not _build_ended(instance, timeout, poll):
        LOG.warning('The build did not end within %ss; Nova will see the '
                    'container stopped at its next power-state sync',
                    timeout, instance=instance)
        return
    waited = 0.0
    for delay in delays:
        time.sleep(max(0.0, delay - waited))
        waited = delay
        try:
            emit(virtevent.LifecycleEvent(instance.uuid,
                                          virtevent.EVENT_LIFECYCLE_STOPPED))
        except Exception:
            LOG.exception('Could not tell Nova the container is stopped',
                          instance=instance)
            return


def announce_stopped(instance, emit, timeout=BUILD_END_TIMEOUT,
                     poll=POLL_INTERVAL, delays=ANNOUNCE_DELAYS):
    """Emit STOPPED for ``instance`` through ``emit`` once its build ends.

    Runs in a daemon thread of its own and returns it.
    """
    thread = threading.Thread(
        target=_announce, args=(instance, emit, timeout, poll, delays),
        name='higgins-created-%s' % instance.uuid, daemon=True)
    thread.start()
    return thread
