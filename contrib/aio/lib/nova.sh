# shellcheck shell=bash
# Nova: nova-api on $NOVA_PORT, nova-conductor and nova-scheduler (one
# process), nova-serialproxy on $SERIALPROXY_PORT, and one nova-compute per
# compute host (`higgins-aio-N`) with `compute_driver =
# higgins.HigginsDriver` on the engine of lib/engine.sh.
# One nova.conf for every service; compute host N adds compute-N.conf.
# Needs: common.sh, config.sh, mariadb.sh, rabbitmq.sh, keystone.sh and
# engine.sh sourced, $AIO_SECRETS loaded.

install_nova() {
    # websocket-client: the console tests talk to nova-serialproxy.
    need_pip 'nova==34.*' websocket-client
}

# compute_host N: the name of compute host N.
compute_host() {
    echo "higgins-aio-$1"
}

configure_nova() {
    rm -rf "$AIO_ETC/nova"  # compute-N.conf of hosts no longer wanted
    mkdir -p "$AIO_ETC/nova" "$AIO_DATA/nova"
    cp "$AIO_VENV/etc/nova/api-paste.ini" "$AIO_ETC/nova/"
    cat >"$AIO_ETC/nova/nova.conf" <<EOT
[DEFAULT]
transport_url = $(rabbit_url)
my_ip = $AIO_HOST
state_path = $AIO_DATA/nova
compute_driver = higgins.HigginsDriver
# Container hosts run many small containers per core.
initial_cpu_allocation_ratio = 16.0
initial_ram_allocation_ratio = 1.5
# A container's root disk is a quota on the engine's shared copy-on-write
# store, not space set aside: with 1.0 a 10 GB store took ten 1 GB servers,
# and a burst of 20 on two hosts lost one to NoValidHost as soon as any
# other server was running. Not initial_*: it applies to existing hosts too.
disk_allocation_ratio = 4.0
# A server is ACTIVE only once Neutron's agent wired its ports.
vif_plugging_is_fatal = true
vif_plugging_timeout = 120
# A compute host that comes back (up after down) brings its servers
# back to the state Nova has for them.
resume_guests_state_on_host_boot = true
[api]
auth_strategy = keystone
# No guest agent in a container sets an admin password: Nova should not
# hand one out.
enable_instance_password = false
[wsgi]
api_paste_config = $AIO_ETC/nova/api-paste.ini
[api_database]
connection = $(db_url nova nova_api)
[database]
connection = $(db_url nova nova)
[filter_scheduler]
# Pick at random among the two best hosts. Servers created at once are
# scheduled faster than the compute hosts' records change, so every request
# saw the same best host (the one with more free disk) and a burst of 20
# landed on one host, whose claims run one at a time.
host_subset_size = 2
# Nova's defaults, and the hints that place a server with or away from
# another (the end-to-end network tests use them).
enabled_filters = ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,SameHostFilter,DifferentHostFilter
[scheduler]
discover_hosts_in_cells_interval = 10
# One worker each keeps the all-in-one's memory small.
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $AIO_DATA/nova/locks
[oslo_policy]
policy_file = $AIO_ETC/nova/policy.yaml
[glance]
api_servers = $GLANCE_URL
[serial_console]
# Servers' consoles: users' websockets go to nova-serialproxy, which
# connects to the compute host's endpoint for the server (loopback here;
# each host's port_range is in compute-N.conf).
enabled = true
base_url = $SERIALPROXY_URL
proxyclient_address = $AIO_HOST
serialproxy_host = $AIO_HOST
serialproxy_port = $SERIALPROXY_PORT
[os_vif_ovs]
# The local socket: no OVSDB TCP listener is needed.
ovsdb_connection = unix:/var/run/openvswitch/db.sock
[higgins]
# Containers get Neutron's ports only; a server without ports has loopback.
network_mode = none
# Images that name an engine reference (the facade's image_driver=docker):
# only the busybox image the all-in-one builds on every engine itself.
image_reference_patterns = docker.io/higgins/busybox:*
$(authtoken_section nova)
$(service_auth placement nova)
$(service_auth neutron nova)
$(service_auth service_user nova)
send_service_user_token = true
EOT
    # Nova keeps server diagnostics for admins by default; here a
    # project's readers may read their own servers' (the facade's stats).
    cat >"$AIO_ETC/nova/policy.yaml" <<EOT
"os_compute_api:os-server-diagnostics": "rule:project_reader_or_admin"
EOT
    local n
    for n in $(seq 1 "$(computes)"); do
        configure_nova_compute "$n"
    done
    write_wsgi_shim nova_api nova.wsgi.osapi_compute
}

# configure_nova_compute N: host name, engine and console ports of compute
# host N.
configure_nova_compute() {
    local n=$1
    local first=$((CONSOLE_PORT_BASE + (n - 1) * CONSOLE_PORTS_PER_HOST))
    cat >"$AIO_ETC/nova/compute-$n.conf" <<EOT
[DEFAULT]
host = $(compute_host "$n")
state_path = $AIO_DATA/nova/compute-$n
instances_path = $AIO_DATA/nova/compute-$n/instances
[higgins]
engine_url = unix://$(engine_socket "$n")
[serial_console]
port_range = $first:$((first + CONSOLE_PORTS_PER_HOST))
$(nova_privsep_sections "$n")
EOT
    mkdir -p "$AIO_DATA/nova/compute-$n/instances"
}

# nova_privsep_sections N: compute host N's privileged calls go to its hub
# (start_nova), without sudo: nova-compute runs as root.
nova_privsep_sections() {
    local section
    for section in higgins_net_admin vif_plug_ovs_privileged nova_sys_admin; do
        printf '[%s]\nhelper_command = %s\n' "$section" \
            "$(privsep_hub_client "nova-compute-$1")"
    done
}

nova_manage() {
    "$AIO_VENV/bin/nova-manage" --config-file "$AIO_ETC/nova/nova.conf" "$@"
}

# init_nova: the databases, cell0 and cell1.
init_nova() {
    local db
    for db in nova_api nova nova_cell0; do
        database_create "$db" nova
    done
    keystone_register_service nova compute "$NOVA_URL" Compute
    local log=$AIO_LOG/nova-manage.log
    run "$log" nova_manage api_db sync
    run "$log" nova_manage cell_v2 map_cell0 \
        --database_connection "$(db_url nova nova_cell0)"
    # Read the whole listing first: grep -q leaving a pipe early can kill
    # nova-manage with SIGPIPE, and pipefail then reads "no cell1".
    local cells
    cells=$(nova_manage cell_v2 list_cells 2>/dev/null || true)
    if ! grep -q ' cell1 ' <<<"$cells"; then
        run "$log" nova_manage cell_v2 create_cell --name cell1
    fi
    run "$log" nova_manage db sync
}

# start_nova: every Nova service; then each compute host registers itself
# and the cell learns of it.
start_nova() {
    local n conf=(--config-file "$AIO_ETC/nova/nova.conf")
    start_wsgi_service nova-api "$NOVA_PORT" aio_nova_api_wsgi \
        OS_NOVA_CONFIG_DIR="$AIO_ETC/nova"
    # One process for both (nova_control.py says why); a cloud of an older
    # all-in-one ran each on its own.
    stop_service nova-conductor
    stop_service nova-scheduler
    start_service nova-conductor-scheduler "$AIO_VENV/bin/python" \
        "$REPO/contrib/aio/lib/nova_control.py" "${conf[@]}"
    start_service nova-serialproxy "$AIO_VENV/bin/nova-serialproxy" \
        "${conf[@]}"
    for n in $(seq 1 "$(computes)"); do
        # One process for the host's privileged calls (os-vif's, Higgins'
        # network namespaces) rather than a helper daemon for each.
        start_privsep_hub "nova-compute-$n" "$AIO_ETC/nova/nova.conf" \
            "$AIO_ETC/nova/compute-$n.conf"
        start_service "nova-compute-$n" "$AIO_VENV/bin/nova-compute" "${conf[@]}" \
            --config-file "$AIO_ETC/nova/compute-$n.conf"
    done
    wait_for "Nova API" 60 http_up "$NOVA_URL"
    wait_for "nova-serialproxy" 60 port_open "$AIO_HOST" "$SERIALPROXY_PORT"
    # shellcheck disable=SC2034  # read by fail (common.sh)
    STEP_LOG=$AIO_LOG/nova-manage.log
    local expected
    expected=$(computes)
    wait_for "$expected compute host(s)" 120 compute_hosts_up "$expected"
    run "$AIO_LOG/nova-manage.log" nova_manage cell_v2 discover_hosts
}

# port_open HOST PORT: something accepts TCP connections there.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

compute_hosts_up() {
    local up
    up=$(admin_env; openstack_cli compute service list --service nova-compute \
         -f value -c State | grep -c '^up$' || true)
    [ "$up" -ge "$1" ]
}

# stop_nova [N]: every Nova service (with N, only the nova-compute of the
# compute hosts beyond N).
stop_nova() {
    local pidfile name
    for pidfile in "$AIO_RUN"/nova-compute-*.pid; do
        [ -e "$pidfile" ] || continue
        name=$(basename "$pidfile" .pid)
        if [ "${name##*-}" -gt "${1:-0}" ]; then
            stop_service "$name"
            stop_service "privsep-$name"
        fi
    done
    [ -n "${1:-}" ] && return 0
    for name in nova-api nova-conductor-scheduler nova-serialproxy; do
        stop_service "$name"
    done
}

# nova_remove_containers: the containers of the compute hosts' servers, on
# every engine that still runs.
nova_remove_containers() {
    local n socket
    for n in $(seq 1 "$(computes)"); do
        socket=$(engine_socket "$n")
        [ -S "$socket" ] || continue
        docker -H "unix://$socket" ps -aq \
            --filter "label=$HIGGINS_LABEL_HOST=$(compute_host "$n")" |
            xargs -r docker -H "unix://$socket" rm -f >/dev/null || true
    done
}

cleanup_nova() {
    database_drop nova_api nova nova_cell0
}
