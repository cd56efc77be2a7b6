# shellcheck shell=bash
# Neutron's API on $NEUTRON_PORT (gunicorn), ML2 with no agents. Nova asks
# Neutron about every server (ports, security groups), so the cloud needs
# its API; servers are created with no ports until Higgins plugs networks.
# Needs: common.sh, config.sh, mariadb.sh, rabbitmq.sh and keystone.sh
# sourced, $AIO_SECRETS loaded.

install_neutron() {
    need_pip 'neutron==29.*'
}

configure_neutron() {
    mkdir -p "$AIO_ETC/neutron/plugins/ml2" "$AIO_DATA/neutron"
    cp "$AIO_VENV/etc/neutron/api-paste.ini" "$AIO_ETC/neutron/"
    cat >"$AIO_ETC/neutron/neutron.conf" <<EOT
[DEFAULT]
log_file = $AIO_LOG/neutron.log
core_plugin = ml2
service_plugins =
auth_strategy = keystone
api_paste_config = $AIO_ETC/neutron/api-paste.ini
state_path = $AIO_DATA/neutron
transport_url = $(rabbit_url)
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = $(db_url neutron neutron)
[oslo_concurrency]
lock_path = $AIO_DATA/neutron/locks
$(authtoken_section neutron)
EOT
    cat >"$AIO_ETC/neutron/plugins/ml2/ml2_conf.ini" <<EOT
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers =
extension_drivers = port_security
EOT
    # Neutron's port queries use relationships that only exist once every
    # model is mapped; with no service plugins nothing maps them up front.
    write_wsgi_shim neutron neutron.wsgi.api \
        'import sqlalchemy.orm; sqlalchemy.orm.configure_mappers()'
}

init_neutron() {
    database_create neutron neutron
    keystone_register_service neutron network "$NEUTRON_URL" Networking
    run "$AIO_LOG/neutron-setup.log" "$AIO_VENV/bin/neutron-db-manage" \
        --config-file "$AIO_ETC/neutron/neutron.conf" \
        --config-file "$AIO_ETC/neutron/plugins/ml2/ml2_conf.ini" upgrade heads
}

start_neutron() {
    start_wsgi_service neutron "$NEUTRON_PORT" aio_neutron_wsgi \
        OS_NEUTRON_CONFIG_DIR="$AIO_ETC/neutron"
    wait_for "Neutron" 60 http_up "$NEUTRON_URL"
}

stop_neutron() {
    stop_service neutron
}

cleanup_neutron() {
    database_drop neutron
}
