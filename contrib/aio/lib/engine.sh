# shellcheck shell=bash
# The Docker engines of the compute hosts: compute host 1 uses the
# machine's engine (started if `docker info` fails, and then stopped by
# `down`); every other host N gets a dockerd of its own, with its own
# socket, data root, exec root and bridge. Each engine gets the busybox
# image, built from Debian's busybox-static (no registry is needed).
# Needs: common.sh, config.sh and tools/lib/host.sh sourced.

install_engine() {
    need_apt docker.io busybox-static iproute2
}

# engine_socket N: the engine of compute host N.
engine_socket() {
    if [ "$1" -eq 1 ]; then
        echo /var/run/docker.sock
    else
        echo "$AIO_RUN/docker-$1.sock"
    fi
}

# engine_bridge N: the bridge of the engine of compute host N (N >= 2; host
# 1 has the machine's docker0).
engine_bridge() {
    echo "higgins-br$1"
}

# ensure_bridge NAME CIDR: a Linux bridge with an address, for an engine.
ensure_bridge() {
    ip link show "$1" >/dev/null 2>&1 || ip link add "$1" type bridge
    ip -4 addr show dev "$1" | grep -q "inet $2" || ip addr add "$2" dev "$1"
    ip link set "$1" up
}

start_engine() {
    host_ensure_dockerd "$AIO_LOG/dockerd.log" start_service dockerd ||
        fail "dockerd did not come up in 30 s"
    local n
    for n in $(seq 2 "$(computes)"); do
        # The bridge must exist before the engine starts; the engine must
        # never be told `--bridge none`, which deletes the machine engine's
        # docker0.
        ensure_bridge "$(engine_bridge "$n")" "172.31.$n.1/24"
        mkdir -p "$AIO_DATA/docker-$n" "$AIO_RUN/docker-$n-exec"
        start_service "dockerd-$n" dockerd \
            --host "unix://$(engine_socket "$n")" \
            --data-root "$AIO_DATA/docker-$n" \
            --exec-root "$AIO_RUN/docker-$n-exec" \
            --pidfile "$AIO_RUN/docker-$n-exec/dockerd.pid" \
            --bridge "$(engine_bridge "$n")" --iptables=false --ip-masq=false
        wait_for "dockerd $n" 30 docker -H "unix://$(engine_socket "$n")" info
    done
    run "$AIO_LOG/image.log" "$REPO/tools/build-test-image.sh"
    for n in $(seq 2 "$(computes)"); do
        run "$AIO_LOG/image.log" "$REPO/tools/build-test-image.sh" \
            higgins/busybox:latest "unix://$(engine_socket "$n")"
    done
}

# stop_engine [N]: the engines `up` started (with N, only those of the
# compute hosts beyond N). Their containers stop with them.
stop_engine() {
    local pidfile name
    for pidfile in "$AIO_RUN"/dockerd*.pid; do
        [ -e "$pidfile" ] || continue
        name=$(basename "$pidfile" .pid)
        if [ -n "${1:-}" ]; then
            case $name in
                dockerd-*) [ "${name##*-}" -gt "$1" ] || continue ;;
                *) continue ;;
            esac
        fi
        stop_service "$name"
    done
}

cleanup_engine() {
    local n
    for n in $(seq 2 "$(computes)"); do
        ip link del "$(engine_bridge "$n")" 2>/dev/null || true
    done
}
