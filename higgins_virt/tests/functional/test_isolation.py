"""The wall between tenants and the host, checked on a hardened engine.

Servers are booted through Nova onto an engine set up as a production
compute host should run one (tools/isolated-engine.sh: user namespaces,
btrfs data root, live-restore), then checked from the host and from inside
the container: root is not root on the host, the flavor's disk is a hard
limit, logs stay under their cap, privileged operations fail, dangerous
settings are refused, and no one boots another project's snapshot by
naming it.
"""
import glob
import os
import time
import unittest

from higgins_common import contract
from higgins_virt import images
from higgins_virt.tests.functional import base

#: Set by tools/run-tests.sh, which starts the engine.
ENGINE_URL = os.environ.get('HIGGINS_ISOLATED_ENGINE_URL')
MIB = 1024 * 1024


@unittest.skipUnless(ENGINE_URL, 'needs the hardened engine that '
                     'tools/run-tests.sh starts (HIGGINS_ISOLATED_ENGINE_URL)')
class IsolationTestCase(base.HigginsTestCase):
    engine_url = ENGINE_URL

    def wait_for_console(self, server, expected, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            output = self.api.post_server_action(
                server['id'], {'os-getConsoleOutput': {}})['output']
            if expected in output or time.monotonic() > deadline:
                return output
            time.sleep(0.2)

    def host_uids(self, server):
        """The host's uids of the container's first process.

        Real, effective, saved and filesystem uid, as strings.
        """
        pid = self.container(server).attrs['State']['Pid']
        with open('/proc/%d/status' % pid) as status:
            return [line.split()[1:] for line in status
                    if line.startswith('Uid:')][0]

    def run_inside(self, server, *argv):
        """(exit code, output) of ``argv`` run in the server's container."""
        result = self.container(server).exec_run(list(argv))
        return result.exit_code, result.output.decode(errors='replace')


class HostIsolationTest(IsolationTestCase):

    def test_host_reports_what_it_enforces(self):
        rp_uuid = self._get_provider_uuid_by_host(self.compute_host)
        self.assertLessEqual(
            {contract.CONTAINER_TRAIT, contract.USERNS_TRAIT,
             contract.DISK_QUOTA_TRAIT},
            set(self._get_provider_traits(rp_uuid)))

    def test_root_in_the_container_is_not_root_on_the_host(self):
        server = self.boot()
        self.assertEqual((0, '0\n'), self.run_inside(server, 'id', '-u'))
        self.assertNotIn('0', self.host_uids(server))

    def test_kernel_keys_leave_room_for_many_containers(self):
        # runc charges each container's session keyring to its root's uid
        # on the host, the same uid for every container under user
        # namespaces; the kernel's default quota for it, 200 keys, would
        # stop the host at its 200th container.
        server = self.boot()
        uid = self.host_uids(server)[0]
        with open('/proc/key-users') as key_users:
            quotas = {int(user): rest for user, rest in
                      (line.split(':', 1) for line in key_users)}
        # "usage nkeys/nikeys keys/maxkeys bytes/maxbytes"
        keys = quotas[int(uid)].split()[2]
        used, allowed = (int(n) for n in keys.split('/'))
        self.assertGreaterEqual(used, 1)
        self.assertGreaterEqual(allowed, 1000)

    def test_writing_past_the_flavors_root_disk_fails(self):
        # c1.tiny has a 1 GiB root disk; the command tries to write more.
        server = self.boot(metadata={'higgins:command': (
            '["sh", "-c", "dd if=/dev/zero of=/fill bs=1M count=1200; '
            'echo dd-finished; sleep 1000"]')})
        output = self.wait_for_console(server, 'dd-finished')
        # ENOSPC or EDQUOT, by storage driver (btrfs says the latter).
        self.assertRegex(output, 'No space left on device|Disk quota exceeded')
        code, written = self.run_inside(server, 'stat', '-c', '%s', '/fill')
        self.assertEqual(0, code)
        self.assertLessEqual(int(written), 1024 * MIB)

    def test_logs_stay_under_their_cap_and_the_console_shows_the_latest(self):
        self.flags(log_max_mb=1, log_max_files=2, group='higgins')
        server = self.boot(metadata={'higgins:command': (
            '["sh", "-c", "yes log-line-padding | head -c 8000000; '
            'echo; echo last-line-marker; sleep 1000"]')})
        self.assertIn('last-line-marker',
                      self.wait_for_console(server, 'last-line-marker'))
        log_path = self.container(server).attrs['LogPath']
        files = glob.glob(log_path + '*')
        self.assertGreater(len(files), 1, 'the log never rotated')
        kept = sum(os.path.getsize(path) for path in files)
        # Two files of 1 MiB; the engine may finish one line past the cap.
        self.assertLess(kept, 2 * MIB + 64 * 1024)

    def test_privileged_operations_fail_inside(self):
        server = self.boot()
        for argv in (('mount', '-t', 'tmpfs', 'none', '/mnt'),
                     ('unshare', '-U', 'true'),
                     ('mknod', '/tmp/null', 'c', '1', '3'),
                     # A raw packet socket, on the container's own loopback.
                     ('arping', '-c', '1', '-w', '1', '-I', 'lo',
                      '127.0.0.1'),
                     ('chroot', '/', 'true')):
            code, output = self.run_inside(server, *argv)
            self.assertNotEqual(0, code, '%s succeeded: %s' % (argv, output))
        attrs = self.container(server).attrs['HostConfig']
        self.assertFalse(attrs['Privileged'])
        self.assertEqual([], attrs.get('Devices') or [])
        self.assertEqual([], attrs.get('Binds') or [])


class RefusedSettingsTest(IsolationTestCase):

    def assert_refused(self, server, words):
        self.assertEqual('ERROR', server['status'])
        self.assertIn(words, server['fault']['message'])
        self.assertEqual([], self.host_containers())

    def test_server_metadata_cannot_ask_for_host_access(self):
        for key in ('higgins:privileged', 'higgins:volume', 'higgins:device',
                    'higgins:network_mode', 'higgins:pid_mode',
                    'higgins:cap_add', 'higgins:userns_mode'):
            server = self.boot(metadata={key: 'host'},
                               expected_state='ERROR')
            self.assert_refused(server, key)

    def test_flavor_extra_specs_cannot_ask_for_host_access(self):
        self.admin_api.post_extra_spec(self.flavor_id, {'extra_specs': {
            'higgins:privileged': 'true'}})
        server = self.boot(expected_state='ERROR')
        self.assert_refused(server, 'higgins:privileged')

    def test_image_properties_cannot_ask_for_host_access(self):
        image_id = self.register_image('app', properties={
            'higgins_image_ref': self.image_ref(),
            'higgins_privileged': 'true'})
        server = self.boot(image_id=image_id, expected_state='ERROR')
        self.assert_refused(server, 'higgins_privileged')

    def image_ref(self):
        return self.glance.show(None, self.image_id)['name']


class CrossProjectImageTest(IsolationTestCase):

    def test_a_snapshot_cannot_be_booted_by_naming_it(self):
        # Even an operator who allows every reference does not open the
        # image cache or content digests.
        self.flags(image_reference_patterns=['*'], group='higgins')
        server = self.boot(metadata={'higgins:command': (
            '["sh", "-c", "echo project-a-secret > /secret; sleep 1000"]')})
        self.wait_for_console(server, '')
        snapshot_id = self.api.post_server_action(
            server['id'], {'createImage': {'name': 'private'}})['image_id']
        self._wait_for_server_parameter(
            server, {'OS-EXT-STS:task_state': None, 'status': 'ACTIVE'})
        cached = images.cache_reference(snapshot_id)
        self.remove_at_cleanup(cached)
        image_hex = self.engine.images.get(cached).id.partition(':')[2]
        self._delete_server(server)
        attempts = [
            ('by-property', {'higgins_image_ref': cached}, 'cache'),
            (cached, {}, 'cache'),
            ('by-id', {'higgins_image_ref': 'sha256:' + image_hex}, 'digest'),
            ('by-short-id', {'higgins_image_ref': image_hex[:12]}, 'digest'),
            ('by-digest', {'higgins_image_ref':
                           'higgins/x@sha256:' + image_hex}, 'digest'),
        ]
        for name, properties, words in attempts:
            image_id = self.register_image(name, properties=properties)
            server = self.boot(image_id=image_id, expected_state='ERROR')
            self.assertIn(words, server['fault']['message'], name)
            self.assertEqual([], self.host_containers(), name)
        # Through Glance, as its owner may, the snapshot boots, from its
        # archive, with the files the remapped engine shifted back and forth.
        self.remove_engine_image(cached)
        clone = self.boot(image_id=snapshot_id, metadata={
            'higgins:command': '["sh", "-c", "cat /secret; sleep 1000"]'})
        self.assertIn('project-a-secret',
                      self.wait_for_console(clone, 'project-a-secret'))
