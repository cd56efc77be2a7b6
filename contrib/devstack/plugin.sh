# shellcheck shell=bash
# Higgins devstack plugin: nova-compute with the Higgins driver, a Docker
# engine, container flavors and a busybox container image in Glance.
#
# devstack sources this file at every phase with the phase as arguments; its
# functions (is_service_enabled, iniset, setup_develop, ...) come from
# devstack's own libraries, which shellcheck cannot follow from here.
# shellcheck disable=SC2154

function install_higgins {
    install_package docker.io busybox-static
    setup_develop "$HIGGINS_DIR" api
    if is_service_enabled higgins-api; then
        # `openstack appcontainer ...` comes with the Zun client.
        pip_install python-zunclient
    fi
}

# configure_higgins_api: the facade behind Keystone, calling Nova with each
# caller's token; its service user validates tokens.
function configure_higgins_api {
    local conf=$HIGGINS_CONF_DIR/higgins-api.conf
    sudo install -d -o "$STACK_USER" "$HIGGINS_CONF_DIR"
    iniset "$conf" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$conf" api auth_strategy keystone
    iniset "$conf" api port "$HIGGINS_API_PORT"
    iniset "$conf" nova region_name "$REGION_NAME"
    iniset "$conf" nova interface public
    configure_keystone_authtoken_middleware "$conf" higgins
}

function register_higgins_api {
    create_service_user higgins
    get_or_create_service higgins container "Higgins containers"
    get_or_create_endpoint container "$REGION_NAME" \
        "$SERVICE_PROTOCOL://$SERVICE_HOST:$HIGGINS_API_PORT/v1"
}

function start_higgins_engine {
    if ! sudo docker info >/dev/null 2>&1; then
        start_service docker
    fi
    # nova-compute runs as the stack user and talks to the engine's socket.
    add_user_to_group "$STACK_USER" docker
    sudo chmod g+rw /var/run/docker.sock
}

function configure_higgins_compute {
    iniset "$NOVA_CPU_CONF" DEFAULT compute_driver higgins.HigginsDriver
    iniset "$NOVA_CPU_CONF" higgins engine_url unix:///var/run/docker.sock
    iniset "$NOVA_CPU_CONF" higgins network_mode "$HIGGINS_NETWORK_MODE"
}

# create_higgins_flavors: container flavors that only container hosts match.
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

# upload_higgins_image: a busybox image built on this node (no registry
# needed), saved by the engine and uploaded as a Glance container image.
function upload_higgins_image {
    if openstack --os-cloud devstack-admin image show "$HIGGINS_IMAGE_NAME" >/dev/null 2>&1; then
        return 0
    fi
    local archive
    archive=$(mktemp -d)/busybox.tar
    sudo "$HIGGINS_DIR/tools/build-test-image.sh"
    sudo docker save -o "$archive" higgins/busybox:latest
    sudo chmod a+r "$archive"
    openstack --os-cloud devstack-admin image create "$HIGGINS_IMAGE_NAME" \
        --public --container-format docker --disk-format raw \
        --property hypervisor_type=docker --file "$archive"
    rm -rf "$(dirname "$archive")"
}

function cleanup_higgins {
    # Containers this node's compute service created, and nothing else.
    sudo docker ps -aq --filter label=higgins.managed=1 |
        xargs -r sudo docker rm -f >/dev/null
}

if is_service_enabled higgins-compute; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Higgins"
        install_higgins
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring nova-compute with the Higgins driver"
        start_higgins_engine
        configure_higgins_compute
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Creating Higgins flavors and container image"
        create_higgins_flavors
        upload_higgins_image
    fi

    if [[ "$1" == "unstack" ]]; then
        cleanup_higgins
    fi
fi

if is_service_enabled higgins-api; then
    if [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring the Higgins facade"
        configure_higgins_api
        register_higgins_api
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting the Higgins facade"
        run_process higgins-api \
            "$(which higgins-api) --config-file $HIGGINS_CONF_DIR/higgins-api.conf"
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_process higgins-api
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_higgins
        sudo docker rmi -f higgins/busybox:latest >/dev/null 2>&1 || true
    fi
fi
