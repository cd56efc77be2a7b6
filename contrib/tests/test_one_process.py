"""The all-in-one's launcher runs a console script in a single process.

contrib/aio/lib/one_process.py is run, as the all-in-one runs it, on a
console script installed for the test: the script's oslo.service launch
must run the service in the launcher's own process, with no forked worker,
and a launch of several workers must be refused rather than silently served
by one. With --privileged-calls-here, a privsep entrypoint must run in that
process too, with no helper daemon.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = TOP / 'contrib' / 'aio' / 'lib' / 'one_process.py'

# A console script doing what Nova's and Neutron's do: choose oslo.service's
# threading backend on import, then launch a service.
PROBE = '''
import json
import os
import sys

from oslo_service import backend
backend.init_backend(backend.BackendType.THREADING)

from oslo_config import cfg
from oslo_privsep import capabilities
from oslo_privsep import priv_context
from oslo_service import service

ctx = priv_context.PrivContext(
    'higgins_probe', cfg_section='higgins_probe_privsep',
    pypath=__name__ + '.ctx', capabilities=[capabilities.CAP_NET_ADMIN])


@ctx.entrypoint
def privileged_pid():
    return os.getpid()

class Probe(service.ServiceBase):
    started_in = None

    def start(self):
        Probe.started_in = os.getpid()

    def wait(self):
        pass

    def stop(self):
        pass

    def reset(self):
        pass


def main():
    cfg.CONF([], project='higgins-probe')
    seen = {'script': os.getpid()}
    service.launch(cfg.CONF, Probe(), workers=int(sys.argv[1])).wait()
    seen['service'] = Probe.started_in
    if sys.argv[2:] == ['privileged']:
        seen['privileged'] = privileged_pid()
    seen['children'] = [pid for pid in os.listdir('/proc')
                        if pid.isdigit() and _parent(pid) == os.getpid()]
    print(json.dumps(seen))


def _parent(pid):
    try:
        with open('/proc/%s/stat' % pid) as f:
            return int(f.read().rsplit(')', 1)[1].split()[1])
    except OSError:
        return None
'''


@pytest.fixture
def probe_script(tmp_path):
    """Install `higgins-probe` as a console script on a private path."""
    (tmp_path / 'higgins_probe.py').write_text(textwrap.dedent(PROBE))
    dist = tmp_path / 'higgins_probe-1.0.dist-info'
    dist.mkdir()
    (dist / 'METADATA').write_text('Name: higgins-probe\nVersion: 1.0\n')
    (dist / 'entry_points.txt').write_text(
        '[console_scripts]\nhiggins-probe = higgins_probe:main\n')
    return tmp_path


def launch(path, workers, *args, options=()):
    env = dict(os.environ, PYTHONPATH=str(path))
    return subprocess.run(
        [sys.executable, str(LAUNCHER), *options, 'higgins-probe',
         str(workers), *args],
        env=env, capture_output=True, text=True, timeout=60)


def test_the_service_runs_in_the_launcher(probe_script):
    result = launch(probe_script, 1)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen['service'] == seen['script']
    assert seen['children'] == []


def test_several_workers_are_refused(probe_script):
    result = launch(probe_script, 2)
    assert result.returncode != 0
    assert 'runs one worker, not 2' in result.stderr


def test_privileged_calls_run_in_the_launcher(probe_script):
    result = launch(probe_script, 1, 'privileged',
                    options=['--privileged-calls-here'])
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen['privileged'] == seen['script']
    assert seen['children'] == []
