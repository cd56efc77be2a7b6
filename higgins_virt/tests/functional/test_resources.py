"""What the host reports to placement, and what periodic work costs."""
import collections
import time

from nova import context as nova_context
import os_resource_classes as orc

from higgins_common import contract
from higgins_virt.tests.functional import base


class CountingEngine:
    """Passes every call to the real engine and counts it by method."""

    def __init__(self, engine):
        self._engine = engine
        self.calls = collections.Counter()

    def __getattr__(self, name):
        method = getattr(self._engine, name)

        def counted(*args, **kwargs):
            self.calls[name] += 1
            return method(*args, **kwargs)
        return counted


class ResourcesTest(base.HigginsTestCase):

    def test_provider_inventory_and_traits(self):
        rp_uuid = self._get_provider_uuid_by_host(self.compute_host)
        self.assertIn(contract.CONTAINER_TRAIT,
                      self._get_provider_traits(rp_uuid))
        inventory = self._get_provider_inventory(rp_uuid)
        info = self.engine.info()
        self.assertEqual(info['NCPU'], inventory[orc.VCPU]['total'])
        self.assertEqual(info['MemTotal'] // (1024 * 1024),
                         inventory[orc.MEMORY_MB]['total'])
        self.assertGreater(inventory[orc.DISK_GB]['total'], 0)
        # The flavor requires the trait, so the scheduler found this host.
        server = self.boot()
        self.assertEqual(self.compute_host,
                         server['OS-EXT-SRV-ATTR:host'])

    def test_vm_flavor_does_not_land_on_a_container_host(self):
        # Forbidding the trait on VM flavors is how operators keep VMs off
        # container hosts; this cloud has no other host.
        self.flavor_id = self._create_flavor(name='m1.vm', memory_mb=128,
                                             vcpu=1, disk=1, ephemeral=0)
        self.admin_api.post_extra_spec(self.flavor_id, {'extra_specs': {
            'trait:%s' % contract.CONTAINER_TRAIT: 'forbidden'}})
        server = self.boot(expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def _wait_for_power_syncs(self, manager):
        for _ in range(100):
            with manager.syncs_in_progress() as syncs:
                if not syncs:
                    return
            time.sleep(0.05)
        self.fail('power-state sync did not finish')

    def _periodic_engine_calls(self):
        manager = self.compute.manager
        counting = CountingEngine(manager.driver._engine)
        manager.driver._engine = counting
        try:
            # Age the state cache as if the last listing were long ago.
            manager.driver._states.replace({}, taken_at=-1e9)
            ctxt = nova_context.get_admin_context()
            manager._sync_power_states(ctxt)
            self._wait_for_power_syncs(manager)
            manager.update_available_resource(ctxt)
        finally:
            manager.driver._engine = counting._engine
        return counting.calls

    def test_periodic_tasks_make_constant_engine_calls(self):
        for _ in range(2):
            self.boot()
        with_two = self._periodic_engine_calls()
        for _ in range(3):
            self.boot()
        with_five = self._periodic_engine_calls()
        self.assertEqual(with_two, with_five)
        self.assertEqual(0, with_five['inspect'])
        self.assertLessEqual(sum(with_five.values()), 4, with_five)
