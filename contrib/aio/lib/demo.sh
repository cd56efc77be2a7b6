# shellcheck shell=bash
# What `up` puts in the cloud for a first try: the default container flavors
# of higgins_common/contract.py (each requiring the container trait) and
# quotas for the demo projects, the busybox image in Glance, then one
# container booted through Nova (`aio-demo`) and one run through the facade
# (`aio-facade-demo`), both as `demo`.
# Needs: common.sh, config.sh (load_contract called) and keystone.sh
# sourced.

# What the demo container runs (the metadata contract of
# docs/container-metadata.md).
# shellcheck disable=SC2016  # $(hostname) is for the container's shell
DEMO_COMMAND='["sh", "-c", "echo Hello from a Higgins container on $(hostname); sleep 1000000"]'

# init_demo: the flavors, quotas, image, and the networks: `public`
# (external) and, for demo and alt_demo each, `private` with a router.
init_demo() {
    local archive=$AIO_DATA/busybox.tar
    [ -s "$archive" ] || run "$AIO_LOG/bootstrap.log" \
        docker -H "unix://$(engine_socket 1)" save -o "$archive" higgins/busybox:latest
    (admin_env
     run "$AIO_LOG/bootstrap.log" "$AIO_VENV/bin/python" "$LIB/bootstrap.py" image "$archive"
     run "$AIO_LOG/bootstrap.log" "$AIO_VENV/bin/python" "$LIB/bootstrap.py" flavors
     run "$AIO_LOG/bootstrap.log" "$AIO_VENV/bin/python" "$LIB/bootstrap.py" networks)
}

# demo_server_id: the demo project's aio-demo server, if there is one.
demo_server_id() {
    openstack_cli server list --name '^aio-demo$' -f value -c ID | head -n1
}

# demo_flavor: the smallest default flavor (the contract lists it first).
demo_flavor() {
    echo "${HIGGINS_DEFAULT_FLAVORS%%:*}"
}

# start_demo_server: aio-demo, unless it exists: then it is started if it
# is stopped, and made anew if it failed.
start_demo_server() {
    local id status
    id=$(demo_env; demo_server_id)
    if [ -n "$id" ]; then
        status=$(demo_env; openstack_cli server show "$id" -f value -c status)
        case $status in
            SHUTOFF)
                (demo_env; run "$AIO_LOG/demo.log" "$AIO_VENV/bin/openstack" \
                    server start "$id")
                wait_for "aio-demo to start" 120 demo_server_active "$id" ;;
            ERROR)
                (demo_env; run "$AIO_LOG/demo.log" "$AIO_VENV/bin/openstack" \
                    server delete --wait "$id")
                id= ;;
        esac
    fi
    if [ -z "$id" ]; then
        (demo_env; run "$AIO_LOG/demo.log" "$AIO_VENV/bin/openstack" server create \
            --flavor "$(demo_flavor)" --image busybox --network private \
            --property "higgins:command=$DEMO_COMMAND" --wait aio-demo)
    fi
}

demo_server_active() {
    [ "$(demo_env; openstack_cli server show "$1" -f value -c status)" = ACTIVE ]
}

# show_demo_server: aio-demo's status as Nova and as the engine see it,
# its addresses and console output.
show_demo_server() {
    (
        local id host socket state
        demo_env
        id=$(demo_server_id)
        host=$(admin_env; openstack_cli server show "$id" -f value \
               -c OS-EXT-SRV-ATTR:host)
        socket=$(engine_socket "${host##*-}")
        # An engine that is down (its host left by a smaller `up
        # --computes`) answers nothing, which is what is reported.
        state=$(docker -H "unix://$socket" ps -a \
                --filter "label=$HIGGINS_LABEL_INSTANCE=$id" \
                --format '{{.State}}' 2>/dev/null | head -n1 || true)
        if [ ! -S "$socket" ]; then
            state="nothing (its engine is not running)"
        fi
        echo "aio-demo ($id) on $host: Nova says" \
            "$(openstack_cli server show "$id" -f value -c status)," \
            "the engine says ${state:-no container}"
        echo "addresses: $(openstack_cli server show "$id" -f value -c addresses)"
        # The console of a host that is down would wait out an RPC timeout.
        [ -S "$socket" ] || exit 0
        echo "console:"
        openstack_cli console log show "$id" | sed 's/^/  /' ||
            echo "  (no console output: see 'openstack server show $id')"
    )
}

# start_demo_container: aio-facade-demo, unless it exists; waits for it to
# run.
start_demo_container() {
    (demo_env; run "$AIO_LOG/demo.log" "$AIO_VENV/bin/python" \
        "$LIB/bootstrap.py" facade-demo)
}

# show_demo_container: aio-facade-demo's status and logs.
show_demo_container() {
    (demo_env; "$AIO_VENV/bin/python" "$LIB/bootstrap.py" facade-show)
}
