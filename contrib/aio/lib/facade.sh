# shellcheck shell=bash
# The Higgins facade (higgins-api) on $FACADE_PORT (waitress), behind
# Keystone: catalog type `container`, service user `higgins`; it calls Nova
# with each caller's own token, found in the catalog.
# Needs: common.sh, config.sh and keystone.sh sourced, $AIO_SECRETS loaded.

install_facade() {
    # The facade itself comes with Higgins (`pip install -e .[api]`); the
    # Zun client is `openstack appcontainer`.
    need_pip python-zunclient
}

configure_facade() {
    mkdir -p "$AIO_ETC/higgins"
    cat >"$AIO_ETC/higgins/higgins-api.conf" <<EOT
[DEFAULT]
log_file = $AIO_LOG/higgins-api.log
[api]
auth_strategy = keystone
[nova]
region_name = RegionOne
interface = public
$(authtoken_section higgins)
EOT
}

init_facade() {
    keystone_register_service higgins container "$FACADE_URL/v1" \
        "Higgins containers"
}

start_facade() {
    start_wsgi_service higgins-api "$FACADE_PORT" higgins_api.wsgi \
        HIGGINS_API_CONFIG_FILE="$AIO_ETC/higgins/higgins-api.conf"
    wait_for "Higgins facade" 60 http_up "$FACADE_URL"
}

stop_facade() {
    stop_service higgins-api
}
