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
# stestr workers: most of a test's time is spent waiting for a server, so
# more workers than cores help, up to what two small hosts hold.
TEMPEST_CONCURRENCY=${TEMPEST_CONCURRENCY:-2}
TEMPEST_REQUIREMENTS=('tempest==47.*' 'zun-tempest-plugin==4.14.*')
# Tests expected not to pass: a regex a line, its reason after '#'.
TEMPEST_EXCLUDES=$REPO/contrib/tempest/excluded-tests
TEMPEST_FEATURES=$REPO/contrib/tempest/disabled-features

# The suites `higgins-aio tempest [SUITE...]` knows: a test regex each, and
# the facade's microversion each zun suite runs at (the plugin's
# TestContainerLegacy covers 1.1 to 1.19, TestContainer 1.20 and later;
# 1.40 is the newest python-zunclient speaks).
# compute-ssh holds the compute tests that log in to their servers
# (Tempest's validation, which compute runs without).
declare -A TEMPEST_SUITES=(
    [compute]='^tempest\.api\.compute\.(?!servers\.test_attach_interfaces\.)'
    [compute-ssh]='^tempest\.api\.compute\.servers\.test_attach_interfaces\.'
    [zun-1.1]='^zun_tempest_plugin\.tests\.tempest\.api\.test_containers\.'
    [zun-1.20]='^zun_tempest_plugin\.tests\.tempest\.api\.test_containers\.'
    [zun-1.40]='^zun_tempest_plugin\.tests\.tempest\.api\.test_containers\.'
)
TEMPEST_SUITE_ORDER=(compute compute-ssh zun-1.1 zun-1.20 zun-1.40)

# The image Tempest boots: the all-in-one's busybox, whose command first
# writes a few lines to the console as a booting guest does (Tempest reads
# a server's console output and expects some), then starts an SSH server
# (Debian's dropbear, with the libraries it links) and sleeps. Tempest's
# validation logs in to a server to know its guest is up (the
# compute-ssh suite): root with $TEMPEST_SSH_PASSWORD. Logging in is all it
# gets: the container has no capability to change its user's groups, so a
# session's command fails, which validation does not need.
TEMPEST_IMAGE=busybox-tempest
TEMPEST_IMAGE_REF=higgins/busybox-tempest:latest
TEMPEST_SSH_PASSWORD=higgins-tempest
# shellcheck disable=SC2016  # $(hostname) is for the container's shell
TEMPEST_IMAGE_CMD='["/bin/sh", "-c", "echo Higgins container $(hostname) starting; echo console ready; /usr/sbin/dropbear -R -E -p 22 && echo SSH server started; exec sleep 1000000"]'
# The images Zun's tests run, as no registry is reachable: for their
# cirros (always asked with image_driver=docker) the engine reference every
# engine of the all-in-one has, allowed by [higgins]
# image_reference_patterns; for their nginx (asked without a driver, which
# the facade reads as Glance, where Zun reads docker) the cloud's busybox.
TEMPEST_ZUN_IMAGE=higgins/busybox:latest
TEMPEST_ZUN_GLANCE_IMAGE=busybox

install_tempest() {
    # dropbear goes into the Tempest image (ensure_tempest_image).
    host_install_packages dropbear-bin
    host_ensure_venv "$TEMPEST_VENV"
    local want
    want=$(printf '%s\n' "${TEMPEST_REQUIREMENTS[@]}" | sha256sum)
    if ! host_venv_current "$TEMPEST_VENV" .higgins-aio "$want"; then
        "$TEMPEST_VENV/bin/pip" install -q --upgrade pip
        "$TEMPEST_VENV/bin/pip" install -q "${TEMPEST_REQUIREMENTS[@]}"
        host_venv_mark "$TEMPEST_VENV" .higgins-aio "$want"
    fi
    # The workspace registry lives with the workspace (Tempest's default,
    # ~/.tempest, would outlive a purge and refuse the name next time).
    [ -f "$TEMPEST_WORKSPACE/.stestr.conf" ] ||
        "$TEMPEST_VENV/bin/tempest" init \
            --workspace-path "$TEMPEST_HOME/workspace.yaml" "$TEMPEST_WORKSPACE"
}

# tempest_image_root DIR: what the Tempest image adds to busybox: dropbear,
# the libraries it links, root's password and a directory for host keys.
tempest_image_root() {
    local root=$1 lib hash
    mkdir -p "$root/usr/sbin" "$root/lib/x86_64-linux-gnu" "$root/lib64" \
        "$root/etc/dropbear"
    cp /usr/sbin/dropbear "$root/usr/sbin/"
    for lib in $(ldd /usr/sbin/dropbear | awk '/=>/ {print $3}'); do
        cp -L "$lib" "$root/lib/x86_64-linux-gnu/"
    done
    cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
    hash=$(openssl passwd -6 "$TEMPEST_SSH_PASSWORD")
    printf 'root:%s:19000:0:99999:7:::\n' "$hash" >"$root/etc/shadow"
    chmod 600 "$root/etc/shadow"
    echo /bin/sh >"$root/etc/shells"
}

# ensure_tempest_image: $TEMPEST_IMAGE in Glance, made from engine 1's
# busybox with tempest_image_root's files and $TEMPEST_IMAGE_CMD.
ensure_tempest_image() {
    [ -n "$(tempest_lookup image "$TEMPEST_IMAGE" 2>/dev/null)" ] && return
    local engine archive=$AIO_DATA/$TEMPEST_IMAGE.tar container root
    engine="unix://$(engine_socket 1)"
    root=$(mktemp -d)
    tempest_image_root "$root"
    container=$(docker -H "$engine" create higgins/busybox:latest)
    docker -H "$engine" cp "$root/." "$container:/"
    rm -rf "$root"
    docker -H "$engine" commit --change "CMD $TEMPEST_IMAGE_CMD" \
        "$container" "$TEMPEST_IMAGE_REF" >/dev/null
    docker -H "$engine" rm "$container" >/dev/null
    docker -H "$engine" save -o "$archive" "$TEMPEST_IMAGE_REF"
    (admin_env
     "$AIO_VENV/bin/python" "$LIB/bootstrap.py" image "$archive" "$TEMPEST_IMAGE")
    rm -f "$archive"
}

# tempest_leftovers: the ids of servers Tempest made and did not delete
# (every Tempest resource name starts with "tempest-").
tempest_leftovers() {
    (admin_env; openstack_cli server list --all-projects --name '^tempest-' \
        -f value -c ID)
}

# clean_tempest: delete what a suite left behind (a test stopped half-way,
# a server that went ERROR): leftovers hold placement allocations and
# starve the next suite.
clean_tempest() {
    local ids
    ids=$(tempest_leftovers)
    [ -n "$ids" ] || return 0
    echo "  deleting $(wc -w <<<"$ids") server(s) Tempest left behind"
    # shellcheck disable=SC2086  # one id a word
    (admin_env; openstack_cli server delete --wait $ids) || true
}

# The zun suites run as this project (a member user of the same name, with
# its own `private` network), and admin, from an accounts file: with
# dynamic credentials, the plugin's class teardown below microversion 1.27
# removes the Docker network of the project's network through a Docker API
# on tcp://localhost:2375, which the all-in-one does not open (it would be
# an unauthenticated root API). Pre-provisioned accounts bring no network
# of Tempest's to remove.
TEMPEST_ZUN_PROJECT=zun-tempest
TEMPEST_ACCOUNTS=$TEMPEST_WORKSPACE/etc/accounts.yaml

# ensure_tempest_accounts: the zun suites' project and accounts file.
ensure_tempest_accounts() {
    (admin_env
     "$AIO_VENV/bin/python" "$LIB/bootstrap.py" test-project \
        "$TEMPEST_ZUN_PROJECT" "$DEMO_PASSWORD")
    mkdir -p "$(dirname "$TEMPEST_ACCOUNTS")"
    (umask 077
     cat >"$TEMPEST_ACCOUNTS" <<EOT
- username: $TEMPEST_ZUN_PROJECT
  project_name: $TEMPEST_ZUN_PROJECT
  domain_name: Default
  password: $DEMO_PASSWORD
  roles: [member]
- username: admin
  project_name: admin
  domain_name: Default
  password: $ADMIN_PASSWORD
  roles: [admin]
EOT
    )
}

# tempest_auth SUITE: the [auth] options of SUITE.
tempest_auth() {
    case $1 in
        zun-*)
            echo "use_dynamic_credentials = false"
            echo "test_accounts_file = $TEMPEST_ACCOUNTS" ;;
        *)
            echo "use_dynamic_credentials = true"
            echo "create_isolated_networks = $2" ;;
    esac
}

# tempest_validation SUITE: the [validation] options of SUITE: only
# compute-ssh logs in to its servers, through their floating IPs.
tempest_validation() {
    if [ "$1" = compute-ssh ]; then
        echo "run_validation = true"
        echo "connect_method = floating"
        echo "image_ssh_user = root"
        echo "image_ssh_password = $TEMPEST_SSH_PASSWORD"
    else
        echo "run_validation = false"
    fi
}

# tempest_lookup WHAT NAME: the id of the cloud's flavor or image NAME.
tempest_lookup() {
    (admin_env; openstack_cli "$1" show "$2" -f value -c id)
}

# tempest_networking: whether Neutron has an agent that binds ports here.
# The answer is read whole before it is searched: `grep -q` on the pipe
# would stop reading at the first match and the CLI, killed by SIGPIPE
# while writing the next line, would turn the answer into "no".
tempest_networking() {
    local alive
    alive=$( (admin_env; openstack_cli network agent list \
        --agent-type open-vswitch -f value -c Alive 2>/dev/null) || true)
    [[ $alive == *True* ]]
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
    # What Higgins does and Tempest assumes a cloud does not; both move the
    # server to another compute host, so one host cannot.
    local moves=false
    [ "$(computes)" -ge 2 ] && moves=true
    echo "resize = $moves"
    echo "cold_migration = $moves"
}

# configure_tempest SUITE MICROVERSION: tempest.conf for this cloud and
# SUITE, the facade tested at MICROVERSION.
configure_tempest() {
    local suite=$1 microversion=$2 flavor flavor_alt image networks=false
    flavor=$(tempest_lookup flavor c1.small)
    flavor_alt=$(tempest_lookup flavor c1.medium)
    image=$(tempest_lookup image "$TEMPEST_IMAGE")
    if [ -z "$flavor" ] || [ -z "$flavor_alt" ] || [ -z "$image" ]; then
        fail "the cloud has no c1.small/c1.medium flavors or busybox image: run 'higgins-aio up'"
    fi
    tempest_networking && networks=true
    TEMPEST_PORTS=$networks
    mkdir -p "$TEMPEST_WORKSPACE/etc"
    cat >"$TEMPEST_WORKSPACE/etc/tempest.conf" <<EOT
[DEFAULT]
log_dir = $AIO_LOG
log_file = tempest.log

[oslo_concurrency]
lock_path = $TEMPEST_HOME/locks

[auth]
$(tempest_auth "$suite" "$networks")
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
$(tempest_validation "$suite")

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
min_microversion = $microversion
max_microversion = $microversion
wait_timeout = 120
cirros_image = $TEMPEST_ZUN_IMAGE
nginx_image = $TEMPEST_ZUN_GLANCE_IMAGE
EOT
}

# run_tempest_suite NAME: one suite; its summary goes to
# $AIO_LOG/tempest-NAME.log. Fails when a test not excluded fails.
run_tempest_suite() {
    local name=$1 microversion=1.40
    case $name in zun-*) microversion=${name#zun-} ;; esac
    configure_tempest "$name" "$microversion"
    (cd "$TEMPEST_WORKSPACE" &&
     "$TEMPEST_VENV/bin/tempest" run --concurrency "$TEMPEST_CONCURRENCY" \
        --regex "${TEMPEST_SUITES[$name]}" \
        --exclude-list "$TEMPEST_EXCLUDES") \
        >"$AIO_LOG/tempest-$name.log" 2>&1
}

# tempest_totals NAME: the counts Tempest printed for suite NAME.
tempest_totals() {
    grep -E '^ - (Passed|Skipped|Failed|Expected Fail|Unexpected Success)' \
        "$AIO_LOG/tempest-$1.log" | sed 's/^ - //' | paste -sd, -
}

# tempest_failures NAME: the tests (or class fixtures) that failed in suite
# NAME, one a line.
tempest_failures() {
    sed -n 's/^{[0-9]*} \(.*\) \[[0-9.]*s\] \.\.\. FAILED$/\1/p' \
        "$AIO_LOG/tempest-$1.log" | sort -u
}
