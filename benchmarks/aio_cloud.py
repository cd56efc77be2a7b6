"""The running all-in-one as the benchmarks reach it: clients and engines.

``demo_connection`` and ``admin_connection`` are openstacksdk connections
with the demo user's and the admin's Keystone credentials (from
``$AIO_HOME/demo-openrc`` and ``admin-openrc``); ``engines`` are docker-py
clients of the compute hosts' engines, for raw baselines and for checking
that nothing was left behind; ``cpu_seconds`` and ``rss_kib`` read what
each all-in-one service used from ``/proc``.
"""
import glob
import os

import docker
import openstack

AIO_HOME = os.environ.get('AIO_HOME', '/opt/higgins-aio')
LABEL_INSTANCE_UUID = 'higgins.instance_uuid'


def demo_connection():
    return _connection('demo-openrc')


def admin_connection():
    return _connection('admin-openrc')


def _connection(openrc):
    env = {}
    with open(os.path.join(AIO_HOME, openrc)) as rc:
        for line in rc:
            name, _, value = line.replace('export ', '').strip().partition('=')
            env[name] = value
    return openstack.connect(
        auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
        password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
        user_domain_name='Default', project_domain_name='Default',
        region_name=env['OS_REGION_NAME'])


def engines():
    """docker-py clients of the compute hosts' engines, host 1 first."""
    sockets = sorted(glob.glob(os.path.join(AIO_HOME, 'run',
                                            'docker-*.sock')))
    return [docker.DockerClient(base_url='unix://' + s, version='auto')
            for s in sockets]


def containers_of(clients, server_ids):
    """Containers on any engine that belong to one of ``server_ids``."""
    wanted = set(server_ids)
    return [c.name for client in clients
            for c in client.containers.list(
                all=True, filters={'label': LABEL_INSTANCE_UUID})
            if c.labels.get(LABEL_INSTANCE_UUID) in wanted]


# Processes the all-in-one shares with the machine rather than starts as
# services of its own (by command name).
SHARED_PROCESSES = {'mariadbd': 'MariaDB', 'beam.smp': 'RabbitMQ',
                    'ovs-vswitchd': 'Open vSwitch',
                    'ovsdb-server': 'Open vSwitch'}


def cpu_seconds(extra_pids=None):
    """{service: CPU seconds (user + system) its processes used so far}.

    A service is what `higgins-aio` started under a pid file: every process
    of its session, and its children in sessions of their own (an engine's
    containerd). The containers' shims and processes are not counted, nor
    a process that has ended (a short-lived command a service ran).
    ``extra_pids`` ({name: pid}) adds processes started outside
    `higgins-aio`, counted the same way.
    """
    return _by_service('cpu', extra_pids)


def rss_kib():
    """{service: resident set size of its processes now, KiB}.

    The same processes as ``cpu_seconds``.
    """
    return _by_service('rss')


def _processes():
    """{pid: {'comm', 'ppid', 'session', 'cpu' seconds, 'rss' KiB}}."""
    tick = os.sysconf('SC_CLK_TCK')
    page_kib = os.sysconf('SC_PAGE_SIZE') // 1024
    found = {}
    for stat_path in glob.glob('/proc/[0-9]*/stat'):
        try:
            with open(stat_path) as f:
                text = f.read()
        except OSError:
            continue
        comm_end = text.rindex(')')
        # Fields from the third (state) on: see proc(5).
        fields = text[comm_end + 2:].split()
        found[int(stat_path.split('/')[2])] = {
            'comm': text[text.index('(') + 1:comm_end],
            'ppid': int(fields[1]), 'session': int(fields[3]),
            'cpu': (int(fields[11]) + int(fields[12])) / tick,
            'rss': int(fields[21]) * page_kib}
    return found


def _service_pids():
    """{service: pid} of what `higgins-aio` started, from its pid files."""
    pids = {}
    for pid_file in glob.glob(os.path.join(AIO_HOME, 'run', '*.pid')):
        try:
            with open(pid_file) as f:
                pids[os.path.basename(pid_file)[:-len('.pid')]] = int(f.read())
        except (OSError, ValueError):
            continue
    return pids


def _by_service(key, extra_pids=None):
    processes = _processes()
    used = {}
    for name, leader in dict(_service_pids(), **(extra_pids or {})).items():
        used[name] = sum(p[key] for p in processes.values()
                         if leader in (p['session'], p['ppid']))
    for p in processes.values():
        if p['comm'] in SHARED_PROCESSES:
            name = SHARED_PROCESSES[p['comm']]
            used[name] = used.get(name, 0) + p[key]
    return used
