# shellcheck shell=bash
# The Docker engines of the compute hosts: every host N gets a hardened
# engine of its own (tools/lib/engine.sh: user namespaces, a btrfs data root
# in a loop file so flavors' root disks are enforced, bounded logs,
# live-restore so `down` keeps containers running), with its own socket,
# data root, exec root and bridge. Each engine gets the busybox image,
# built from Debian's busybox-static (no registry is needed). The machine's
# own engine is not used.
# Needs: common.sh, config.sh, tools/lib/host.sh and tools/lib/engine.sh
# sourced.

# Size of each engine's (sparse) loop file: the host's DISK_GB inventory.
AIO_ENGINE_DISK=${AIO_ENGINE_DISK:-10G}

install_engine() {
    need_apt docker.io busybox-static iproute2 btrfs-progs
}

# engine_socket N: the engine of compute host N.
engine_socket() {
    echo "$AIO_RUN/docker-$1.sock"
}

# engine_bridge N: the bridge of the engine of compute host N.
engine_bridge() {
    echo "higgins-br$1"
}

start_engine() {
    local n
    engine_ensure_key_quota
    for n in $(seq 1 "$(computes)"); do
        engine_ensure_storage "$AIO_DATA/engine-$n" "$AIO_ENGINE_DISK"
        engine_ensure_bridge "$(engine_bridge "$n")" "172.31.$n.1/24"
        mkdir -p "$AIO_RUN/docker-$n-exec"
        engine_dockerd_args "$(engine_socket "$n")" "$AIO_DATA/engine-$n/data" \
            "$AIO_RUN/docker-$n-exec" "$(engine_bridge "$n")"
        start_service "dockerd-$n" "${ENGINE_DOCKERD_ARGS[@]}"
        wait_for "dockerd $n" 30 engine_up "$(engine_socket "$n")"
        run "$AIO_LOG/image.log" "$REPO/tools/build-test-image.sh" \
            higgins/busybox:latest "unix://$(engine_socket "$n")"
    done
}

# stop_engine [N]: the engines of every compute host (with N, only those
# beyond N). Containers keep running (live-restore); the next start finds
# them again.
stop_engine() {
    local pidfile name
    for pidfile in "$AIO_RUN"/dockerd-*.pid; do
        [ -e "$pidfile" ] || continue
        name=$(basename "$pidfile" .pid)
        [ -n "${1:-}" ] && [ "${name##*-}" -le "$1" ] && continue
        stop_service "$name"
    done
}

cleanup_engine() {
    local dir mnt
    for dir in "$AIO_DATA"/engine-*; do
        [ -d "$dir" ] || continue
        engine_release_storage "$dir"
        ip link del "$(engine_bridge "${dir##*-}")" 2>/dev/null || true
    done
    # An engine stopped with containers still known (live-restore) leaves
    # their network namespaces bind-mounted under its exec root; purge has
    # to release them before it can remove the directory.
    for dir in "$AIO_RUN"/docker-*-exec; do
        [ -d "$dir" ] || continue
        while read -r mnt; do
            umount -l "$mnt" || true
        done < <(findmnt -rn -o TARGET | grep "^$dir/" || true)
    done
}
