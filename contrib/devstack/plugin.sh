# shellcheck shell=bash
# Higgins devstack plugin: nova-compute with the Higgins driver over a Docker
# engine, container flavors, a busybox container image in Glance, and the
# Higgins facade (service `higgins-api`, catalog type `container`).
#
# devstack sources this file into its own shell at every phase, as
#   source plugin.sh stack|unstack|clean [install|post-config|extra|test-config]
# after ./settings. Its functions (is_service_enabled, iniset, run_process
# ...) and variables (NOVA_CONF, STACK_USER, REGION_NAME ...) are devstack's.

_XTRACE_HIGGINS=$(set +o | grep xtrace)
set -o xtrace

# Shared with the all-in-one; devstack sources this file through the
# $HIGGINS_DIR/devstack link, hence readlink.
HIGGINS_TEMPEST_FEATURES=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../tempest/disabled-features

# Served by uWSGI on its own port, outside devstack's Apache and TLS proxy.
HIGGINS_API_URL=http://$SERVICE_HOST:$HIGGINS_API_PORT

# install_higgins: the engine from the distribution, Higgins from its
# checkout (editable, so the node runs the code under $HIGGINS_DIR).
function install_higgins {
    if ! is_ubuntu; then
        die $LINENO "Higgins' plugin installs the docker.io package of Debian or Ubuntu"
    fi
    install_package docker.io busybox-static
    if is_service_enabled higgins-api; then
        setup_develop "$HIGGINS_DIR" api
        # `openstack appcontainer ...` comes with the Zun client.
        pip_install python-zunclient
    else
        setup_develop "$HIGGINS_DIR"
    fi
}

# configure_higgins_engine: a running engine whose socket nova-compute may
# open. nova-compute runs as $STACK_USER in a systemd unit, which takes the
# user's groups when it starts (after this phase); the socket is root:docker.
function configure_higgins_engine {
    if [[ ! -e /etc/docker/daemon.json ]]; then
        # Containers keep running while the engine restarts or is upgraded.
        sudo install -d /etc/docker
        echo '{"live-restore": true}' | sudo tee /etc/docker/daemon.json >/dev/null
    fi
    # Starts the engine, or makes a running one read daemon.json again.
    reload_service docker
    add_user_to_group "$STACK_USER" docker
}

# configure_higgins_compute: the driver and its options for nova-compute.
function configure_higgins_compute {
    # devstack writes nova-cpu.conf only when it starts nova-compute, as a
    # copy of nova.conf plus local.conf's [[post-config|$NOVA_CPU_CONF]]
    # sections: whatever is set in $NOVA_CPU_CONF before then is lost. So
    # these go to nova.conf, where the other Nova services ignore them.
    # configure_neutron_nova edits nova.conf in the background during this
    # phase; wait for it so the two do not overwrite each other's edits
    # (stack.sh's own wait for it later then returns at once).
    async_wait configure_neutron_nova
    iniset "$NOVA_CONF" DEFAULT compute_driver higgins.HigginsDriver
    iniset "$NOVA_CONF" DEFAULT initial_cpu_allocation_ratio \
        "$HIGGINS_CPU_ALLOCATION_RATIO"
    iniset "$NOVA_CONF" higgins engine_url "$HIGGINS_ENGINE_URL"
    iniset "$NOVA_CONF" higgins network_mode "$HIGGINS_NETWORK_MODE"
}

# create_higgins_flavors: flavors only hosts with the trait can take.
function create_higgins_flavors {
    local spec name vcpus ram disk
    for spec in $HIGGINS_FLAVORS; do
        IFS=: read -r name vcpus ram disk <<<"$spec"
        if ! openstack --os-cloud devstack-admin flavor show "$name" >/dev/null 2>&1; then
            openstack --os-cloud devstack-admin flavor create --public \
                --vcpus "$vcpus" --ram "$ram" --disk "$disk" "$name"
        fi
        openstack --os-cloud devstack-admin flavor set \
            --property "trait:$HIGGINS_CONTAINER_TRAIT=required" "$name"
    done
}

# upload_higgins_image: a busybox image built on this node (no registry is
# needed), saved by the engine and uploaded to Glance as a container image.
function upload_higgins_image {
    if openstack --os-cloud devstack-admin image show "$HIGGINS_IMAGE_NAME" >/dev/null 2>&1; then
        return 0
    fi
    local tmp
    tmp=$(mktemp -d)
    sudo "$HIGGINS_DIR/tools/build-test-image.sh" "$HIGGINS_ENGINE_IMAGE"
    sudo docker save -o "$tmp/image.tar" "$HIGGINS_ENGINE_IMAGE"
    sudo chown "$STACK_USER" "$tmp/image.tar"
    openstack --os-cloud devstack-admin image create "$HIGGINS_IMAGE_NAME" \
        --public --container-format docker --disk-format raw \
        --property hypervisor_type=docker --file "$tmp/image.tar"
    rm -rf "$tmp"
}

# configure_higgins_api: the facade behind Keystone; it calls Nova with each
# caller's token, and its service user validates those tokens.
function configure_higgins_api {
    local conf=$HIGGINS_CONF_DIR/higgins-api.conf
    sudo install -d -o "$STACK_USER" "$HIGGINS_CONF_DIR"
    iniset "$conf" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$conf" api auth_strategy keystone
    iniset "$conf" nova region_name "$REGION_NAME"
    iniset "$conf" nova interface public
    configure_keystone_authtoken_middleware "$conf" "$HIGGINS_API_SERVICE_USER"
    # higgins_api.wsgi reads the file named by HIGGINS_API_CONFIG_FILE.
    write_uwsgi_config "$HIGGINS_API_UWSGI_CONF" higgins_api.wsgi:application \
        "" "$SERVICE_LISTEN_ADDRESS:$HIGGINS_API_PORT" higgins-api
    iniset "$HIGGINS_API_UWSGI_CONF" uwsgi env "HIGGINS_API_CONFIG_FILE=$conf"
}

function register_higgins_api {
    create_service_user "$HIGGINS_API_SERVICE_USER"
    get_or_create_service higgins container "Higgins containers"
    get_or_create_endpoint container "$REGION_NAME" "$HIGGINS_API_URL/v1"
}

function start_higgins_api {
    run_process higgins-api \
        "$(which uwsgi) --procname-prefix higgins-api --ini $HIGGINS_API_UWSGI_CONF"
    if ! wait_for_service "$SERVICE_TIMEOUT" "$HIGGINS_API_URL"; then
        die $LINENO "higgins-api did not start: journalctl -u devstack@higgins-api"
    fi
}

# configure_tempest_for_higgins: what Higgins hosts cannot do (the list and
# its reasons: contrib/tempest/disabled-features, shared with the
# all-in-one), so Tempest skips it.
function configure_tempest_for_higgins {
    local feature _reason
    while read -r feature _reason; do
        iniset "$TEMPEST_CONFIG" compute-feature-enabled "$feature" False
    done < <(grep -v '^#' "$HIGGINS_TEMPEST_FEATURES")
}

# remove_higgins_containers: the containers Higgins created on this node's
# engine. Nova's database is recreated by the next stack.sh, which would
# leave them behind with no server.
function remove_higgins_containers {
    if sudo docker info >/dev/null 2>&1; then
        sudo docker ps -aq --filter "label=$HIGGINS_LABEL_MANAGED=1" |
            xargs -r sudo docker rm -f >/dev/null
    fi
}

# The container host: this node runs nova-compute.
if is_service_enabled higgins-compute && is_service_enabled n-cpu; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Higgins and the Docker engine"
        install_higgins
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring nova-compute with the Higgins driver"
        configure_higgins_engine
        configure_higgins_compute
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        if is_service_enabled glance; then
            echo_summary "Uploading the busybox container image"
            upload_higgins_image
        fi
    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        if is_service_enabled tempest; then
            configure_tempest_for_higgins
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        remove_higgins_containers
    fi

    if [[ "$1" == "clean" ]]; then
        remove_higgins_containers
        if sudo docker info >/dev/null 2>&1; then
            sudo docker rmi "$HIGGINS_ENGINE_IMAGE" >/dev/null 2>&1 || true
        fi
    fi
fi

# The flavors, on the node that runs Nova's API (whether or not it is a
# container host itself).
if is_service_enabled n-api && [[ "$1" == "stack" && "$2" == "extra" ]]; then
    echo_summary "Creating Higgins container flavors"
    create_higgins_flavors
fi

if is_service_enabled higgins-api; then
    if [[ "$1" == "stack" && "$2" == "install" ]] &&
            ! (is_service_enabled higgins-compute && is_service_enabled n-cpu); then
        echo_summary "Installing the Higgins facade"
        setup_develop "$HIGGINS_DIR" api
        pip_install python-zunclient
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring the Higgins facade"
        configure_higgins_api
        register_higgins_api
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting the Higgins facade"
        start_higgins_api
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_process higgins-api
    fi

    if [[ "$1" == "clean" ]]; then
        sudo rm -rf "$HIGGINS_CONF_DIR"
    fi
fi

$_XTRACE_HIGGINS
