#!/usr/bin/env bash
# Make Open vSwitch available for the Higgins network tests: install Debian's
# openvswitch-switch if it is missing, then start ovsdb-server and
# ovs-vswitchd unless `ovs-vsctl show` already answers. Hosts without the
# kernel datapath still work: tests create their bridges with
# datapath_type=netdev (the userspace datapath). Idempotent, run as root.
#
# usage: tools/start-ovs.sh
set -euo pipefail
# shellcheck source=tools/lib/host.sh
. "$(dirname "$0")/lib/host.sh"

host_install_packages openvswitch-switch

ovs_ok() { timeout 5 ovs-vsctl --timeout=3 show >/dev/null 2>&1; }

# ovs-vswitchd locks all its memory by default (--mlockall) so that no page
# of a packet's path is ever swapped out: 68 MiB resident instead of 20 here,
# for a guarantee neither the tests nor the all-in-one need. The packaged
# service reads its options from this file.
defaults=/etc/default/openvswitch-switch
if ! grep -q '^OVS_CTL_OPTS=.*--no-mlockall' "$defaults" 2>/dev/null; then
    echo "OVS_CTL_OPTS='--no-mlockall'" >>"$defaults"
fi

# vswitchd_locked: the running ovs-vswitchd holds locked memory.
vswitchd_locked() {
    local pid
    pid=$(cat /var/run/openvswitch/ovs-vswitchd.pid 2>/dev/null) || return 1
    grep -Eq '^VmLck:[[:space:]]*[1-9]' "/proc/$pid/status" 2>/dev/null
}

if ovs_ok; then
    vswitchd_locked || exit 0
    # Started locked (by the package, or an older checkout): restarted once
    # with its bridges, ports and flows.
    /usr/share/openvswitch/scripts/ovs-ctl restart --no-mlockall \
        --system-id=random >>/var/log/higgins-ovs-ctl.log 2>&1 || true
    ovs_ok && exit 0
fi

# The packaged service first; containers without systemd fall through to
# starting the two daemons by hand.
/usr/share/openvswitch/scripts/ovs-ctl start --no-mlockall --system-id=random \
    >/var/log/higgins-ovs-ctl.log 2>&1 || true
if ovs_ok; then
    echo "Open vSwitch started (ovs-ctl)"
    exit 0
fi

rundir=/var/run/openvswitch
dbdir=/etc/openvswitch
logdir=/var/log/openvswitch
mkdir -p "$rundir" "$dbdir" "$logdir"
if [ ! -s "$dbdir/conf.db" ]; then
    ovsdb-tool create "$dbdir/conf.db" \
        /usr/share/openvswitch/vswitch.ovsschema
fi
if ! [ -S "$rundir/db.sock" ] || ! ovs-appctl -t ovsdb-server version \
        >/dev/null 2>&1; then
    ovsdb-server "$dbdir/conf.db" \
        --remote=punix:"$rundir/db.sock" \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile="$rundir/ovsdb-server.pid" --detach \
        --log-file="$logdir/ovsdb-server.log"
fi
ovs-vsctl --no-wait init
if ! ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
    ovs-vswitchd unix:"$rundir/db.sock" \
        --pidfile="$rundir/ovs-vswitchd.pid" --detach \
        --log-file="$logdir/ovs-vswitchd.log"
fi
for _ in $(seq 20); do
    ovs_ok && break
    sleep 0.5
done
ovs_ok || { echo "Open vSwitch did not start: see $logdir" >&2; exit 1; }
echo "Open vSwitch started (ovsdb-server, ovs-vswitchd)"
