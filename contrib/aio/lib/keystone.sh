# shellcheck shell=bash
# Keystone on $KEYSTONE_PORT (waitress, fernet tokens): the `admin` account
# and catalog entry (keystone-manage bootstrap), the `demo` and `alt_demo`
# projects and users and their openrc files. Every other service registers
# its own service user and catalog entry with keystone_register_service.
# Needs: common.sh, config.sh and mariadb.sh sourced, $AIO_SECRETS loaded.

install_keystone() {
    need_pip 'keystone==30.*'
}

configure_keystone() {
    mkdir -p "$AIO_ETC/keystone" "$AIO_DATA/keystone/fernet-keys" \
        "$AIO_DATA/keystone/credential-keys"
    # Keystone refuses to trust keys others can read.
    chmod 700 "$AIO_DATA/keystone/fernet-keys" "$AIO_DATA/keystone/credential-keys"
    cat >"$AIO_ETC/keystone/keystone.conf" <<EOT
[DEFAULT]
log_file = $AIO_LOG/keystone.log
[database]
connection = $(db_url keystone keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $AIO_DATA/keystone/fernet-keys
[credential]
key_repository = $AIO_DATA/keystone/credential-keys
EOT
    write_wsgi_shim keystone keystone.wsgi.api
}

keystone_manage() {
    run "$AIO_LOG/keystone-setup.log" "$AIO_VENV/bin/keystone-manage" \
        --config-file "$AIO_ETC/keystone/keystone.conf" "$@"
}

# init_keystone: its database, keys, and the admin account and catalog
# entry.
init_keystone() {
    database_create keystone keystone
    keystone_manage db_sync
    [ -f "$AIO_DATA/keystone/fernet-keys/0" ] ||
        keystone_manage fernet_setup --keystone-user root --keystone-group root
    [ -f "$AIO_DATA/keystone/credential-keys/0" ] ||
        keystone_manage credential_setup --keystone-user root --keystone-group root
    keystone_manage bootstrap \
        --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-admin-url "$KEYSTONE_URL" \
        --bootstrap-public-url "$KEYSTONE_URL" \
        --bootstrap-internal-url "$KEYSTONE_URL" \
        --bootstrap-region-id RegionOne
}

start_keystone() {
    start_wsgi_service keystone "$KEYSTONE_PORT" aio_keystone_wsgi \
        OS_KEYSTONE_CONFIG_DIR="$AIO_ETC/keystone"
    wait_for "Keystone" 60 http_up "$KEYSTONE_URL"
}

stop_keystone() {
    stop_service keystone
}

cleanup_keystone() {
    database_drop keystone
}

write_openrc() {  # write_openrc FILE USER PASSWORD PROJECT
    cat >"$1" <<EOT
export OS_AUTH_URL=$KEYSTONE_URL
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$2
export OS_PASSWORD=$3
export OS_PROJECT_NAME=$4
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
EOT
    chmod 600 "$1"
}

# keystone_accounts: the roles, the `service` project, the demo projects
# and users, and an openrc file for admin and each demo user.
keystone_accounts() {
    write_openrc "$AIO_HOME/admin-openrc" admin "$ADMIN_PASSWORD" admin
    write_openrc "$AIO_HOME/demo-openrc" demo "$DEMO_PASSWORD" demo
    write_openrc "$AIO_HOME/alt_demo-openrc" alt_demo "$DEMO_PASSWORD" alt_demo
    (admin_env; run "$AIO_LOG/bootstrap.log" "$AIO_VENV/bin/python" \
        "$LIB/bootstrap.py" accounts "$DEMO_PASSWORD")
}

# keystone_register_service NAME TYPE URL DESCRIPTION: service user NAME
# (admin and service roles in the `service` project) and the catalog entry
# of TYPE at URL, unless they exist.
keystone_register_service() {
    (admin_env; run "$AIO_LOG/bootstrap.log" "$AIO_VENV/bin/python" \
        "$LIB/bootstrap.py" service "$@" "$SERVICE_PASSWORD")
}

# authtoken_section USER: keystonemiddleware settings for a service user.
authtoken_section() {
    cat <<EOT
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
EOT
}

# service_auth GROUP USER: a keystoneauth section for service-to-service calls.
service_auth() {
    cat <<EOT
[$1]
auth_type = password
auth_url = $KEYSTONE_URL
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SERVICE_PASSWORD
region_name = RegionOne
EOT
}
