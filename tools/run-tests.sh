#!/usr/bin/env bash
# The Higgins test command: installs what the tests need on a Debian 12 host
# (as root) and runs every test suite against the real Docker engine.
# Idempotent: what is already there is left alone. Extra arguments go to
# pytest, e.g. `tools/run-tests.sh higgins_virt/tests/unit -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
venv=${HIGGINS_VENV:-$top/.venv}

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
need=()
for pkg in docker.io busybox-static python3-venv python3-dev gcc shellcheck; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

step "Docker engine"
if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd (log: /var/log/higgins-dockerd.log)"
    nohup dockerd >/var/log/higgins-dockerd.log 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker info >/dev/null 2>&1 || {
        echo "dockerd did not start: see /var/log/higgins-dockerd.log" >&2
        exit 1
    }
fi
docker version --format 'engine {{.Server.Version}}'

step "Python environment ($venv)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp=$venv/.higgins-installed
want=$(sha256sum < setup.py | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e ".[test,api]"
    echo "$want" > "$stamp"
fi

step "Test image"
tools/build-test-image.sh

step "Style"
"$venv/bin/flake8"

step "Tests"
exec "$venv/bin/python" -m pytest "$@"
