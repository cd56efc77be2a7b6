# shellcheck shell=bash
# Glance on $GLANCE_PORT (waitress) with a file store under $AIO_DATA: the
# container images (`docker save` archives) Nova's compute hosts load.
# Needs: common.sh, config.sh, mariadb.sh and keystone.sh sourced,
# $AIO_SECRETS loaded.

install_glance() {
    need_pip 'glance==33.*'
}

configure_glance() {
    mkdir -p "$AIO_ETC/glance" "$AIO_DATA/glance/images" \
        "$AIO_DATA/glance/staging" "$AIO_DATA/glance/tasks"
    cp "$AIO_VENV/etc/glance/glance-api-paste.ini" "$AIO_ETC/glance/"
    cat >"$AIO_ETC/glance/glance-api.conf" <<EOT
[DEFAULT]
log_file = $AIO_LOG/glance.log
enabled_backends = file:file
worker_self_reference_url = $GLANCE_URL
[database]
connection = $(db_url glance glance)
[paste_deploy]
flavor = keystone
config_file = $AIO_ETC/glance/glance-api-paste.ini
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $AIO_DATA/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $AIO_DATA/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $AIO_DATA/glance/tasks
[oslo_concurrency]
lock_path = $AIO_DATA/glance/locks
$(authtoken_section glance)
EOT
}

init_glance() {
    database_create glance glance
    keystone_register_service glance image "$GLANCE_URL" Image
    run "$AIO_LOG/glance.log" "$AIO_VENV/bin/glance-manage" \
        --config-file "$AIO_ETC/glance/glance-api.conf" db_sync
}

start_glance() {
    start_wsgi_service glance "$GLANCE_PORT" glance.wsgi.api \
        OS_GLANCE_CONFIG_DIR="$AIO_ETC/glance"
    wait_for "Glance" 60 http_up "$GLANCE_URL/versions"
}

stop_glance() {
    stop_service glance
}

cleanup_glance() {
    database_drop glance
}
