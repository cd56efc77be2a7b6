# shellcheck shell=bash
# RabbitMQ, from Debian: the message bus of Nova and Neutron, with one
# account (`higgins`) for the cloud. The machine's service: `down` leaves it
# running; `purge` removes the account.
# Needs: common.sh and config.sh sourced, $AIO_SECRETS loaded.

install_rabbitmq() {
    need_apt rabbitmq-server
}

start_rabbitmq() {
    rabbitmqctl -q status >/dev/null 2>&1 || run "$AIO_LOG/databases.log" service rabbitmq-server start
    wait_for "RabbitMQ" 60 rabbitmqctl -q status
}

# init_rabbitmq: the cloud's account, with the password of $AIO_SECRETS.
init_rabbitmq() {
    if ! rabbitmqctl -q list_users | grep -q '^higgins'; then
        run "$AIO_LOG/databases.log" rabbitmqctl add_user higgins "$RABBIT_PASSWORD"
    fi
    run "$AIO_LOG/databases.log" rabbitmqctl change_password higgins "$RABBIT_PASSWORD"
    run "$AIO_LOG/databases.log" rabbitmqctl set_permissions higgins '.*' '.*' '.*'
}

# rabbit_url: oslo.messaging's transport_url for the cloud's account.
rabbit_url() {
    echo "rabbit://higgins:$RABBIT_PASSWORD@$AIO_HOST:$RABBIT_PORT/"
}

cleanup_rabbitmq() {
    if rabbitmqctl -q status >/dev/null 2>&1; then
        rabbitmqctl -q delete_user higgins >/dev/null 2>&1 || true
    fi
}
