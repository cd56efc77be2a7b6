# shellcheck shell=bash
# The all-in-one's settings every service shares: the one home of its host
# address, ports and URLs (exported, so lib/bootstrap.py reads the same
# values), how many compute hosts it runs, and the Higgins contract's facts.
# Each service's own configuration files are written by its lib/<service>.sh.
# Needs: common.sh sourced.

# These variables are used by the scripts that source this file.
# shellcheck disable=SC2034

# Every service listens on this address (loopback unless told otherwise).
AIO_HOST=${AIO_HOST:-127.0.0.1}

KEYSTONE_PORT=5000
GLANCE_PORT=9292
PLACEMENT_PORT=8778
NEUTRON_PORT=9696
NOVA_PORT=8774
SERIALPROXY_PORT=6083
FACADE_PORT=9517
RABBIT_PORT=5672
# OpenFlow controller of host N's Neutron OVS agent: OVS_OF_PORT_BASE + N.
OVS_OF_PORT_BASE=6650

# The external network (floating IPs): the host's address on br-ex and
# what Neutron may hand out. Private space, routed nowhere else.
AIO_PUBLIC_CIDR=172.31.240.0/24
AIO_PUBLIC_PREFIX=24
AIO_PUBLIC_HOST_IP=172.31.240.1
AIO_PUBLIC_POOL_START=172.31.240.100
AIO_PUBLIC_POOL_END=172.31.240.199
# The projects' own networks (addresses only inside containers and router
# namespaces, so they may overlap).
AIO_PRIVATE_CIDR=10.0.0.0/24

KEYSTONE_URL=http://$AIO_HOST:$KEYSTONE_PORT/v3
GLANCE_URL=http://$AIO_HOST:$GLANCE_PORT
PLACEMENT_URL=http://$AIO_HOST:$PLACEMENT_PORT
NEUTRON_URL=http://$AIO_HOST:$NEUTRON_PORT
NOVA_URL=http://$AIO_HOST:$NOVA_PORT/v2.1
FACADE_URL=http://$AIO_HOST:$FACADE_PORT
# Where users' websockets reach serial consoles (nova-serialproxy).
SERIALPROXY_URL=ws://$AIO_HOST:$SERIALPROXY_PORT/
export AIO_HOST KEYSTONE_URL GLANCE_URL PLACEMENT_URL NEUTRON_URL NOVA_URL \
    FACADE_URL SERIALPROXY_URL AIO_PUBLIC_CIDR AIO_PUBLIC_HOST_IP \
    AIO_PUBLIC_POOL_START AIO_PUBLIC_POOL_END AIO_PRIVATE_CIDR

# Serial console endpoints: compute host N listens on its own window of
# CONSOLE_PORTS_PER_HOST ports from CONSOLE_PORT_BASE (the hosts share one
# address, and each allocates ports on its own).
CONSOLE_PORT_BASE=10000
CONSOLE_PORTS_PER_HOST=100

# computes: how many compute hosts the cloud runs (as many as the last
# `up --computes N`; 1 at first).
computes() {
    # shellcheck disable=SC2153  # AIO_HOME is common.sh's
    cat "$AIO_HOME/computes" 2>/dev/null || echo 1
}

# load_contract: the facts Higgins' code and tooling share (the container
# trait, the default flavors, the engine labels), from
# higgins_common/contract.py, as HIGGINS_* variables. Needs python3 (the
# Debian packages step installs it).
load_contract() {
    local facts
    facts=$(python3 "$REPO/higgins_common/contract.py" shell) ||
        fail "cannot read $REPO/higgins_common/contract.py"
    eval "$facts"
}
