"""HigginsDriver: Nova's compute driver interface on top of a container engine.

A thin translation layer. Each Nova instance is one container named
``higgins-<instance uuid>``, labelled with the instance and the compute host.
How an instance becomes a container lives in ``container_builder``, engine
states map to power states in ``states``, host resources come from
``resources``, engine events are followed by ``events`` and Neutron ports
are wired by ``network.plumbing``. Only engine and network errors cross in
here, and each leaves as a Nova exception with a message
Higgins wrote.
"""
import contextlib
import functools
import re
import threading
import time

from nova.compute import power_state
import nova.conf
from nova.console import serial as serial_ports
from nova.console import type as console_type
from nova import exception
from nova.i18n import _
from nova.image import glance
from nova.virt import driver
from nova.virt import event as virtevent
from nova.virt import hardware
import os_resource_classes as orc
from oslo_log import log as logging
from oslo_utils import excutils

from higgins_common import contract
from higgins_common import metadata
from higgins_virt import conf as higgins_conf
from higgins_virt import container_builder
from higgins_virt import created_only
from higgins_virt import diagnostics
from higgins_virt.engine import base as engine_base
from higgins_virt.engine import docker as docker_engine
from higgins_virt.engine import errors as engine_errors
from higgins_virt import events
from higgins_virt import images
from higgins_virt import migration
from higgins_virt.network import plumbing
from higgins_virt import resources
from higgins_virt import serial_console
from higgins_virt import states

CONF = nova.conf.CONF
higgins_conf.register_opts(CONF)
LOG = logging.getLogger(__name__)

# How long one engine-wide listing answers get_info for every instance.
STATE_CACHE_TTL = 5.0
# How long spawns reuse the engine's host facts; the resource audit and
# every claim's provider-tree update ask the engine afresh.
HOST_FACTS_TTL = 60.0
# How long the engine's event for a container that spawn just started, or
# destroy just stopped, is awaited.
OWN_EVENT_TTL = 30.0

_CAPABILITY_NAME = re.compile(r'^[A-Z_]+$')


class ContainerOperationFailed(exception.NovaException):
    msg_fmt = _('Container operation failed: %(reason)s')


def _deploy_failure(exc):
    # A host-side failure: Nova may try another host.
    return exception.InstanceDeployFailure(reason=str(exc))


def _migration_failure(exc):
    return exception.MigrationError(reason=str(exc))


def _termination_failure(exc):
    return exception.InstanceTerminationFailure(reason=str(exc))


class HigginsDriver(driver.ComputeDriver):
    """Runs Nova instances as containers."""

    capabilities = dict(
        driver.ComputeDriver.capabilities,
        # Container images are registered in Glance with disk_format raw
        # (container_format docker); no other disk format can boot here.
        supports_image_type_raw=True,
        has_imagecache=True,
        # Ports join a running server's sandbox (network.sandbox).
        supports_attach_interface=True,
        # Evacuate rebuilds from the server's image on another host.
        supports_evacuate=True,
    )

    def __init__(self, virtapi, engine=None, network_ops=None):
        super().__init__(virtapi)
        self._engine = engine or docker_engine.DockerEngine(
            CONF.higgins.engine_url, timeout=CONF.higgins.engine_timeout)
        self._host = CONF.host
        self._image_api = glance.API()
        self._images = images.ImageManager(
            self._engine, self._image_api, CONF.higgins.image_pull_timeout,
            CONF.higgins)
        self._states = states.StateCache(STATE_CACHE_TTL)
        self._facts = resources.HostFacts(lambda: self._engine.info(),
                                          HOST_FACTS_TTL)
        self._own_events = states.OwnEvents(OWN_EVENT_TTL)
        self._refresh_lock = threading.Lock()
        self._listener = None
        self._network = plumbing.Plumbing(self._engine, self._host,
                                          ops=network_ops)
        self._consoles = serial_console.ConsoleServer(
            self._engine, CONF.serial_console.proxyclient_address,
            serial_ports.acquire_port, serial_ports.release_port,
            lambda: CONF.higgins.console_max_connections)

    # -- host ---------------------------------------------------------------

    def init_host(self, host):
        self._host = host
        self._network.host = host
        self._validate_options()
        info = self._engine_info(refresh=True)
        LOG.info('Higgins uses engine %(version)s (storage driver '
                 '%(storage)s) at %(url)s',
                 {'version': info.version, 'storage': info.storage_driver,
                  'url': CONF.higgins.engine_url})
        self._warn_weak_isolation(info)
        self._listener = events.EventListener(
            self._engine, container_builder.host_labels(self._host),
            on_event=self._handle_engine_event,
            on_resync=self._resync_from_engine,
            reconnect_interval=CONF.higgins.event_reconnect_interval)
        self._listener.start()

    @staticmethod
    def _validate_options():
        bad = [c for c in CONF.higgins.cap_add
               if not _CAPABILITY_NAME.match(c)]
        if bad:
            raise exception.InvalidConfiguration(
                _('[higgins] cap_add has invalid capability names: %s')
                % ', '.join(bad))
        if 'SYS_ADMIN' in CONF.higgins.cap_add:
            LOG.warning('[higgins] cap_add gives containers SYS_ADMIN, which '
                        'is close to root on the host')

    @staticmethod
    def _warn_weak_isolation(info):
        if not info.userns_remapped:
            LOG.warning('The engine does not remap user ids: root in a '
                        'container is root on this host. Run it with user '
                        'namespaces (dockerd --userns-remap); see '
                        'docs/security.md')
        if not resources.enforces_disk_quota(info, CONF.higgins):
            LOG.warning('Root disks are not enforced (storage driver %s, '
                        '[higgins] disk_quota=%s): a container can fill the '
                        "engine's storage; see docs/security.md",
                        info.storage_driver, CONF.higgins.disk_quota)

    def cleanup_host(self, host):
        self._consoles.close_all()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def get_available_nodes(self, refresh=False):
        return [self._host]

    def node_is_available(self, nodename):
        return nodename == self._host

    def get_host_ip_addr(self):
        return CONF.my_ip

    def get_host_uptime(self):
        return resources.host_uptime()

    def get_available_resource(self, nodename):
        # The periodic audit: the one place the engine's facts are fetched
        # afresh every time.
        return resources.available_resource(
            self._engine_info(refresh=True), nodename, CONF.my_ip,
            CONF.instances_path)

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        inventory = provider_tree.data(nodename).inventory
        reserved = {
            orc.VCPU: CONF.reserved_host_cpus,
            orc.MEMORY_MB: CONF.reserved_host_memory_mb,
            orc.DISK_GB: self._get_reserved_host_disk_gb_from_config(),
        }
        # Nova runs this in every claim, under its resource tracker's lock.
        # A ping (1 ms) fails the claim of a host whose engine is down here,
        # before anything is built, so Nova can try another host cleanly;
        # the facts (8 to 30 ms to fetch) are the last minute's, which the
        # periodic resource audit refreshes.
        with self._as_nova_errors(failure=self._host_unavailable):
            self._engine.ping()
        info = self._engine_info()
        provider_tree.update_inventory(nodename, resources.inventory(
            info, self._get_allocation_ratios(inventory),
            reserved, CONF.instances_path))
        held, lacking = resources.traits(info, CONF.higgins)
        provider_tree.add_traits(nodename, *held)
        provider_tree.remove_traits(nodename, *lacking)

    def _engine_info(self, refresh=False):
        with self._as_nova_errors(failure=self._host_unavailable):
            return self._facts.get(refresh)

    def _host_unavailable(self, exc):
        return exception.HypervisorUnavailable(host=self._host)

    # -- listing and state --------------------------------------------------

    def _list_containers(self):
        """One engine call for all of this host's containers.

        The listing also refreshes the state cache, for free.
        """
        started = time.monotonic()
        with self._as_nova_errors():
            found = self._engine.list(
                container_builder.host_labels(self._host))
        self._states.replace(
            {c.labels.get(contract.LABEL_INSTANCE_UUID): c.state
             for c in found}, started)
        return found

    def list_instances(self):
        return [c.labels.get(contract.LABEL_INSTANCE_NAME)
                for c in self._list_containers()]

    def list_instance_uuids(self):
        return [c.labels.get(contract.LABEL_INSTANCE_UUID)
                for c in self._list_containers()]

    def get_num_instances(self):
        return len(self._list_containers())

    def instance_exists(self, instance):
        try:
            self._inspect(instance)
        except exception.InstanceNotFound:
            return False
        return True

    def get_info(self, instance, use_cache=True):
        if use_cache:
            engine_state = self._cached_state(instance.uuid)
        else:
            engine_state = None
        if engine_state is None:
            engine_state = self._inspect(instance).state
        return hardware.InstanceInfo(
            state=states.power_state_for(engine_state, instance))

    def _cached_state(self, uuid):
        fresh, state = self._states.lookup(uuid)
        if fresh:
            return state
        # Only one thread lists; the others wait and then read its result.
        with self._refresh_lock:
            fresh, state = self._states.lookup(uuid)
            if not fresh:
                self._list_containers()
                fresh, state = self._states.lookup(uuid)
        return state

    def _inspect(self, instance):
        with self._as_nova_errors(instance):
            info = self._engine.inspect(
                contract.container_name(instance.uuid))
        if info.labels.get(contract.LABEL_HOST) != self._host:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        self._states.set(instance.uuid, info.state)
        return info

    @contextlib.contextmanager
    def _as_nova_errors(self, instance=None, failure=None):
        """Higgins' errors out as Nova exceptions: the driver's one boundary.

        ``failure(engine_error)`` builds the Nova exception for an engine
        error where the operation has its own (deploy, termination, host);
        by default a missing container is InstanceNotFound and any other
        engine error ContainerOperationFailed.
        """
        try:
            yield
        except images.ImageUnusable as exc:
            raise exception.ImageUnacceptable(
                image_id=exc.image_id, reason=exc.reason) from exc
        except (metadata.InvalidMetadata, container_builder.Refused) as exc:
            raise exception.InvalidInput(reason=str(exc)) from exc
        except (engine_errors.EngineError, plumbing.NetworkError) as exc:
            if failure is not None:
                raise failure(exc) from exc
            if isinstance(exc, engine_errors.ContainerNotFound):
                raise exception.InstanceNotFound(
                    instance_id=instance.uuid if instance else None) from exc
            raise ContainerOperationFailed(reason=str(exc)) from exc

    # -- spawn and delete ---------------------------------------------------

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        with self._as_nova_errors(failure=_deploy_failure):
            image, image_info = self._images.prepare(context, image_meta)
        with self._as_nova_errors():
            start = power_on and container_builder.starts_on_create(instance)
        spawn_failure = functools.partial(
            self._spawn_failure, image_meta=image_meta, instance=instance)
        spec = self._build(instance, image, image_info, start, network_info,
                           spawn_failure)
        LOG.info('Container %s created from image %s', spec.name, image,
                 instance=instance)
        if power_on and not start:
            LOG.info('Container %s created without starting it (%s=false)',
                     spec.name, metadata.RUN_KEY, instance=instance)
            created_only.announce_stopped(instance, self.emit_event)

    def _build(self, instance, image, image_info, start, network_info,
               failure):
        """Create (and start) the server's container from engine ``image``.

        ``failure(engine_error)`` makes the Nova exception for a failure.
        Returns the container's spec.
        """
        # The resource tracker's claim fetched the facts just before.
        info = self._engine_info()
        with self._as_nova_errors():
            spec = container_builder.build(
                instance, image, self._host, info.cpus, CONF.higgins,
                disk_quota=resources.enforces_disk_quota(
                    info, CONF.higgins))
        sandbox_spec = None
        if network_info:
            # Ports live in a sandbox the server's container joins.
            sandbox_spec, spec = self._network.split_spec(
                instance, spec, network_info)
        try:
            with self._as_nova_errors(instance, failure=failure):
                self._create_and_start(spec, image_info, start, instance,
                                       sandbox_spec, network_info)
        finally:
            self._states.forget(instance.uuid)
        return spec

    def _create_and_start(self, spec, image_info, power_on, instance,
                          sandbox_spec=None, network_info=None):
        try:
            if sandbox_spec is not None:
                self._network.start_sandbox(instance, sandbox_spec)
                self._plug_and_wait(instance, network_info, power_on)
            self._create(spec, instance)
            self._check_command(spec, image_info)
            if power_on:
                self._start_own(spec.name, instance)
        except BaseException:
            # Whatever failed, leave nothing behind on the engine or the
            # host: container, sandbox, veth pairs, OVS ports.
            with excutils.save_and_reraise_exception():
                self._remove_quietly(spec.name, instance)
                if sandbox_spec is not None:
                    self._teardown_quietly(instance, network_info)

    def _start_own(self, name, instance):
        """Start a spawned container; its start event is Nova's already."""
        self._own_events.expect(instance.uuid, engine_base.EVENT_STARTED)
        try:
            self._engine.start(name)
        except BaseException:
            self._own_events.cancel(instance.uuid, engine_base.EVENT_STARTED)
            raise

    def _plug_and_wait(self, instance, network_info, power_on):
        """Plug the ports, then wait for Neutron to report them wired.

        As Nova's libvirt driver does: only ports Neutron reports down are
        waited for, for at most ``vif_plugging_timeout`` seconds; a timeout
        fails the build when ``vif_plugging_is_fatal``.
        """
        timeout = CONF.vif_plugging_timeout
        events = [('network-vif-plugged', vif['id'])
                  for vif in network_info
                  if vif.get('active', True) is False]
        if not (power_on and timeout):
            events = []
        try:
            with self.virtapi.wait_for_instance_event(
                    instance, events, timeout=timeout,
                    error_callback=self._neutron_failed):
                self._network.plug(instance, network_info)
        except exception.InstanceEventTimeout as exc:
            if CONF.vif_plugging_is_fatal:
                LOG.error('Neutron did not report the ports plugged within '
                          '%d s', timeout, instance=instance)
                raise exception.VirtualInterfaceCreateException() from exc
            LOG.warning('Neutron did not report the ports plugged within '
                        '%d s; starting anyway', timeout, instance=instance)

    @staticmethod
    def _neutron_failed(event_name, instance):
        LOG.error('Neutron reported a failure for %s', event_name,
                  instance=instance)
        if CONF.vif_plugging_is_fatal:
            raise exception.VirtualInterfaceCreateException()

    def _teardown_quietly(self, instance, network_info):
        try:
            self._network.teardown(instance, network_info)
        except engine_errors.EngineError:
            LOG.exception('Could not remove the network sandbox after a '
                          'failed spawn', instance=instance)

    def _create(self, spec, instance):
        try:
            self._engine.create(spec)
        except engine_errors.ContainerConflict:
            # Only an earlier, failed attempt to build this same instance on
            # this host can hold the name: replace it.
            LOG.warning('Replacing a stale container %s', spec.name,
                        instance=instance)
            self._engine.remove(spec.name)
            self._engine.create(spec)

    def _check_command(self, spec, image_info):
        """Refuse a user-supplied command the container cannot run.

        The init process that is PID 1 starts even when the command is
        missing, so the engine would not say so: look in the created
        container's filesystem first.
        """
        candidates = container_builder.command_candidates(spec, image_info)
        for path in candidates:
            found = self._engine.stat(spec.name, path)
            if found and not found.is_dir and (found.executable or
                                               found.is_symlink):
                return
        if candidates:
            raise engine_errors.CommandFailed()

    @staticmethod
    def _spawn_failure(exc, image_meta, instance):
        """The Nova exception for an engine error during spawn.

        Errors the user can fix abort the build with a clear message;
        host-side failures let Nova try another host.
        """
        LOG.error('Spawn failed: %s', exc, instance=instance)
        if isinstance(exc, plumbing.NetworkError):
            # Nova aborts the build: another host would fail the same way.
            return exception.VirtualInterfaceCreateException()
        if isinstance(exc, engine_errors.ImageNotFound):
            return exception.ImageUnacceptable(image_id=image_meta.id,
                                               reason=str(exc))
        if isinstance(exc, (engine_errors.CommandFailed,
                            engine_errors.InvalidContainer)):
            return exception.InvalidInput(reason=str(exc))
        return exception.InstanceDeployFailure(reason=str(exc))

    def _remove_quietly(self, name, instance):
        try:
            self._engine.remove(name)
        except engine_errors.EngineError:
            LOG.exception('Could not remove container %s after a failed '
                          'spawn', name, instance=instance)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        if migration.is_same_host_revert(context, instance,
                                         instance.task_state):
            LOG.info('Resize reverted on the same host: the container '
                     'stays, its old limits come back',
                     instance=instance)
            return
        name = contract.container_name(instance.uuid)
        # Removing a running container stops it first: Nova, deleting the
        # instance, need not hear about that.
        self._own_events.expect(instance.uuid, engine_base.EVENT_STOPPED)
        self._consoles.close(instance.uuid)
        try:
            with self._as_nova_errors(instance, failure=_termination_failure):
                self._engine.remove(name)
                self._network.teardown(instance, network_info)
        finally:
            self._states.forget(instance.uuid)
        # A container that arrived by migration leaves its image behind.
        self._remove_image_quietly(
            migration.migration_reference(instance.uuid), instance)
        LOG.info('Container %s removed', name, instance=instance)

    def _remove_image_quietly(self, reference, instance):
        try:
            self._engine.remove_image(reference)
        except engine_errors.EngineError:
            LOG.exception('Could not remove image %s', reference,
                          instance=instance)

    def cleanup(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, migrate_data=None, destroy_vifs=True,
                destroy_secrets=True):
        # destroy() already removed everything a container owns; this only
        # matters when Nova cleans up without destroying first.
        self.destroy(context, instance, network_info)

    # -- power --------------------------------------------------------------

    def _change_state(self, instance, action):
        """Run ``action(container_name, engine_state)``.

        Engine errors are translated, and the cached state the action made
        stale is dropped.
        """
        name = contract.container_name(instance.uuid)
        state = self._inspect(instance).state
        try:
            with self._as_nova_errors(instance):
                action(name, state)
        finally:
            self._states.forget(instance.uuid)

    def _thaw_if_paused(self, name, state):
        # A frozen process cannot act on a signal: thaw it first.
        if state == engine_base.PAUSED:
            self._engine.unpause(name)

    def power_off(self, instance, timeout=0, retry_interval=0):
        def stop(name, state):
            if state in (engine_base.EXITED, engine_base.CREATED,
                         engine_base.DEAD):
                return
            self._thaw_if_paused(name, state)
            # SIGTERM, then SIGKILL after ``timeout`` (0: at once).
            self._engine.stop(name, timeout)
        self._consoles.close(instance.uuid)
        self._change_state(instance, stop)

    def power_on(self, context, instance, network_info,
                 block_device_info=None, accel_info=None, share_info=None):
        self._replug(instance, network_info)
        self._change_state(instance, self._ensure_running)

    def _replug(self, instance, network_info):
        """Before a start: the sandbox runs and every port is in it.

        Only a host or engine restart stops a sandbox; its new namespace
        is empty, so the ports are plugged again.
        """
        if not network_info:
            return
        with self._as_nova_errors(instance):
            if not self._network.plug(instance, network_info):
                LOG.warning('The server has ports but no network sandbox; '
                            'its container has no interface for them',
                            instance=instance)

    def _ensure_running(self, name, state):
        if state == engine_base.PAUSED:
            self._engine.unpause(name)
        elif state != engine_base.RUNNING:
            self._engine.start(name)

    def reboot(self, context, instance, network_info, reboot_type,
               block_device_info=None, bad_volumes_callback=None,
               accel_info=None, share_info=None):
        grace = (CONF.higgins.default_stop_timeout
                 if reboot_type == 'SOFT' else 0)
        self._replug(instance, network_info)

        def restart(name, state):
            self._thaw_if_paused(name, state)
            if state in (engine_base.RUNNING, engine_base.PAUSED):
                self._engine.restart(name, grace)
            else:
                self._engine.start(name)
        self._change_state(instance, restart)

    def resume_state_on_host_boot(self, context, instance, network_info,
                                  share_info, block_device_info=None):
        self._replug(instance, network_info)
        self._change_state(instance, self._ensure_running)

    def pause(self, instance):
        def freeze(name, state):
            if state != engine_base.PAUSED:
                self._engine.pause(name)
        self._change_state(instance, freeze)

    def unpause(self, instance):
        def thaw(name, state):
            self._thaw_if_paused(name, state)
        self._change_state(instance, thaw)

    def suspend(self, context, instance):
        # A container has no memory image to save without CRIU, so suspend
        # freezes it like pause; Nova's record makes it SUSPENDED (states).
        self.pause(instance)

    def resume(self, context, instance, network_info, block_device_info=None,
               share_info=None):
        self._replug(instance, network_info)
        self._change_state(instance, self._ensure_running)

    # -- resize and migration (see the migration module) --------------------

    def migrate_disk_and_power_off(self, context, instance, dest, flavor,
                                   network_info, block_device_info=None,
                                   timeout=0, retry_interval=0):
        if migration.moves_within_host(context, instance, dest, self._host,
                                       CONF.my_ip):
            self._resize_in_place(instance, flavor)
            return migration.in_place_disk_info()
        was_running = self.get_info(instance, use_cache=False).state
        self.power_off(instance, timeout)
        # As libvirt does: the ports leave this host's switch with the
        # server; a revert plugs them again.
        self.unplug_vifs(instance, network_info)
        try:
            image_id = self._export(context, instance)
        except Exception as exc:
            LOG.error('Could not move the container out: %s', exc,
                      instance=instance)
            if was_running == power_state.RUNNING:
                self.power_on(context, instance, network_info)
            else:
                self.plug_vifs(instance, network_info)
            raise exception.InstanceFaultRollback(exception.MigrationError(
                reason=_('the container filesystem could not be '
                         'transferred'))) from exc
        return migration.transfer_disk_info(image_id)

    def _resize_in_place(self, instance, flavor):
        migration.check_in_place(instance.flavor, flavor, self._disk_quota())
        try:
            self._apply_limits(instance, flavor)
        except exception.NovaException as exc:
            raise exception.InstanceFaultRollback(
                exception.ResizeError(reason=exc.format_message())) from exc

    def _apply_limits(self, instance, flavor):
        info = self._engine_info()
        limits = container_builder.flavor_limits(
            flavor, info.cpus, CONF.higgins, instance)
        self._inspect(instance)
        with self._as_nova_errors(instance):
            self._engine.update_limits(
                contract.container_name(instance.uuid), limits)
        LOG.info('Container limits now those of flavor %s', flavor.name,
                 instance=instance)

    def _disk_quota(self):
        return resources.enforces_disk_quota(self._engine_info(),
                                             CONF.higgins)

    def _export(self, context, instance):
        """The server's filesystem into a new transfer image; its id."""
        record = self._image_api.create(
            context, migration.transfer_image_record(instance))
        try:
            with self._as_nova_errors(instance):
                self._images.export_container(
                    context, contract.container_name(instance.uuid),
                    record['id'])
        except BaseException:
            with excutils.save_and_reraise_exception():
                migration.delete_transfer_image(
                    self._image_api, context, record['id'], instance)
        LOG.info('Container filesystem in transfer image %s', record['id'],
                 instance=instance)
        return record['id']

    def finish_migration(self, context, migration_record, instance, disk_info,
                         network_info, image_meta, resize_instance,
                         allocations, block_device_info=None, power_on=True,
                         share_info=None):
        if migration.is_same_host(migration_record):
            # migrate_disk_and_power_off already applied the new limits.
            if power_on:
                self._change_state(instance, self._ensure_running)
            return
        image_id = migration.transfer_image_of(disk_info)
        if not image_id:
            raise exception.MigrationError(
                reason=_('no container filesystem was transferred'))
        try:
            self._build_from_transfer(context, instance, image_id,
                                      network_info, power_on)
        finally:
            migration.delete_transfer_image(self._image_api, context,
                                            image_id, instance)

    def _build_from_transfer(self, context, instance, image_id, network_info,
                             power_on):
        reference = migration.migration_reference(instance.uuid)
        try:
            with self._as_nova_errors(instance, failure=_migration_failure):
                image_info = self._images.import_as(context, image_id,
                                                    reference)
            self._build(instance, reference, image_info, power_on,
                        network_info, _migration_failure)
        except BaseException:
            with excutils.save_and_reraise_exception():
                self._remove_image_quietly(reference, instance)
        LOG.info('Container re-created from transfer image %s', image_id,
                 instance=instance)

    def confirm_migration(self, context, migration_record, instance,
                          network_info):
        if migration.is_same_host(migration_record):
            return
        # The source's stopped container, its sandbox, and any image it
        # had itself arrived with.
        self.destroy(context, instance, network_info)

    def finish_revert_migration(self, context, instance, network_info,
                                migration_record, block_device_info=None,
                                power_on=True, share_info=None):
        # Nova has put the old flavor back on the instance.
        if migration.is_same_host(migration_record):
            self._apply_limits(instance, instance.flavor)
        if power_on:
            self.power_on(context, instance, network_info)

    # -- network ------------------------------------------------------------

    def plug_vifs(self, instance, network_info):
        # Called for every server when nova-compute starts: idempotent.
        self._replug(instance, network_info)

    def unplug_vifs(self, instance, network_info):
        with self._as_nova_errors(instance):
            for vif in network_info or ():
                self._network.unplug(instance, vif)

    def attach_interface(self, context, instance, image_meta, vif):
        self._change_interface(self._network.attach, instance, vif,
                               'attach', exception.InterfaceAttachFailed)

    def detach_interface(self, context, instance, vif):
        self._change_interface(self._network.unplug, instance, vif,
                               'detach', exception.InterfaceDetachFailed)

    def _change_interface(self, change, instance, vif, verb, failure):
        try:
            with self._as_nova_errors(instance):
                change(instance, vif)
        except exception.NovaException as exc:
            LOG.error('Could not %s port %s: %s', verb, vif['id'], exc,
                      instance=instance)
            raise failure(instance_uuid=instance.uuid) from exc
        LOG.info('Port %s: %sed', vif['id'], verb, instance=instance)

    # -- images -------------------------------------------------------------

    def snapshot(self, context, instance, image_id, update_task_state):
        try:
            self._inspect(instance)
        except exception.InstanceNotFound as exc:
            raise exception.InstanceNotRunning(
                instance_id=instance.uuid) from exc
        with self._as_nova_errors(instance):
            self._images.snapshot(context,
                                  contract.container_name(instance.uuid),
                                  image_id, update_task_state)
        LOG.info('Snapshot uploaded to Glance image %s', image_id,
                 instance=instance)

    def cache_image(self, context, image_id):
        with self._as_nova_errors():
            return self._images.precache(context, image_id)

    def manage_image_cache(self, context, all_instances):
        if not CONF.image_cache.remove_unused_base_images:
            return
        in_use = {i.image_ref for i in all_instances if i.image_ref}
        with self._as_nova_errors():
            self._images.clean_cache(
                in_use,
                CONF.image_cache.remove_unused_original_minimum_age_seconds)

    # -- console ------------------------------------------------------------

    def get_console_output(self, context, instance):
        self._inspect(instance)
        with self._as_nova_errors(instance):
            output = self._engine.logs(
                contract.container_name(instance.uuid),
                tail=CONF.higgins.console_log_lines)
        limit = CONF.higgins.console_log_max_bytes
        return output[-limit:].decode('utf-8', errors='replace')

    def get_serial_console(self, context, instance):
        """The TCP endpoint nova-serialproxy bridges the user's websocket to.

        Opened on first use and kept until the server stops or goes, so the
        port Nova checks when the proxy connects is the one it handed out.
        """
        if not CONF.serial_console.enabled:
            raise exception.ConsoleTypeUnavailable(console_type='serial')
        if self._inspect(instance).state != engine_base.RUNNING:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        with self._as_nova_errors(instance):
            host, port = self._consoles.endpoint(
                instance.uuid, contract.container_name(instance.uuid))
        return console_type.ConsoleSerial(host=host, port=port)
    # -- diagnostics --------------------------------------------------------

    def get_instance_diagnostics(self, instance):
        return self._diagnostics(instance)[0]

    def get_diagnostics(self, instance):
        # The pre-2.48 API's free-form dict, from the same sample.
        return diagnostics.legacy(*self._diagnostics(instance))

    def _diagnostics(self, instance):
        """(Diagnostics, interface counters) of a running container."""
        info = self._inspect(instance)
        if info.state != engine_base.RUNNING:
            # Nova checked the power state just before: it stopped since.
            raise exception.InstanceInvalidState(
                attr='power state', instance_uuid=instance.uuid,
                state=info.state, method='get_diagnostics')
        with self._as_nova_errors(instance):
            stats = self._engine.stats(contract.container_name(instance.uuid))
            # Ports live in the sandbox's namespace, which the engine does
            # not count; a container on an engine network has its own.
            interfaces = self._network.counters(instance) or stats.interfaces
        state = states.power_state_for(info.state, instance)
        return (diagnostics.build(state, info.started_at, stats, interfaces),
                interfaces)

    # -- engine events ------------------------------------------------------

    def _handle_engine_event(self, event):
        uuid = event.labels.get(contract.LABEL_INSTANCE_UUID)
        if not uuid:
            return
        lifecycle = states.lifecycle_for_event(event.kind)
        if lifecycle is None:
            return
        state = lifecycle.state_after
        if (event.kind == engine_base.EVENT_STOPPED and
                event.labels.get(contract.LABEL_RESTART_POLICY)):
            state = self._state_after_exit(event)
        self._states.set(uuid, state)
        if self._own_events.consume(uuid, event.kind):
            # The build that started it reports the state itself.
            return
        if (event.kind == engine_base.EVENT_STOPPED and
                states.restarted_by_engine(state)):
            LOG.info('Container %s exited; the engine restarts it (restart '
                     'policy %s)', event.container_id,
                     event.labels[contract.LABEL_RESTART_POLICY])
            return
        self.emit_event(virtevent.LifecycleEvent(uuid, lifecycle.transition))

    def _state_after_exit(self, event):
        """The state of a container with a restart policy that just exited.

        Restarting (or running again) when the engine restarts it.
        """
        try:
            return self._engine.inspect(event.container_id).state
        except engine_errors.EngineError:
            # Gone, or the engine is unreachable: report the exit.
            return engine_base.EXITED

    def _resync_from_engine(self, containers):
        for container in containers:
            uuid = container.labels.get(contract.LABEL_INSTANCE_UUID)
            transition = states.transition_for_state(container.state)
            if uuid and transition is not None:
                self._states.set(uuid, container.state)
                self.emit_event(virtevent.LifecycleEvent(uuid, transition))
