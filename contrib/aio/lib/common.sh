# shellcheck shell=bash
# Shared by the all-in-one scripts: paths, timed steps, background services.
#
# Every service Higgins' all-in-one starts runs in the background with its
# own log file and pid file under $AIO_HOME; `down` stops exactly those.

# These variables are used by the scripts that source this file.
# shellcheck disable=SC2034
AIO_HOME=${AIO_HOME:-/opt/higgins-aio}
AIO_VENV=$AIO_HOME/venv
AIO_ETC=$AIO_HOME/etc
AIO_LOG=$AIO_HOME/log
AIO_RUN=$AIO_HOME/run
AIO_DATA=$AIO_HOME/data
# Passwords of this throw-away, loopback-only cloud; kept in one file so
# re-runs agree with the databases they created.
AIO_SECRETS=$AIO_HOME/secrets.env

STEP_STARTED=0
STEP_LOG=

# What the services need installed, gathered by their install_* functions
# and installed by `up` in one Debian step and one pip step.
AIO_APT_PACKAGES=()
AIO_PIP_PACKAGES=()

# need_apt PKG...: Debian packages a service needs.
need_apt() {
    AIO_APT_PACKAGES+=("$@")
}

# need_pip REQUIREMENT...: Python packages a service needs in $AIO_VENV.
need_pip() {
    AIO_PIP_PACKAGES+=("$@")
}

step() {
    STEP_STARTED=$(date +%s%N)
    STEP_LOG=${2:-}
    printf '%-58s' "$1"
}

step_done() {
    local ms=$(( ($(date +%s%N) - STEP_STARTED) / 1000000 ))
    printf ' ok  %3d.%01d s\n' $((ms / 1000)) $((ms % 1000 / 100))
}

fail() {
    printf '\nFAILED: %s\n' "$*" >&2
    [ -n "$STEP_LOG" ] && printf 'Read the log: %s\n' "$STEP_LOG" >&2
    exit 1
}

# run LOG COMMAND...: run a command, its output to LOG; fail the step if it
# fails.
run() {
    local log=$1
    shift
    STEP_LOG=$log
    "$@" >>"$log" 2>&1 || fail "$* (exit $?)"
}

# settings_digest COMMAND...: what a service runs with: its command line and
# every configuration file of the all-in-one.
settings_digest() {
    {
        printf '%s\n' "$@"
        find "$AIO_ETC" "$AIO_HOME/wsgi" -type f -print0 2>/dev/null |
            sort -z | xargs -0 -r cat
    } | sha256sum | cut -d' ' -f1
}

# start_service NAME COMMAND...: start in the background, with a pid file
# and a log file of its own. A running service is left alone unless its
# settings changed since it started; then it is restarted.
start_service() {
    local name=$1
    shift
    local pidfile=$AIO_RUN/$name.pid digest
    digest=$(settings_digest "$@")
    if service_running "$name"; then
        [ "$(cat "$AIO_RUN/$name.settings" 2>/dev/null)" = "$digest" ] && return 0
        stop_service "$name"
    fi
    mkdir -p "$AIO_RUN" "$AIO_LOG"
    setsid "$@" >>"$AIO_LOG/$name.log" 2>&1 < /dev/null &
    echo $! >"$pidfile"
    echo "$digest" >"$AIO_RUN/$name.settings"
}

# one_process [--privileged-calls-here] SCRIPT: the command that runs the
# venv's console script SCRIPT in a single process, with no forked parent
# (one_process.py says why).
one_process() {
    echo "$AIO_VENV/bin/python" "$REPO/contrib/aio/lib/one_process.py" "$@"
}

# start_privsep_hub SERVICE CONFIG_FILE...: start privsep-SERVICE, the one
# process that serves all of SERVICE's oslo.privsep contexts in place of a
# helper daemon each (privsep_hub.py says why).
start_privsep_hub() {
    local name=privsep-$1 file args=()
    shift
    for file in "$@"; do
        args+=(--config-file "$file")
    done
    start_service "$name" "$AIO_VENV/bin/python" \
        "$REPO/contrib/aio/lib/privsep_hub.py" serve "$AIO_RUN/$name.sock" \
        "${args[@]}" --log-file "$AIO_LOG/$name.log"
}

# privsep_hub_client SERVICE: the helper_command of SERVICE's privsep
# contexts, which hands each context to SERVICE's hub.
privsep_hub_client() {
    echo "$AIO_VENV/bin/python $REPO/contrib/aio/lib/privsep_hub.py" \
        "connect $AIO_RUN/privsep-$1.sock"
}

# start_wsgi_service NAME PORT MODULE [VAR=VALUE...]: serve MODULE's
# `application` on PORT with VARs in its environment. waitress serves it
# from eight threads of a single process: gunicorn's supervising master
# would add a process (26 MiB resident) to each of the six APIs.
start_wsgi_service() {
    local name=$1 port=$2 module=$3
    shift 3
    # Keep idle connections (120 s) longer than clients' polling interval: a
    # connection closed just as a client reuses it fails the request. Glance
    # takes images bigger than waitress' default request limit (1 GiB).
    # shellcheck disable=SC2153  # AIO_HOST is config.sh's
    start_service "$name" env PYTHONPATH="$AIO_HOME/wsgi" "$@" \
        "$AIO_VENV/bin/waitress-serve" --listen "$AIO_HOST:$port" \
        --threads 8 --channel-timeout 120 --connection-limit 500 \
        --max-request-body-size 1099511627776 --asyncore-use-poll \
        --ident "higgins-aio-$name" \
        "$module:application"
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

# stop_service NAME: stop the process group started under NAME.
stop_service() {
    local pidfile=$AIO_RUN/$1.pid
    [ -f "$pidfile" ] || return 0
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile" "$AIO_RUN/$1.settings"
}

service_running() {
    local pidfile=$AIO_RUN/$1.pid
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# wait_for WHAT SECONDS COMMAND...: retry COMMAND until it succeeds.
wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$(( $(date +%s) + seconds ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "$what did not come up in ${seconds} s"
        sleep 0.5
    done
}

http_up() {
    curl -s -o /dev/null "$1"
}

admin_env() {
    # shellcheck disable=SC1091
    . "$AIO_HOME/admin-openrc"
}

demo_env() {
    # shellcheck disable=SC1091
    . "$AIO_HOME/demo-openrc"
}

openstack_cli() {
    "$AIO_VENV/bin/openstack" "$@"
}
