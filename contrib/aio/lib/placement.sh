# shellcheck shell=bash
# Placement on $PLACEMENT_PORT (waitress): the inventories and traits Nova's
# compute hosts report (the container trait among them).
# Needs: common.sh, config.sh, mariadb.sh and keystone.sh sourced,
# $AIO_SECRETS loaded.

install_placement() {
    need_pip 'openstack-placement==16.*'
}

configure_placement() {
    mkdir -p "$AIO_ETC/placement"
    cat >"$AIO_ETC/placement/placement.conf" <<EOT
[placement_database]
connection = $(db_url placement placement)
[api]
auth_strategy = keystone
$(authtoken_section placement)
EOT
}

init_placement() {
    database_create placement placement
    keystone_register_service placement placement "$PLACEMENT_URL" Placement
    run "$AIO_LOG/placement.log" "$AIO_VENV/bin/placement-manage" \
        --config-file "$AIO_ETC/placement/placement.conf" db sync
}

start_placement() {
    start_wsgi_service placement "$PLACEMENT_PORT" placement.wsgi.api \
        OS_PLACEMENT_CONFIG_DIR="$AIO_ETC/placement"
    wait_for "Placement" 60 http_up "$PLACEMENT_URL"
}

stop_placement() {
    stop_service placement
}

cleanup_placement() {
    database_drop placement
}
