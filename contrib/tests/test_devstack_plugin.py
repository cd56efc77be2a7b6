"""The devstack plugin, phase by phase, with devstack's functions stubbed.

devstack itself is not here, so each of its functions the plugin calls is
replaced by a stub that records the call. The tests check what the plugin
asks devstack to do at each phase; they do not prove that devstack does it
(run the plugin on a devstack node for that).
"""
import pathlib
import subprocess

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
DEVSTACK = TOP / 'contrib' / 'devstack'
DISABLED_FEATURES = TOP / 'contrib' / 'tempest' / 'disabled-features'

# Stubs of the devstack functions and commands the plugin uses. Each call
# is appended to $CALLS, one line per call.
STUBS = r'''
record() { printf '%s\n' "$*" >>"$CALLS"; }
for fn in install_package setup_develop pip_install iniset add_user_to_group \
          reload_service async_wait write_uwsgi_config create_service_user \
          get_or_create_service get_or_create_endpoint run_process \
          stop_process wait_for_service define_plugin sudo \
          configure_keystone_authtoken_middleware; do
    eval "$fn() { record $fn \"\$@\"; }"
done
echo_summary() { :; }
die() { record die "$@"; exit 1; }
is_ubuntu() { true; }
# As devstack's: local.conf's disable_service wins over a plugin's enable.
enable_service() {
    local s
    for s in "$@"; do
        [[ ,$DISABLED_SERVICES, == *,$s,* ]] || ENABLED_SERVICES+=",$s"
    done
}
is_service_enabled() {
    local s
    for s in "$@"; do
        [[ ,$ENABLED_SERVICES, == *,$s,* ]] && return 0
        [[ $s == glance && ,$ENABLED_SERVICES == *,g-* ]] && return 0
    done
    return 1
}
which() { echo "/usr/bin/$1"; }
# Nothing exists yet in the cloud: every `show` fails.
openstack() {
    record openstack "$@"
    [[ " $* " != *" show "* ]]
}
DEST=/opt/stack STACK_USER=stack NOVA_CONF=/etc/nova/nova.conf
NOVA_CPU_CONF=/etc/nova/nova-cpu.conf REGION_NAME=RegionOne
SERVICE_HOST=192.0.2.10 SERVICE_LISTEN_ADDRESS=0.0.0.0 SERVICE_TIMEOUT=60
ENABLE_DEBUG_LOG_LEVEL=True TEMPEST_CONFIG=/opt/stack/tempest/etc/tempest.conf
'''


def run_phase(tmp_path, services, *phase, disabled=''):
    calls = tmp_path / 'calls'
    calls.write_text('')
    script = (STUBS +
              'ENABLED_SERVICES=%s\n' % services +
              'DISABLED_SERVICES=%s\n' % disabled +
              'source %s\n' % (DEVSTACK / 'settings') +
              'source %s %s\n' % (DEVSTACK / 'plugin.sh', ' '.join(phase)))
    result = subprocess.run(['bash', '-c', script],
                            env={'CALLS': str(calls), 'PATH': '/usr/bin:/bin'},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return calls.read_text().splitlines()


ALL = 'key,n-api,n-cpu,g-api,tempest'


def test_settings_name_the_plugin_and_enable_its_services(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'pre-install')
    assert 'define_plugin higgins' in calls


def test_install(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'install')
    assert 'install_package docker.io busybox-static' in calls
    assert 'setup_develop /opt/stack/higgins api' in calls
    assert 'pip_install python-zunclient' in calls


def test_post_config_sets_the_driver_for_nova_compute(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'post-config')
    conf = '/etc/nova/nova.conf'
    assert ('iniset %s DEFAULT compute_driver higgins.HigginsDriver' % conf
            in calls)
    assert 'iniset %s higgins network_mode bridge' % conf in calls
    assert ('iniset %s higgins engine_url unix:///var/run/docker.sock' % conf
            in calls)
    # nova-cpu.conf is rebuilt from nova.conf when nova-compute starts.
    assert not [c for c in calls if '/etc/nova/nova-cpu.conf' in c]
    # The background job that also edits nova.conf finishes first.
    assert (calls.index('async_wait configure_neutron_nova') <
            calls.index('iniset %s DEFAULT compute_driver '
                        'higgins.HigginsDriver' % conf))
    assert 'add_user_to_group stack docker' in calls
    assert 'reload_service docker' in calls


def test_post_config_registers_the_facade(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'post-config')
    api_conf = '/etc/higgins/higgins-api.conf'
    assert 'iniset %s api auth_strategy keystone' % api_conf in calls
    assert ('configure_keystone_authtoken_middleware %s higgins' % api_conf
            in calls)
    assert 'create_service_user higgins' in calls
    assert ('get_or_create_service higgins container Higgins containers'
            in calls)
    assert ('get_or_create_endpoint container RegionOne '
            'http://192.0.2.10:9517/v1' in calls)
    assert ('write_uwsgi_config /etc/higgins/higgins-api-uwsgi.ini '
            'higgins_api.wsgi:application  0.0.0.0:9517 higgins-api'
            in calls)


def test_extra_creates_flavors_image_and_starts_the_facade(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'extra')
    for flavor, vcpus, ram, disk in (('c1.tiny', 1, 128, 1),
                                     ('c1.small', 1, 256, 1),
                                     ('c1.medium', 2, 512, 2)):
        assert ('openstack --os-cloud devstack-admin flavor create --public '
                '--vcpus %d --ram %d --disk %d %s'
                % (vcpus, ram, disk, flavor) in calls)
        assert ('openstack --os-cloud devstack-admin flavor set --property '
                'trait:CUSTOM_HIGGINS_CONTAINER=required %s' % flavor
                in calls)
    [upload] = [c for c in calls if ' image create ' in c]
    assert ('image create busybox --public --container-format docker '
            '--disk-format raw --property hypervisor_type=docker --file '
            in upload)
    assert [c for c in calls if c.startswith('sudo docker save -o ')]
    assert ('run_process higgins-api /usr/bin/uwsgi --procname-prefix '
            'higgins-api --ini /etc/higgins/higgins-api-uwsgi.ini' in calls)


def test_test_config_turns_off_what_higgins_cannot_do(tmp_path):
    calls = run_phase(tmp_path, ALL, 'stack', 'test-config')
    tempest = '/opt/stack/tempest/etc/tempest.conf'
    features = [line.split()[0] for line in DISABLED_FEATURES.read_text(
        ).splitlines() if line.strip() and not line.startswith('#')]
    assert 'live_migration' in features
    for feature in features:
        assert ('iniset %s compute-feature-enabled %s False'
                % (tempest, feature) in calls)


@pytest.mark.parametrize('mode', ['unstack', 'clean'])
def test_unstack_and_clean(tmp_path, mode):
    calls = run_phase(tmp_path, ALL, mode)
    assert 'stop_process higgins-api' in calls or mode == 'clean'
    assert 'sudo docker ps -aq --filter label=higgins.managed=1' in calls


def test_compute_only_node(tmp_path):
    # local.conf of a compute node: n-cpu, and disable_service higgins-api.
    calls = run_phase(tmp_path, 'n-cpu', 'stack', 'install',
                      disabled='higgins-api')
    assert 'setup_develop /opt/stack/higgins' in calls
    assert 'pip_install python-zunclient' not in calls
    calls = run_phase(tmp_path, 'n-cpu', 'stack', 'extra',
                      disabled='higgins-api')
    # Neither the flavors (no n-api here), the image (no Glance) nor the
    # facade.
    assert calls == ['define_plugin higgins']


def test_control_node_without_nova_compute(tmp_path):
    calls = run_phase(tmp_path, 'key,n-api,g-api', 'stack', 'install')
    # No engine here; the facade is installed all the same.
    assert not [c for c in calls if c.startswith('install_package')]
    assert 'setup_develop /opt/stack/higgins api' in calls
    calls = run_phase(tmp_path, 'key,n-api,g-api', 'stack', 'post-config')
    assert not [c for c in calls if 'compute_driver' in c]
    assert 'create_service_user higgins' in calls
    calls = run_phase(tmp_path, 'key,n-api,g-api', 'stack', 'extra')
    assert [c for c in calls if ' flavor create ' in c]
    # The image is built on a container host's engine.
    assert not [c for c in calls if ' image create ' in c]
