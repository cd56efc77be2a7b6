#!/usr/bin/env bash
# The Higgins test command: installs what the tests need on a Debian 12 host
# (as root) and runs every test suite against the real Docker engine.
# Idempotent: what is already there is left alone. Extra arguments go to
# pytest, e.g. `tools/run-tests.sh higgins_virt/tests/unit -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
venv=${HIGGINS_VENV:-$top/.venv}
# shellcheck source=tools/lib/host.sh
. tools/lib/host.sh

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
host_install_packages docker.io busybox-static python3-venv python3-dev gcc shellcheck

step "Docker engine"
dockerd_log=/var/log/higgins-dockerd.log
host_docker_up || echo "starting dockerd (log: $dockerd_log)"
host_ensure_dockerd "$dockerd_log" || {
    echo "dockerd did not start: see $dockerd_log" >&2
    exit 1
}
docker version --format 'engine {{.Server.Version}}'

step "Python environment ($venv)"
host_ensure_venv "$venv"
want=$(sha256sum < setup.py | cut -d' ' -f1)
if ! host_venv_current "$venv" .higgins-installed "$want"; then
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e ".[test,api]"
    host_venv_mark "$venv" .higgins-installed "$want"
fi

step "Open vSwitch (userspace datapath, for the network tests)"
tools/start-ovs.sh

step "Hardened engine for the isolation tests (user namespaces, btrfs)"
# Its own bridge and subnet: the all-in-one's engines use 172.31.N.0/24.
HIGGINS_ISOLATED_ENGINE_URL=$(tools/isolated-engine.sh start tests 172.31.250.1/24)
export HIGGINS_ISOLATED_ENGINE_URL
echo "$HIGGINS_ISOLATED_ENGINE_URL"

step "Test image"
tools/build-test-image.sh
tools/build-test-image.sh higgins/busybox:latest "$HIGGINS_ISOLATED_ENGINE_URL"

step "Style"
"$venv/bin/flake8"

step "Tests"
exec "$venv/bin/python" -m pytest "$@"
