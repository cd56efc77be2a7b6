#!/usr/bin/env bash
# A hardened Docker engine of its own (tools/lib/engine.sh: user namespaces,
# btrfs data root, bounded logs, live-restore) beside the machine's engine,
# for the tests that check isolation.
#
# usage: tools/isolated-engine.sh start NAME CIDR [SIZE]   prints the socket URL
#        tools/isolated-engine.sh stop NAME                 containers keep running
#        tools/isolated-engine.sh purge NAME                stop, unmount, delete
#
# NAME names the engine's files and its bridge `hg-NAME` (at most 11
# characters); CIDR is the bridge's address; SIZE is the sparse loop file's
# size (default 8G). Idempotent; Debian 12, as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib/host.sh
. "$top/tools/lib/host.sh"
# shellcheck source=tools/lib/engine.sh
. "$top/tools/lib/engine.sh"

cmd=${1:-}
name=${2:-}
case $cmd in start|stop|purge) ;; *) sed -n '6,8p' "$0" >&2; exit 2 ;; esac
[[ $name =~ ^[a-z0-9-]{1,11}$ ]] || { echo "bad engine name: $name" >&2; exit 2; }

state=/var/lib/higgins-engines/$name
run=/run/higgins-engines/$name
socket=$run/docker.sock
pidfile=$run/exec/dockerd.pid
log=/var/log/higgins-engine-$name.log

# running: this engine's dockerd is alive. A pid file left by an engine that
# died may name a pid the system has given to another process since, so the
# process must also be this engine's (its exec root).
running() {
    local pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" |
        grep -q -- "--exec-root $run/exec "
}

stop_engine() {
    running || return 0
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    echo "engine $name did not stop in 30 s" >&2
    return 1
}

start_engine() {
    local cidr=${1:?usage: start NAME CIDR [SIZE]}
    engine_ensure_key_quota
    if ! running; then
        engine_ensure_storage "$state" "${2:-8G}"
        engine_ensure_bridge "hg-$name" "$cidr"
        mkdir -p "$run/exec"
        engine_dockerd_args "$socket" "$state/data" "$run/exec" "hg-$name"
        nohup "${ENGINE_DOCKERD_ARGS[@]}" >>"$log" 2>&1 &
    fi
    for _ in $(seq 60); do
        engine_up "$socket" && break
        sleep 0.5
    done
    engine_up "$socket" || {
        echo "engine $name did not start: see $log" >&2
        exit 1
    }
    echo "unix://$socket"
}

case $cmd in
    start) start_engine "${3:-}" "${4:-}" ;;
    stop) stop_engine ;;
    purge)
        stop_engine
        engine_release_storage "$state"
        ip link del "hg-$name" 2>/dev/null || true
        rm -rf "$state" "$run"
        ;;
esac
