# shellcheck shell=bash
# The peer suites, run against the running all-in-one by `higgins-aio
# tempest`: Tempest's compute API tests against Nova with the Higgins driver,
# and zun-tempest-plugin's container tests against the facade. Not a service:
# `up` does not start it. Tempest lives in a venv of its own (its
# requirements are not the cloud's) and a workspace, both under
# $TEMPEST_HOME.
# Needs: common.sh, config.sh and host.sh sourced, load_contract called and
# $AIO_SECRETS loaded.

# These variables are used by the scripts that source this file.
# shellcheck disable=SC2034
TEMPEST_HOME=$AIO_HOME/tempest
TEMPEST_VENV=$TEMPEST_HOME/venv
TEMPEST_WORKSPACE=$TEMPEST_HOME/workspace
TEMPEST_REQUIREMENTS=('tempest==47.*' 'zun-tempest-plugin==4.14.*')
# Tests expected not to pass: a regex a line, its reason after '#'.
TEMPEST_EXCLUDES=$REPO/contrib/tempest/excluded-tests
TEMPEST_FEATURES=$REPO/contrib/tempest/disabled-features

# The suites `higgins-aio tempest [SUITE...]` knows: a test regex each, and
# the facade's microversion each zun suite runs at (Zun's container tests
# start at 1.20; 1.40 is the newest python-zunclient speaks).
declare -A TEMPEST_SUITES=(
    [compute]='^tempest\.api\.compute\.'
    [zun-1.20]='^zun_tempest_plugin\.tests\.tempest\.api\.test_containers\.'
    [zun-1.40]='^zun_tempest_plugin\.tests\.tempest\.api\.test_containers\.'
)
TEMPEST_SUITE_ORDER=(compute zun-1.20 zun-1.40)

install_tempest() {
    host_ensure_venv "$TEMPEST_VENV"
    local want
    want=$(printf '%s\n' "${TEMPEST_REQUIREMENTS[@]}" | sha256sum)
    if ! host_venv_current "$TEMPEST_VENV" .higgins-aio "$want"; then
        "$TEMPEST_VENV/bin/pip" install -q --upgrade pip
        "$TEMPEST_VENV/bin/pip" install -q "${TEMPEST_REQUIREMENTS[@]}"
        host_venv_mark "$TEMPEST_VENV" .higgins-aio "$want"
    fi
    [ -f "$TEMPEST_WORKSPACE/.stestr.conf" ] ||
        "$TEMPEST_VENV/bin/tempest" init "$TEMPEST_WORKSPACE"
}

# tempest_lookup WHAT NAME: the id of the cloud's flavor or image NAME.
tempest_lookup() {
    (admin_env; openstack_cli "$1" show "$2" -f value -c id)
}

# tempest_networking: whether Neutron has an agent that binds ports here.
tempest_networking() {
    (admin_env; openstack_cli network agent list --agent-type open-vswitch \
        -f value -c Alive 2>/dev/null) | grep -q True
}

# tempest_public_network: the id of the external network floating IPs come
# from (empty without networking).
tempest_public_network() {
    (admin_env; openstack_cli network show public -f value -c id 2>/dev/null) || true
}

# tempest_features: the [compute-feature-enabled] lines: what Higgins cannot
# do is off; ports can be attached once Neutron binds them.
tempest_features() {
    local feature _reason
    while read -r feature _reason; do
        if [ "$feature" = interface_attach ] && tempest_networking; then
            continue
        fi
        echo "$feature = false"
    done < <(grep -v '^#' "$TEMPEST_FEATURES")
    # What Higgins does and Tempest assumes a cloud does not.
    echo "resize = true"
    echo "cold_migration = true"
}

# configure_tempest MICROVERSION: tempest.conf for this cloud, the facade
# tested at MICROVERSION.
configure_tempest() {
    local flavor flavor_alt image networks=false
    flavor=$(tempest_lookup flavor c1.small)
    flavor_alt=$(tempest_lookup flavor c1.medium)
    image=$(tempest_lookup image busybox)
    if [ -z "$flavor" ] || [ -z "$flavor_alt" ] || [ -z "$image" ]; then
        fail "the cloud has no c1.small/c1.medium flavors or busybox image: run 'higgins-aio up'"
    fi
    tempest_networking && networks=true
    mkdir -p "$TEMPEST_WORKSPACE/etc"
    cat >"$TEMPEST_WORKSPACE/etc/tempest.conf" <<EOT
[DEFAULT]
log_dir = $AIO_LOG
log_file = tempest.log

[auth]
use_dynamic_credentials = true
create_isolated_networks = $networks
admin_username = admin
admin_password = $ADMIN_PASSWORD
admin_project_name = admin
admin_domain_name = Default

[identity]
uri_v3 = $KEYSTONE_URL
auth_version = v3
region = RegionOne

[identity-feature-enabled]
api_v2 = false

[compute]
image_ref = $image
image_ref_alt = $image
flavor_ref = $flavor
flavor_ref_alt = $flavor_alt
min_compute_nodes = $(computes)
max_microversion = latest
build_timeout = 120

[compute-feature-enabled]
$(tempest_features)

[network]
public_network_id = $(tempest_public_network)
floating_network_name = public

[network-feature-enabled]
ipv6 = false

[validation]
run_validation = false

[service_available]
nova = true
glance = true
neutron = true
placement = true
keystone = true
cinder = false
swift = false
horizon = false
zun = true

[container_service]
min_microversion = $1
max_microversion = $1
wait_timeout = 120
EOT
}

# run_tempest_suite NAME: one suite; its summary goes to
# $AIO_LOG/tempest-NAME.log. Fails when a test not excluded fails.
run_tempest_suite() {
    local name=$1 microversion=1.40
    case $name in zun-*) microversion=${name#zun-} ;; esac
    configure_tempest "$microversion"
    (cd "$TEMPEST_WORKSPACE" &&
     "$TEMPEST_VENV/bin/tempest" run --concurrency 2 \
        --regex "${TEMPEST_SUITES[$name]}" \
        --exclude-list "$TEMPEST_EXCLUDES") \
        >"$AIO_LOG/tempest-$name.log" 2>&1
}

# tempest_totals NAME: the counts Tempest printed for suite NAME.
tempest_totals() {
    grep -E '^ - (Passed|Skipped|Failed|Expected Fail|Unexpected Success)' \
        "$AIO_LOG/tempest-$1.log" | sed 's/^ - //' | paste -sd, -
}
