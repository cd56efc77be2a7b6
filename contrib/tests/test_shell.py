"""Every shell script of the project parses and passes shellcheck.

Operators run these scripts as root on their machines; shellcheck catches
the quoting and word-splitting mistakes that bite there. The scripts are
found, not listed, so a new one is checked from the day it lands. shellcheck
is required: when it is missing the checks fail (tools/run-tests.sh installs
Debian's package).
"""
import pathlib
import shutil
import subprocess

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = ('contrib', 'tools', '.ci')
SHEBANGS = (b'#!/usr/bin/env bash', b'#!/bin/bash', b'#!/bin/sh',
            b'#!/usr/bin/env sh')
# devstack sources these into its own shell: no shebang, no .sh suffix.
DEVSTACK_FILES = ('contrib/devstack/plugin.sh', 'contrib/devstack/settings')


def shell_scripts():
    scripts = {TOP / name for name in DEVSTACK_FILES}
    for folder in FOLDERS:
        for path in (TOP / folder).rglob('*'):
            if not path.is_file() or path.is_symlink():
                continue
            with path.open('rb') as f:
                head = f.readline()
            if path.suffix == '.sh' or head.startswith(SHEBANGS):
                scripts.add(path)
    return sorted(scripts)


SCRIPTS = shell_scripts()


def _id(path):
    return path.relative_to(TOP).as_posix()


def shellcheck(*args):
    """Run shellcheck from the top of the tree; fail if it is missing."""
    if shutil.which('shellcheck') is None:
        pytest.fail('shellcheck is not installed (apt-get install '
                    'shellcheck, or run tools/run-tests.sh)')
    return subprocess.run(['shellcheck', *args], cwd=TOP,
                          capture_output=True, text=True)


def test_scripts_are_found():
    names = {_id(p) for p in SCRIPTS}
    assert {'tools/run-tests.sh', 'tools/build-test-image.sh',
            'contrib/aio/higgins-aio', 'contrib/aio/lib/common.sh',
            'contrib/aio/lib/config.sh', '.ci/run',
            *DEVSTACK_FILES} <= names


@pytest.mark.parametrize('script', SCRIPTS, ids=_id)
def test_bash_parses(script):
    result = subprocess.run(['bash', '-n', str(script)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize('script', SCRIPTS, ids=_id)
def test_shellcheck(script):
    # -s bash: every script is bash, and devstack's files have no shebang to
    # say so. -x follows the `source=` directives of the all-in-one, so the
    # variables its library sets count as set where they are used.
    # No check is excluded here. The exclusions devstack's sourcing model
    # needs are directives in the files themselves, each with its reason:
    # contrib/devstack/settings disables SC2034 ("appears unused"), because
    # its variables are read by plugin.sh, which devstack sources next into
    # the same shell. devstack's own functions and variables need nothing:
    # shellcheck does not report calls to functions it cannot see, nor
    # upper-case variables it never saw assigned.
    result = shellcheck('-x', '-s', 'bash', _id(script))
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_reports_findings(tmp_path):
    # The check above can fail: an unquoted expansion is reported.
    bad = tmp_path / 'bad.sh'
    bad.write_text('#!/usr/bin/env bash\nrm -rf $1/tmp\n')
    result = shellcheck('-s', 'bash', str(bad))
    assert result.returncode != 0
    assert 'SC2086' in result.stdout
