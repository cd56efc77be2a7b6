"""Engine states and events into Nova's terms, and the state cache."""
import time
import unittest
from unittest import mock

from nova.compute import power_state
from nova.virt import event as virtevent

from higgins_virt.engine import base
from higgins_virt import states
from higgins_virt.tests.unit import fakes


class PowerStateTest(unittest.TestCase):

    def test_table(self):
        self.assertEqual(power_state.RUNNING,
                         states.power_state_for(base.RUNNING))
        self.assertEqual(power_state.SHUTDOWN,
                         states.power_state_for(base.EXITED))
        self.assertEqual(power_state.CRASHED,
                         states.power_state_for(base.DEAD))
        self.assertEqual(power_state.PAUSED,
                         states.power_state_for(base.PAUSED))

    def test_unknown_state_is_nostate_and_logged(self):
        with self.assertLogs('higgins_virt.states', 'WARNING'):
            self.assertEqual(power_state.NOSTATE,
                             states.power_state_for('hibernating'))

    def test_a_frozen_suspended_instance_is_suspended(self):
        for vm_state, task_state in (('suspended', None),
                                     ('active', 'suspending')):
            instance = fakes.instance(vm_state=vm_state,
                                      task_state=task_state)
            self.assertEqual(power_state.SUSPENDED,
                             states.power_state_for(base.PAUSED, instance))
        self.assertEqual(power_state.PAUSED, states.power_state_for(
            base.PAUSED, fakes.instance(vm_state='paused')))


class StateCacheTest(unittest.TestCase):

    def test_stale_snapshot_answers_nothing(self):
        cache = states.StateCache(ttl=5)
        self.assertEqual((False, None), cache.lookup('a'))
        cache.replace({'a': base.RUNNING}, time.monotonic() - 10)
        self.assertEqual((False, None), cache.lookup('a'))
        cache.replace({'a': base.RUNNING}, time.monotonic())
        self.assertEqual((True, base.RUNNING), cache.lookup('a'))

    def test_a_listing_older_than_a_change_does_not_undo_it(self):
        cache = states.StateCache(ttl=5)
        listing_started = time.monotonic()
        cache.set('a', base.EXITED)
        cache.forget('b')
        cache.replace({'a': base.RUNNING, 'b': base.RUNNING,
                       'c': base.PAUSED}, listing_started)
        self.assertEqual((True, base.EXITED), cache.lookup('a'))
        self.assertEqual((True, None), cache.lookup('b'))
        self.assertEqual((True, base.PAUSED), cache.lookup('c'))
        # A newer listing is believed again.
        cache.replace({'a': base.RUNNING, 'b': base.RUNNING},
                      time.monotonic())
        self.assertEqual((True, base.RUNNING), cache.lookup('a'))
        self.assertEqual((True, base.RUNNING), cache.lookup('b'))


class LifecycleTest(unittest.TestCase):

    def test_every_event_kind_has_one_entry(self):
        kinds = {getattr(base, n) for n in dir(base)
                 if n.startswith('EVENT_')}
        self.assertEqual(kinds, set(states.LIFECYCLE))

    def test_event_kinds(self):
        cases = [
            (base.EVENT_STARTED, virtevent.EVENT_LIFECYCLE_STARTED,
             base.RUNNING),
            (base.EVENT_STOPPED, virtevent.EVENT_LIFECYCLE_STOPPED,
             base.EXITED),
            (base.EVENT_PAUSED, virtevent.EVENT_LIFECYCLE_PAUSED,
             base.PAUSED),
            (base.EVENT_RESUMED, virtevent.EVENT_LIFECYCLE_RESUMED,
             base.RUNNING),
        ]
        for kind, transition, state_after in cases:
            lifecycle = states.lifecycle_for_event(kind)
            self.assertEqual((transition, state_after),
                             (lifecycle.transition, lifecycle.state_after))

    def test_unknown_event_kind_is_logged_and_ignored(self):
        with self.assertLogs('higgins_virt.states', 'WARNING'):
            self.assertIsNone(states.lifecycle_for_event('die'))

    def test_catch_up_transitions(self):
        expected = {
            base.RUNNING: virtevent.EVENT_LIFECYCLE_STARTED,
            base.PAUSED: virtevent.EVENT_LIFECYCLE_PAUSED,
            base.CREATED: virtevent.EVENT_LIFECYCLE_STOPPED,
            base.EXITED: virtevent.EVENT_LIFECYCLE_STOPPED,
            base.DEAD: virtevent.EVENT_LIFECYCLE_STOPPED,
            base.RESTARTING: None,
            base.REMOVING: None,
            None: None,
        }
        self.assertEqual(expected, {s: states.transition_for_state(s)
                                    for s in expected})


class OwnEventsTest(unittest.TestCase):

    def test_an_expected_event_is_consumed_once(self):
        own = states.OwnEvents(ttl=30)
        own.expect('u1', base.EVENT_STARTED)
        self.assertFalse(own.consume('u1', base.EVENT_STOPPED))
        self.assertFalse(own.consume('u2', base.EVENT_STARTED))
        self.assertTrue(own.consume('u1', base.EVENT_STARTED))
        self.assertFalse(own.consume('u1', base.EVENT_STARTED))

    def test_cancelled_and_lapsed_expectations_match_nothing(self):
        own = states.OwnEvents(ttl=30)
        own.expect('u1', base.EVENT_STARTED)
        own.cancel('u1', base.EVENT_STARTED)
        self.assertFalse(own.consume('u1', base.EVENT_STARTED))
        own.expect('u2', base.EVENT_STARTED)
        with mock.patch.object(states.time, 'monotonic',
                               return_value=time.monotonic() + 31):
            self.assertFalse(own.consume('u2', base.EVENT_STARTED))
