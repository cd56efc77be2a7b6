"""Options are listed for the generator; the shipped sample is current."""
import os
import subprocess
import sys
import tempfile
import unittest

from higgins_virt import conf

SAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                      'higgins', 'nova-higgins.conf.sample')


class ConfTest(unittest.TestCase):

    def test_every_option_is_listed(self):
        [(group, opts)] = conf.list_opts()
        self.assertEqual('higgins', group.name)
        self.assertEqual(
            {'engine_url', 'engine_timeout', 'event_reconnect_interval',
             'image_pull_timeout',
             'network_mode', 'pids_limit', 'cap_add', 'default_stop_timeout',
             'console_log_lines', 'console_log_max_bytes',
             'console_max_connections',
             'enforce_disk_quota', 'disk_quota', 'log_max_mb',
             'log_max_files', 'image_reference_patterns',
             'image_reference_owners'},
            {opt.name for opt in opts})

    def test_sample_config_is_current(self):
        generator = os.path.join(os.path.dirname(sys.executable),
                                 'oslo-config-generator')
        with tempfile.NamedTemporaryFile('r') as out:
            subprocess.run([generator, '--namespace', 'higgins_virt',
                            '--output-file', out.name], check=True)
            with open(SAMPLE) as shipped:
                self.assertEqual(shipped.read(), out.read(),
                                 'run: tox -e genconfig')
