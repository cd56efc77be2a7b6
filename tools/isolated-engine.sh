#!/usr/bin/env bash
# A Docker engine set up the way a Higgins compute host should run one:
# user namespaces (a container's root is an unprivileged id on the host),
# a btrfs data root so each container's writable layer can be size-limited,
# bounded default logs, and live-restore so an engine restart keeps
# containers running. The data root is a btrfs filesystem in a loop file,
# which works on any host; production hosts would use a real partition.
#
# usage: tools/isolated-engine.sh start NAME CIDR [SIZE]   prints the socket URL
#        tools/isolated-engine.sh stop NAME                 containers are kept
#        tools/isolated-engine.sh purge NAME                stop, unmount, delete
#
# NAME names the engine's files and its bridge (at most 11 characters);
# CIDR is the bridge's address (the engine must never get `--bridge none`,
# which deletes the machine engine's docker0); SIZE is the loop file's size
# (default 8G, sparse). Idempotent; Debian 12, as root.
set -euo pipefail

cmd=${1:-}
name=${2:-}
case $cmd in start|stop|purge) ;; *) sed -n '10,12p' "$0" >&2; exit 2 ;; esac
[[ $name =~ ^[a-z0-9-]{1,11}$ ]] || { echo "bad engine name: $name" >&2; exit 2; }

state=/var/lib/higgins-engines/$name
run=/run/higgins-engines/$name
socket=$run/docker.sock
pidfile=$run/dockerd.pid
bridge=hg-$name
log=/var/log/higgins-engine-$name.log

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
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

ensure_storage() {
    command -v mkfs.btrfs >/dev/null || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq btrfs-progs
    }
    mkdir -p "$state/data"
    [ -f "$state/btrfs.img" ] || truncate -s "${1:-8G}" "$state/btrfs.img"
    blkid -t TYPE=btrfs "$state/btrfs.img" >/dev/null 2>&1 ||
        mkfs.btrfs -q "$state/btrfs.img" >/dev/null
    mountpoint -q "$state/data" || mount -o loop "$state/btrfs.img" "$state/data"
}

ensure_bridge() {
    ip link show "$bridge" >/dev/null 2>&1 || ip link add "$bridge" type bridge
    ip -4 addr show dev "$bridge" | grep -q "inet $1" ||
        ip addr add "$1" dev "$bridge"
    ip link set "$bridge" up
}

start_engine() {
    local cidr=${1:?CIDR of the engine bridge}
    if ! running; then
        ensure_storage "${2:-}"
        ensure_bridge "$cidr"
        mkdir -p "$run/exec"
        nohup dockerd --host "unix://$socket" --data-root "$state/data" \
            --exec-root "$run/exec" --pidfile "$pidfile" \
            --storage-driver btrfs --userns-remap default --live-restore \
            --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 \
            --bridge "$bridge" --iptables=false --ip-masq=false \
            >>"$log" 2>&1 &
    fi
    for _ in $(seq 60); do
        docker -H "unix://$socket" info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker -H "unix://$socket" info >/dev/null 2>&1 || {
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
        if mountpoint -q "$state/data"; then umount "$state/data"; fi
        ip link del "$bridge" 2>/dev/null || true
        rm -rf "$state" "$run"
        ;;
esac
