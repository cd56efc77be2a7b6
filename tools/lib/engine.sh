# shellcheck shell=bash
# A Docker engine set up the way a Higgins compute host should run one,
# shared by tools/isolated-engine.sh (the test command's hardened engine)
# and the all-in-one's compute hosts (contrib/aio/lib/engine.sh):
# - user namespaces: a container's root is an unprivileged id on the host;
# - a btrfs data root, so each container's writable layer can be limited to
#   its flavor's disk (here a loop file, which works on any host; production
#   hosts would give the engine a real btrfs, zfs or xfs-pquota partition);
# - bounded default logs, and live-restore, so that stopping or upgrading
#   the engine keeps containers running;
# - a bridge of its own: an engine must never be told `--bridge none`, which
#   deletes the machine engine's docker0.
#
# Sourced, not run; needs tools/lib/host.sh. Debian 12, as root.

# engine_ensure_storage DIR SIZE: a btrfs filesystem in DIR/btrfs.img (a
# sparse file of SIZE), mounted on DIR/data.
engine_ensure_storage() {
    local dir=$1 size=$2
    host_install_packages btrfs-progs
    mkdir -p "$dir/data"
    [ -f "$dir/btrfs.img" ] || truncate -s "$size" "$dir/btrfs.img"
    blkid -t TYPE=btrfs "$dir/btrfs.img" >/dev/null 2>&1 ||
        mkfs.btrfs -q "$dir/btrfs.img" >/dev/null
    mountpoint -q "$dir/data" || mount -o loop "$dir/btrfs.img" "$dir/data"
}

# engine_release_storage DIR: unmount what engine_ensure_storage mounted.
# Lazily: an engine's own mounts below it go with it.
engine_release_storage() {
    if mountpoint -q "$1/data"; then umount -l "$1/data"; fi
}

# engine_ensure_bridge NAME CIDR: a Linux bridge with an address.
engine_ensure_bridge() {
    ip link show "$1" >/dev/null 2>&1 || ip link add "$1" type bridge
    ip -4 addr show dev "$1" | grep -q "inet $2" || ip addr add "$2" dev "$1"
    ip link set "$1" up
}

# Kernel keys for this many containers on the machine (see below).
ENGINE_KEYS_FOR=${ENGINE_KEYS_FOR:-10000}

# engine_ensure_key_quota: room in the kernel's key quota for
# $ENGINE_KEYS_FOR containers. runc gives every container a session
# keyring, charged to the container's root as the host sees it; with user
# namespaces that is the same host uid (100000) for every container of
# every engine on the machine, and the kernel allows a non-root uid 200
# keys (kernel.keys.maxkeys) of 20000 bytes (maxbytes) by default. The
# 200th container of the machine then fails to start ("unable to create
# session key: disk quota exceeded"). A key took 70 bytes here; 100 are
# allowed each. Only ever raises the limits; persists them in
# /etc/sysctl.d for the next boot.
engine_ensure_key_quota() {
    local keys=$ENGINE_KEYS_FOR bytes=$((ENGINE_KEYS_FOR * 100))
    local name value
    for name in maxkeys:$keys maxbytes:$bytes; do
        value=${name#*:}
        name=${name%%:*}
        # Written to /proc directly: minimal hosts lack procps' sysctl.
        [ "$(cat "/proc/sys/kernel/keys/$name")" -ge "$value" ] ||
            echo "$value" 2>/dev/null >"/proc/sys/kernel/keys/$name" ||
            echo "warning: kernel.keys.$name could not be raised to" \
                "$value: this machine starts fewer containers" >&2
    done
    if [ -d /etc/sysctl.d ]; then
        printf '%s\n' \
            "# Higgins: session keyrings of user-namespaced containers" \
            "kernel.keys.maxkeys = $(cat /proc/sys/kernel/keys/maxkeys)" \
            "kernel.keys.maxbytes = $(cat /proc/sys/kernel/keys/maxbytes)" \
            >/etc/sysctl.d/60-higgins-engine.conf
    fi
}

# engine_dockerd_args SOCKET DATA_ROOT EXEC_ROOT BRIDGE: the hardened
# engine's command line, in the array ENGINE_DOCKERD_ARGS.
engine_dockerd_args() {
    # shellcheck disable=SC2034  # read by the caller
    ENGINE_DOCKERD_ARGS=(
        dockerd --host "unix://$1" --data-root "$2" --exec-root "$3"
        --pidfile "$3/dockerd.pid"
        --storage-driver btrfs --userns-remap default --live-restore
        --log-driver json-file --log-opt max-size=10m --log-opt max-file=3
        --bridge "$4" --iptables=false --ip-masq=false
    )
}

# engine_up SOCKET: whether the engine at SOCKET answers.
engine_up() {
    docker -H "unix://$1" info >/dev/null 2>&1
}
