# shellcheck shell=bash
# What a Higgins host needs before anything of Higgins runs, shared by the
# test command (tools/run-tests.sh) and the all-in-one (contrib/aio): Debian
# packages, a Docker engine that answers, a Python virtual environment.
#
# Sourced, not run. Every function is idempotent: what is already there is
# left alone. Debian 12, as root.

# host_install_packages PKG...: apt-get install those of PKG that are not
# installed (apt-get update first, only when something is missing).
host_install_packages() {
    local pkg need=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    [ ${#need[@]} -gt 0 ] || return 0
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
}

# host_docker_up: whether the machine's engine answers.
host_docker_up() {
    docker info >/dev/null 2>&1
}

# host_ensure_dockerd LOG [LAUNCHER...]: unless `docker info` answers, start
# the machine's dockerd, then wait up to 30 s for it. LAUNCHER runs it
# (`LAUNCHER... dockerd`); without one it runs in the background, its output
# appended to LOG. Fails when the engine does not answer in time.
host_ensure_dockerd() {
    local log=$1
    shift
    host_docker_up && return 0
    if [ $# -gt 0 ]; then
        "$@" dockerd
    else
        nohup dockerd >>"$log" 2>&1 &
    fi
    local _
    for _ in $(seq 60); do
        host_docker_up && return 0
        sleep 0.5
    done
    host_docker_up
}

# host_ensure_venv DIR: a Python virtual environment at DIR.
host_ensure_venv() {
    [ -x "$1/bin/python" ] || python3 -m venv "$1"
}

# host_venv_current DIR STAMP DIGEST: whether DIR was last installed for
# DIGEST (kept in DIR/STAMP by host_venv_mark).
host_venv_current() {
    [ "$(cat "$1/$2" 2>/dev/null)" = "$3" ]
}

# host_venv_mark DIR STAMP DIGEST: DIR is now installed for DIGEST.
host_venv_mark() {
    echo "$3" >"$1/$2"
}
