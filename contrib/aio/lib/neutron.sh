# shellcheck shell=bash
# Neutron: the API on $NEUTRON_PORT, which also serves the RPC its agents
# call, one Open vSwitch agent per compute host and an L3 agent on host 1.
#
# ML2 with the `openvswitch` mechanism driver on lib/ovs.sh's bridges:
# tenant networks are VLANs of physnet `tenant` (host N's br-phys-N, all
# patched into one switch bridge), the external network is the flat physnet
# `public` (br-ex, on host 1 only). Every agent carries its compute host's
# name and its own integration bridge (br-int-N, reported to the server, so
# each port's binding names the bridge of the host it is bound to), and the
# `openvswitch` firewall driver enforces security groups with the userspace
# datapath's conntrack. No DHCP agent: Higgins configures every address
# itself, so subnets are created without DHCP.
# Needs: common.sh, config.sh, mariadb.sh, rabbitmq.sh, keystone.sh and
# ovs.sh sourced, $AIO_SECRETS loaded.

install_neutron() {
    need_pip 'neutron==29.*'
    # The OVS agent clears a port's connection-tracking state with it.
    need_apt conntrack
}

# The agents run as root already: no sudo or rootwrap in front of their
# commands (root_helper is empty), and the venv's tools are on their PATH.
neutron_agent_env() {
    echo "PATH=$AIO_VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

# neutron_privsep_sections HELPER...: how an agent starts its privsep
# helpers: the command HELPER, without sudo (an empty root_helper leaves
# oslo.privsep's default, sudo, in place).
neutron_privsep_sections() {
    local section
    for section in privsep privsep_dhcp_release privsep_ovs_vsctl \
            privsep_namespace privsep_conntrack privsep_link; do
        printf '[%s]\nhelper_command = %s\n' "$section" "$*"
    done
}

# neutron_privsep_helper INI: the venv's privsep helper for the agent that
# reads neutron.conf and INI.
neutron_privsep_helper() {
    echo "$AIO_VENV/bin/privsep-helper" \
        "--config-file $AIO_ETC/neutron/neutron.conf --config-file $1"
}

configure_neutron() {
    mkdir -p "$AIO_ETC/neutron/plugins/ml2" "$AIO_DATA/neutron"
    cp "$AIO_VENV/etc/neutron/api-paste.ini" "$AIO_ETC/neutron/"
    cat >"$AIO_ETC/neutron/neutron.conf" <<EOT
[DEFAULT]
log_file = $AIO_LOG/neutron.log
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
api_paste_config = $AIO_ETC/neutron/api-paste.ini
state_path = $AIO_DATA/neutron
transport_url = $(rabbit_url)
# Nova waits for network-vif-plugged before it calls a server ACTIVE.
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
# Events go to Nova at once; those that come while a batch is out wait for
# the next one, 2 s later by default: a boot waits on its port's.
send_events_interval = 1
[database]
connection = $(db_url neutron neutron)
[oslo_concurrency]
lock_path = $AIO_DATA/neutron/locks
[agent]
root_helper =
$(authtoken_section neutron)
$(service_auth nova neutron)
EOT
    cat >"$AIO_ETC/neutron/plugins/ml2/ml2_conf.ini" <<EOT
[ml2]
type_drivers = flat,vlan
tenant_network_types = vlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vlan]
network_vlan_ranges = tenant:100:199
[securitygroup]
firewall_driver = openvswitch
enable_security_group = true
EOT
    local n
    for n in $(seq 1 "$(computes)"); do
        configure_neutron_ovs_agent "$n"
    done
    cat >"$AIO_ETC/neutron/l3_agent.ini" <<EOT
[DEFAULT]
host = $(compute_host 1)
log_file = $AIO_LOG/neutron-l3-agent.log
interface_driver = openvswitch
# The router's ends are veth pairs: an OVS internal port of the userspace
# datapath stops working once moved into the router's namespace.
ovs_use_veth = true
enable_metadata_proxy = false
[ovs]
integration_bridge = $(ovs_int_bridge 1)
ovsdb_connection = unix:/var/run/openvswitch/db.sock
[agent]
root_helper =
# Its privileged calls go to its hub (start_neutron).
$(neutron_privsep_sections "$(privsep_hub_client neutron-l3-agent)")
EOT
    # Neutron's port queries use relationships that only exist once every
    # model is mapped; with no service plugins nothing maps them up front.
    # The API's process also serves the RPC the agents call, state reports
    # included, in threads of its own (what neutron-rpc-server would start;
    # its rpc_workers options are not read): a process of its own would
    # hold a second copy of Neutron, about 180 MiB resident.
    write_wsgi_shim neutron neutron.wsgi.api "$(cat <<'EOT'
import sqlalchemy.orm; sqlalchemy.orm.configure_mappers()
from neutron_lib.plugins import directory
from neutron import service
service.RpcWorker(directory.get_plugins().values(),
                  worker_process_count=0).start()
EOT
)"
}

# configure_neutron_ovs_agent N: the OVS agent of compute host N.
configure_neutron_ovs_agent() {
    local n=$1 mappings
    mappings="tenant:$(ovs_phys_bridge "$n")"
    # Only host 1 runs the router, so only it needs the external network.
    [ "$n" -eq 1 ] && mappings="$mappings,public:$OVS_EX_BRIDGE"
    # shellcheck disable=SC2094  # the helper is told the file's name only
    cat >"$AIO_ETC/neutron/ovs-agent-$n.ini" <<EOT
[DEFAULT]
host = $(compute_host "$n")
log_file = $AIO_LOG/neutron-ovs-agent-$n.log
[ovs]
integration_bridge = $(ovs_int_bridge "$n")
bridge_mappings = $mappings
datapath_type = netdev
ovsdb_connection = unix:/var/run/openvswitch/db.sock
of_listen_port = $((OVS_OF_PORT_BASE + n))
[agent]
tunnel_types =
root_helper =
# How often the agent looks for new ports (2 s by default): a boot waits
# for its port to be wired.
polling_interval = 1
[securitygroup]
firewall_driver = openvswitch
enable_security_group = true
$(neutron_privsep_sections "$(neutron_privsep_helper \
    "$AIO_ETC/neutron/ovs-agent-$n.ini")")
EOT
}

init_neutron() {
    database_create neutron neutron
    keystone_register_service neutron network "$NEUTRON_URL" Networking
    run "$AIO_LOG/neutron-setup.log" "$AIO_VENV/bin/neutron-db-manage" \
        --config-file "$AIO_ETC/neutron/neutron.conf" \
        --config-file "$AIO_ETC/neutron/plugins/ml2/ml2_conf.ini" upgrade heads
}

start_neutron() {
    local n conf=(--config-file "$AIO_ETC/neutron/neutron.conf")
    start_wsgi_service neutron "$NEUTRON_PORT" aio_neutron_wsgi \
        OS_NEUTRON_CONFIG_DIR="$AIO_ETC/neutron"
    # The API serves the agents' RPC (configure_neutron says why); a cloud
    # of an older all-in-one ran neutron-rpc-server.
    stop_service neutron-rpc-server
    for n in $(seq 1 "$(computes)"); do
        # Its privileged calls in-process: one_process.py says why this
        # agent may and the L3 agent may not.
        # shellcheck disable=SC2046
        start_service "neutron-ovs-agent-$n" env "$(neutron_agent_env)" \
            $(one_process --privileged-calls-here neutron-openvswitch-agent) \
            "${conf[@]}" --config-file "$AIO_ETC/neutron/ovs-agent-$n.ini"
    done
    # The L3 agent's privileged calls enter namespaces: they go to a process
    # of their own, one for all its contexts.
    start_privsep_hub neutron-l3-agent "$AIO_ETC/neutron/neutron.conf" \
        "$AIO_ETC/neutron/l3_agent.ini"
    # shellcheck disable=SC2046
    start_service neutron-l3-agent env "$(neutron_agent_env)" \
        $(one_process neutron-l3-agent) "${conf[@]}" \
        --config-file "$AIO_ETC/neutron/l3_agent.ini"
    wait_for "Neutron" 60 http_up "$NEUTRON_URL"
    # shellcheck disable=SC2034  # read by fail (common.sh)
    STEP_LOG=$AIO_LOG/neutron-ovs-agent-1.log
    wait_for "$(($(computes) + 1)) Neutron agents" 120 neutron_agents_up \
        $(($(computes) + 1))
}

# neutron_agents_up COUNT: at least COUNT agents report alive.
neutron_agents_up() {
    local alive
    alive=$(admin_env; openstack_cli network agent list -f value -c Alive |
            grep -c '^True$' || true)
    [ "$alive" -ge "$1" ]
}

# neutron_agents: the agents, alive or not, and their hosts (for status).
neutron_agents() {
    (admin_env; openstack_cli network agent list \
        -c 'Agent Type' -c Host -c Alive -c State 2>/dev/null || true)
}

# stop_neutron [N]: every Neutron service (with N, only the OVS agents of
# the compute hosts beyond N).
stop_neutron() {
    local pidfile name
    for pidfile in "$AIO_RUN"/neutron-ovs-agent-*.pid; do
        [ -e "$pidfile" ] || continue
        name=$(basename "$pidfile" .pid)
        [ "${name##*-}" -gt "${1:-0}" ] && stop_service "$name"
    done
    [ -n "${1:-}" ] && return 0
    for name in neutron-l3-agent privsep-neutron-l3-agent neutron; do
        stop_service "$name"
    done
}

cleanup_neutron() {
    database_drop neutron
}
