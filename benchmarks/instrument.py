"""Counting and timing calls on live objects, for the benchmarks.

``Recorder.wrap(obj, names)`` replaces each named method of one object (not
its class) with a wrapper that counts its calls and adds up their wall time,
from every thread. The engine methods a driver may call are listed in
``ENGINE_METHODS``, so "how many engine calls did this take" is one wrap.
"""
import collections
import functools
import inspect
import threading
import time

from higgins_virt.engine import base as engine_base

ENGINE_METHODS = tuple(
    name for name, member in inspect.getmembers(engine_base.ContainerEngine)
    if getattr(member, '__isabstractmethod__', False))


class Recorder:
    """Calls and seconds per wrapped method, reset with ``reset``."""

    def __init__(self):
        self._lock = threading.Lock()
        self.calls = collections.Counter()
        self.seconds = collections.Counter()
        self._undo = []

    def wrap(self, obj, names, prefix=''):
        for name in names:
            original = getattr(obj, name, None)
            if original is None:
                continue
            setattr(obj, name, self._wrapper(prefix + name, original))
            self._undo.append((obj, name))
        return self

    def _wrapper(self, label, original):
        @functools.wraps(original)
        def recorded(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                with self._lock:
                    self.calls[label] += 1
                    self.seconds[label] += elapsed
        return recorded

    def reset(self):
        with self._lock:
            self.calls.clear()
            self.seconds.clear()

    def total_calls(self, prefix=''):
        return sum(n for label, n in self.calls.items()
                   if label.startswith(prefix))

    def total_seconds(self, prefix=''):
        return sum(t for label, t in self.seconds.items()
                   if label.startswith(prefix))

    def unwrap(self):
        for obj, name in reversed(self._undo):
            # The wrapper is an instance attribute: deleting it brings the
            # class's method back.
            delattr(obj, name)
        self._undo = []

    def table(self, prefix=''):
        """Lines 'label  calls  ms', slowest first."""
        labels = sorted((label for label in self.calls
                         if label.startswith(prefix)),
                        key=lambda label: -self.seconds[label])
        return ['  %-44s %4d call(s) %8.1f ms'
                % (label, self.calls[label], self.seconds[label] * 1000)
                for label in labels]
