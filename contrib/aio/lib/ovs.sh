# shellcheck shell=bash
# Open vSwitch for the all-in-one's networks: Debian's openvswitch-switch,
# started by tools/start-ovs.sh (idempotent), with the userspace datapath
# (`datapath_type=netdev`: no kernel module is needed).
#
# All compute hosts share this machine's one Open vSwitch, but each has the
# bridges a host of its own would have, so that every host's Neutron agent
# owns its bridges alone:
#   br-int-N   host N's integration bridge (its OVS agent creates it)
#   br-phys-N  host N's side of the tenant VLAN network (physnet `tenant`)
#   br-aio-lan the "switch" all br-phys-N are patched into: containers of
#              one network on different hosts reach each other through it
#   br-ex      the external network (physnet `public`) of host 1, which
#              runs the router; the host has $AIO_PUBLIC_HOST_IP on it, so it
#              reaches floating IPs.
# Needs: common.sh and config.sh sourced.

OVS_LAN_BRIDGE=br-aio-lan
OVS_EX_BRIDGE=br-ex

install_ovs() {
    need_apt openvswitch-switch iproute2 iptables
}

# ovs_phys_bridge N: host N's bridge for the tenant VLANs.
ovs_phys_bridge() {
    echo "br-phys-$1"
}

# ovs_int_bridge N: host N's integration bridge.
ovs_int_bridge() {
    echo "br-int-$1"
}

vsctl() {
    ovs-vsctl --timeout=10 "$@"
}

# ovs_netdev_bridge NAME: a userspace-datapath bridge (kept if it exists).
ovs_netdev_bridge() {
    vsctl --may-exist add-br "$1" -- set Bridge "$1" datapath_type=netdev
}

# ovs_patch BRIDGE_A PORT_A BRIDGE_B PORT_B: a patch cable between bridges.
ovs_patch() {
    vsctl --may-exist add-port "$1" "$2" -- \
        set Interface "$2" type=patch options:peer="$4" -- \
        --may-exist add-port "$3" "$4" -- \
        set Interface "$4" type=patch options:peer="$2"
}

start_ovs() {
    run "$AIO_LOG/ovs.log" bash "$REPO/tools/start-ovs.sh"
    ovs_netdev_bridge "$OVS_LAN_BRIDGE"
    local n
    for n in $(seq 1 "$(computes)"); do
        ovs_netdev_bridge "$(ovs_phys_bridge "$n")"
        ovs_patch "$OVS_LAN_BRIDGE" "aio-lan-$n" \
            "$(ovs_phys_bridge "$n")" "aio-phys-$n"
    done
    ovs_netdev_bridge "$OVS_EX_BRIDGE"
    # The host's address on the external network; no route leads further.
    ip link set "$OVS_EX_BRIDGE" up
    ip addr replace "$AIO_PUBLIC_HOST_IP/$AIO_PUBLIC_PREFIX" dev "$OVS_EX_BRIDGE"
}

# Open vSwitch itself keeps running on `down` (the test suites use it too);
# the bridges stay, so containers keep their network.

# cleanup_ovs: every bridge the all-in-one and its agents made, and the
# router namespaces the L3 agent left.
cleanup_ovs() {
    command -v ovs-vsctl >/dev/null || return 0
    local bridge ns
    for bridge in $(vsctl list-br 2>/dev/null); do
        case $bridge in
            "$OVS_LAN_BRIDGE"|"$OVS_EX_BRIDGE"|br-phys-*|br-int-*)
                vsctl --if-exists del-br "$bridge" ;;
        esac
    done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        case $ns in
            qrouter-*|qdhcp-*) ip netns delete "$ns" ;;
        esac
    done
}
