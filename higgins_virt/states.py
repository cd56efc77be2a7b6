"""Container states as Nova sees them: one mapping table and a state cache.

The table is the single place engine states become Nova power states. The
cache exists because Nova's power-state sync asks ``get_info`` once per
instance: answering from one engine-wide listing keeps that periodic task at
one engine call whatever the number of containers. Every driver operation and
every engine event updates or drops the entry it touches, so the cache never
answers with a state older than the last change Higgins saw.
"""
import threading
import time

from nova.compute import power_state
from nova.compute import task_states
from nova.compute import vm_states
from oslo_log import log as logging

from higgins_virt.engine import base

LOG = logging.getLogger(__name__)

POWER_STATES = {
    base.CREATED: power_state.SHUTDOWN,
    base.RUNNING: power_state.RUNNING,
    base.PAUSED: power_state.PAUSED,
    base.RESTARTING: power_state.RUNNING,
    base.REMOVING: power_state.SHUTDOWN,
    base.EXITED: power_state.SHUTDOWN,
    base.DEAD: power_state.CRASHED,
}

# Engine events and the state the container is in right after each.
STATE_AFTER_EVENT = {
    'start': base.RUNNING,
    'die': base.EXITED,
    'pause': base.PAUSED,
    'unpause': base.RUNNING,
}


def power_state_for(engine_state, instance=None):
    """Nova power state of a container in ``engine_state``.

    Suspend freezes a container exactly like pause (see docs/support-matrix);
    only Nova's record tells them apart, so a frozen container of an instance
    that is, or is becoming, suspended reports SUSPENDED.
    """
    state = POWER_STATES.get(engine_state)
    if state is None:
        LOG.warning('Unknown container state %r; reporting NOSTATE',
                    engine_state, instance=instance)
        return power_state.NOSTATE
    if state == power_state.PAUSED and instance is not None and (
            instance.vm_state == vm_states.SUSPENDED or
            instance.task_state == task_states.SUSPENDING):
        return power_state.SUSPENDED
    return state


class StateCache:
    """Engine states of this host's containers by instance uuid."""

    def __init__(self, ttl):
        self._ttl = ttl
        self._lock = threading.Lock()
        self._states = {}
        self._taken_at = None
        # uuid -> when Higgins last changed or dropped its entry; a listing
        # that started before that moment must not overwrite it.
        self._touched = {}

    def lookup(self, uuid):
        """Return ``(fresh, state)``; ``state`` is None when unknown.

        ``fresh`` is False when the snapshot is older than the TTL.
        """
        with self._lock:
            fresh = (self._taken_at is not None and
                     time.monotonic() - self._taken_at < self._ttl)
            return fresh, self._states.get(uuid) if fresh else None

    def replace(self, states_by_uuid, taken_at):
        """Install a listing made by a call that started at ``taken_at``."""
        with self._lock:
            states = dict(states_by_uuid)
            for uuid, touched_at in self._touched.items():
                if touched_at > taken_at:
                    states.pop(uuid, None)
                    if uuid in self._states:
                        states[uuid] = self._states[uuid]
            self._touched = {u: t for u, t in self._touched.items()
                             if t > taken_at}
            self._states = states
            self._taken_at = taken_at

    def set(self, uuid, state):
        with self._lock:
            self._states[uuid] = state
            self._touched[uuid] = time.monotonic()

    def forget(self, uuid):
        with self._lock:
            self._states.pop(uuid, None)
            self._touched[uuid] = time.monotonic()
