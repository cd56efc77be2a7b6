"""The project's shell scripts parse and pass shellcheck.

Operators run these scripts as root on their machines; shellcheck catches
the quoting and word-splitting mistakes that bite there.
"""
import pathlib
import subprocess

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]


def shell_scripts():
    scripts = set()
    for folder in ('contrib', 'tools', '.ci'):
        for path in (TOP / folder).rglob('*'):
            if not path.is_file():
                continue
            if path.suffix == '.sh' or path.read_bytes().startswith(
                    b'#!/usr/bin/env bash'):
                scripts.add(path)
    # devstack plugin files have no shebang: devstack sources them.
    scripts.update((TOP / 'contrib' / 'devstack').glob('plugin.sh'))
    scripts.update((TOP / 'contrib' / 'devstack').glob('settings'))
    return sorted(scripts)


SCRIPTS = shell_scripts()


def test_scripts_are_found():
    names = {p.relative_to(TOP).as_posix() for p in SCRIPTS}
    assert {'tools/run-tests.sh', 'contrib/aio/higgins-aio',
            '.ci/run'} <= names


@pytest.mark.parametrize('script', SCRIPTS,
                         ids=lambda p: p.relative_to(TOP).as_posix())
def test_bash_parses(script):
    result = subprocess.run(['bash', '-n', str(script)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize('script', SCRIPTS,
                         ids=lambda p: p.relative_to(TOP).as_posix())
def test_shellcheck(script):
    # -x follows `source` lines so variables set in sourced files count;
    # devstack's own libraries are not here, hence SC1090/SC1091 in the
    # plugin's directives.
    result = subprocess.run(
        ['shellcheck', '-x', '-s', 'bash', str(script.relative_to(TOP))],
        cwd=TOP, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
