"""Container states and events as Nova sees them: two tables and a cache.

``POWER_STATES`` is the single place engine states become Nova power states,
and ``LIFECYCLE`` the single place engine event kinds become Nova lifecycle
events (and the state a container is in after each). The cache exists
because Nova's power-state sync asks ``get_info`` once per instance:
answering from one engine-wide listing keeps that periodic task at one
engine call whatever the number of containers. Every driver operation and
every engine event updates or drops the entry it touches, so the cache never
answers with a state older than the last change Higgins saw.
``OwnEvents`` remembers the events Higgins' own operations are about to
cause, so that they update the cache without being reported to Nova again.
"""
import dataclasses
import threading
import time

from nova.compute import power_state
from nova.compute import task_states
from nova.compute import vm_states
from nova.virt import event as virtevent
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


@dataclasses.dataclass(frozen=True)
class Lifecycle:
    """What one kind of engine event means to Nova."""

    #: The Nova lifecycle event emitted for it.
    transition: int
    #: The engine state the container is in right after it.
    state_after: str
    #: Engine states that a catch-up after lost events reports as this
    #: event; a state listed nowhere is not reported.
    catch_up_states: tuple = ()


LIFECYCLE = {
    base.EVENT_STARTED: Lifecycle(virtevent.EVENT_LIFECYCLE_STARTED,
                                  base.RUNNING, (base.RUNNING,)),
    base.EVENT_STOPPED: Lifecycle(virtevent.EVENT_LIFECYCLE_STOPPED,
                                  base.EXITED,
                                  (base.CREATED, base.EXITED, base.DEAD)),
    base.EVENT_PAUSED: Lifecycle(virtevent.EVENT_LIFECYCLE_PAUSED,
                                 base.PAUSED, (base.PAUSED,)),
    base.EVENT_RESUMED: Lifecycle(virtevent.EVENT_LIFECYCLE_RESUMED,
                                  base.RUNNING),
}


def lifecycle_for_event(kind):
    """The :class:`Lifecycle` of an engine event kind; None if unknown."""
    lifecycle = LIFECYCLE.get(kind)
    if lifecycle is None:
        LOG.warning('Unknown engine event kind %r; ignored', kind)
    return lifecycle


def restarted_by_engine(engine_state):
    """Whether a container just exited is being restarted by its engine.

    ``engine_state`` is its state read after the exit event (the engine
    sets it before it reports the exit). Nova must not hear that such a
    container stopped: its power-state sync would stop the server, and an
    engine never restarts a container stopped through its API.
    """
    return engine_state in (base.RESTARTING, base.RUNNING)


def transition_for_state(engine_state):
    """The lifecycle event that tells Nova a container is in this state.

    None for passing states (restarting, removing): Nova hears about the
    state they end in.
    """
    for lifecycle in LIFECYCLE.values():
        if engine_state in lifecycle.catch_up_states:
            return lifecycle.transition
    return None


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


class OwnEvents:
    """Engine events that a driver operation is about to cause itself.

    Nova learns the outcome of its own operation from the operation; the
    engine's event for it would only make nova-compute read the instance
    from its database and ask the engine for its state once more, in the
    middle of the build. Each expectation is consumed by one matching event,
    or lapses after ``ttl`` seconds. Safe to use from several threads.
    """

    def __init__(self, ttl):
        self._ttl = ttl
        self._lock = threading.Lock()
        self._expected = {}

    def expect(self, uuid, kind):
        now = time.monotonic()
        with self._lock:
            # Drop expectations whose event never came (a lost stream).
            self._expected = {key: deadline for key, deadline
                              in self._expected.items() if deadline > now}
            self._expected[uuid, kind] = now + self._ttl

    def cancel(self, uuid, kind):
        with self._lock:
            self._expected.pop((uuid, kind), None)

    def consume(self, uuid, kind):
        """True when this event was expected (it is no longer afterwards)."""
        with self._lock:
            deadline = self._expected.pop((uuid, kind), None)
        return deadline is not None and deadline > time.monotonic()
