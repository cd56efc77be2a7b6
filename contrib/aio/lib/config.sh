# shellcheck shell=bash
# Configuration files of the all-in-one's services, rewritten on every `up`
# so a re-run always applies the current settings.
# Needs: common.sh sourced, $AIO_SECRETS loaded.

# These variables are used by the scripts that source this file.
# shellcheck disable=SC2034
KEYSTONE_URL=http://$AIO_HOST:5000/v3
GLANCE_URL=http://$AIO_HOST:9292
PLACEMENT_URL=http://$AIO_HOST:8778
FACADE_URL=http://$AIO_HOST:9517
NEUTRON_URL=http://$AIO_HOST:9696
NOVA_URL=http://$AIO_HOST:8774/v2.1

db_url() {  # db_url USER DATABASE
    echo "mysql+pymysql://$1:$DB_PASSWORD@$AIO_HOST/$2?charset=utf8"
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

write_keystone_conf() {
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
}

# write_wsgi_shim NAME MODULE [PYTHON]: a WSGI module that loads MODULE's
# application with an empty command line, then runs PYTHON. Keystone's,
# Neutron's and nova-api's applications parse sys.argv with oslo.config and
# would reject the WSGI server's arguments.
write_wsgi_shim() {
    mkdir -p "$AIO_HOME/wsgi"
    cat >"$AIO_HOME/wsgi/aio_$1_wsgi.py" <<EOT
import sys

sys.argv = sys.argv[:1]
from $2 import application  # noqa: E402,F401
${3:-}
EOT
}

write_glance_conf() {
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

write_placement_conf() {
    mkdir -p "$AIO_ETC/placement"
    cat >"$AIO_ETC/placement/placement.conf" <<EOT
[placement_database]
connection = $(db_url placement placement)
[api]
auth_strategy = keystone
$(authtoken_section placement)
EOT
}

# write_neutron_conf: Neutron's API server with ML2 and no agents. Nova asks
# Neutron about every server (ports, security groups), so the cloud needs
# its API; servers are created with no ports until Higgins plugs networks.
write_neutron_conf() {
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
transport_url = rabbit://higgins:$RABBIT_PASSWORD@$AIO_HOST:5672/
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
}

# write_facade_conf: the Higgins facade behind Keystone; it calls Nova with
# each caller's own token, found in the catalog.
write_facade_conf() {
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

# write_nova_conf: one file for every Nova service; compute hosts get their
# own small override (host name, engine socket) from write_compute_conf.
write_nova_conf() {
    mkdir -p "$AIO_ETC/nova" "$AIO_DATA/nova"
    cp "$AIO_VENV/etc/nova/api-paste.ini" "$AIO_ETC/nova/"
    cat >"$AIO_ETC/nova/nova.conf" <<EOT
[DEFAULT]
transport_url = rabbit://higgins:$RABBIT_PASSWORD@$AIO_HOST:5672/
my_ip = $AIO_HOST
state_path = $AIO_DATA/nova
compute_driver = higgins.HigginsDriver
# Container hosts run many small containers per core.
initial_cpu_allocation_ratio = 16.0
initial_ram_allocation_ratio = 1.5
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $AIO_ETC/nova/api-paste.ini
[api_database]
connection = $(db_url nova nova_api)
[database]
connection = $(db_url nova nova)
[scheduler]
discover_hosts_in_cells_interval = 10
# One worker each keeps the all-in-one's memory small.
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $AIO_DATA/nova/locks
[glance]
api_servers = $GLANCE_URL
[higgins]
# No Neutron in the all-in-one yet: containers use the engine's bridge.
network_mode = bridge
$(authtoken_section nova)
$(service_auth placement nova)
$(service_auth neutron nova)
$(service_auth service_user nova)
send_service_user_token = true
EOT
}

# write_compute_conf N: host name and engine of compute host N.
write_compute_conf() {
    local n=$1
    cat >"$AIO_ETC/nova/compute-$n.conf" <<EOT
[DEFAULT]
host = $(compute_host "$n")
state_path = $AIO_DATA/nova/compute-$n
instances_path = $AIO_DATA/nova/compute-$n/instances
[higgins]
engine_url = unix://$(engine_socket "$n")
EOT
    mkdir -p "$AIO_DATA/nova/compute-$n/instances"
}

# Bridge of the engine of compute host N (N >= 2; host 1 has docker0).
engine_bridge() {
    echo "higgins-br$1"
}

compute_host() {
    echo "higgins-aio-$1"
}

# Compute host 1 uses the machine's engine; others get their own dockerd.
engine_socket() {
    if [ "$1" -eq 1 ]; then
        echo /var/run/docker.sock
    else
        echo "$AIO_RUN/docker-$1.sock"
    fi
}
