"""When a server became ACTIVE, and where one boot spends its time.

``ActiveProbe`` hooks Nova's ``Instance.save`` so the moment a compute host
records a server ACTIVE is known exactly, without polling the API.
``profile_one_boot`` boots one more server on the harness's Higgins host
with its engine calls counted, the driver and resource tracker methods a
boot goes through timed, and the build on the compute host under cProfile.
"""
import cProfile
import io
import pstats
import threading
import time

from nova.compute import vm_states
from nova import objects

import instrument

# Driver methods a boot goes through, and the resource tracker's claim
# (its time includes waiting for the tracker's lock).
DRIVER_METHODS = ('spawn', 'get_info', 'update_provider_tree',
                  'get_available_resource', 'instance_exists',
                  'get_available_nodes', 'node_is_available',
                  'get_host_ip_addr', 'plug_vifs')
TRACKER_METHODS = ('instance_claim', '_update', '_update_to_placement')
# What the compute manager does with a lifecycle event from the driver.
MANAGER_METHODS = ('handle_lifecycle_event', '_get_power_state')
BUILD_METHOD = '_build_and_run_instance'


class ActiveProbe:
    """Monotonic time at which each server was first saved ACTIVE."""

    def __init__(self):
        self._cond = threading.Condition()
        self._active = {}
        self._original = objects.Instance.save
        probe = self

        def save(instance, *args, **kwargs):
            probe._original(instance, *args, **kwargs)
            if (instance.obj_attr_is_set('vm_state') and
                    instance.vm_state == vm_states.ACTIVE):
                probe._mark(instance.uuid)
        objects.Instance.save = save

    def _mark(self, uuid):
        now = time.perf_counter()
        with self._cond:
            self._active.setdefault(uuid, now)
            self._cond.notify_all()

    def wait(self, uuid, timeout=60):
        with self._cond:
            if not self._cond.wait_for(lambda: uuid in self._active,
                                       timeout):
                raise TimeoutError('server %s not ACTIVE after %d s'
                                   % (uuid, timeout))
            return self._active.pop(uuid)

    def close(self):
        objects.Instance.save = self._original


def _profiled(manager, stats_file):
    """Run the manager's next build under cProfile, in its own thread."""
    original = getattr(manager, BUILD_METHOD)

    def build(*args, **kwargs):
        profiler = cProfile.Profile()
        try:
            return profiler.runcall(original, *args, **kwargs)
        finally:
            profiler.dump_stats(stats_file)
    setattr(manager, BUILD_METHOD, build)


def profile_one_boot(bench, stats_file):
    manager = bench.compute.manager
    recorder = instrument.Recorder()
    recorder.wrap(manager.driver._engine, instrument.ENGINE_METHODS,
                  'engine.')
    recorder.wrap(manager.driver, DRIVER_METHODS, 'driver.')
    recorder.wrap(manager.rt, TRACKER_METHODS, 'tracker.')
    recorder.wrap(manager, MANAGER_METHODS, 'manager.')
    _profiled(manager, stats_file)
    try:
        elapsed, server = bench.timed_boot(bench.flavor_id)
    finally:
        delattr(manager, BUILD_METHOD)
        recorder.unwrap()
    bench.delete(server)
    print('\none boot, profiled: %.3f s to ACTIVE; engine calls: %d'
          % (elapsed, recorder.total_calls('engine.')))
    print('\n'.join(recorder.table()))
    out = io.StringIO()
    stats = pstats.Stats(stats_file, stream=out)
    stats.sort_stats('cumulative').print_stats(30)
    print('\ncProfile of the build on the compute host (%s), top 30 by '
          'cumulative time:' % stats_file)
    print(out.getvalue())
