"""One hub process serves all of a service's privsep contexts.

contrib/aio/lib/privsep_hub.py is run as the all-in-one runs it: the hub as
a process of its own, and a service whose contexts' helper_command is the
hub's client. Two contexts' entrypoints must run in the hub's process (not
the caller's, not a helper each), an entrypoint's exception must reach the
caller as it does through a helper daemon, and a request the hub cannot
serve must fail the helper command with a short reason.
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
HUB = TOP / 'contrib' / 'aio' / 'lib' / 'privsep_hub.py'

# Two contexts, as the L3 agent has three, each with its own section.
PROBE = '''
import json
import os
import sys

from oslo_config import cfg
from oslo_privsep import capabilities
from oslo_privsep import priv_context

first = priv_context.PrivContext(
    'higgins_hub_probe', cfg_section='higgins_probe_first',
    pypath=__name__ + '.first', capabilities=[capabilities.CAP_NET_ADMIN])
second = priv_context.PrivContext(
    'higgins_hub_probe', cfg_section='higgins_probe_second',
    pypath=__name__ + '.second', capabilities=[capabilities.CAP_SYS_ADMIN])


@first.entrypoint
def first_pid():
    return os.getpid()


@second.entrypoint
def second_pid():
    return os.getpid()


@second.entrypoint
def refuse(value):
    raise ValueError('refused %s' % value)


def main():
    cfg.CONF(['--config-file', sys.argv[-1]], project='higgins-probe')
    seen = {'caller': os.getpid(), 'first': first_pid(),
            'second': second_pid()}
    try:
        refuse(7)
    except ValueError as exc:
        seen['refused'] = str(exc)
    print(json.dumps(seen))
'''


@pytest.fixture
def hub(tmp_path):
    """A running hub, the probe module and the configuration naming it."""
    (tmp_path / 'higgins_hub_probe.py').write_text(textwrap.dedent(PROBE))
    sock = tmp_path / 'hub.sock'
    client = '%s %s connect %s' % (sys.executable, HUB, sock)
    conf = tmp_path / 'probe.conf'
    conf.write_text(''.join(
        '[%s]\nhelper_command = %s\n' % (section, client)
        for section in ('higgins_probe_first', 'higgins_probe_second')))
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, str(HUB), 'serve', str(sock),
         '--config-file', str(conf), '--log-file', str(tmp_path / 'hub.log')],
        env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    yield {'pid': process.pid, 'sock': sock, 'conf': conf, 'env': env,
           'path': tmp_path}
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_contexts_run_in_the_hub(hub):
    result = subprocess.run(
        [sys.executable, '-c',
         'import higgins_hub_probe; higgins_hub_probe.main()',
         str(hub['conf'])],
        env=hub['env'], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen['first'] == seen['second'] == hub['pid']
    assert seen['caller'] != hub['pid']
    assert seen['refused'] == 'refused 7'


def test_what_the_hub_cannot_serve_fails_the_helper_command(hub):
    result = subprocess.run(
        [sys.executable, str(HUB), 'connect', str(hub['sock']),
         '--privsep_context', 'os.path',
         '--privsep_sock_path', str(hub['path'] / 'nobody.sock')],
        capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert 'the hub could not serve it: ValueError' in result.stderr
