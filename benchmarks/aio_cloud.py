"""The running all-in-one as the benchmarks reach it: clients and engines.

``demo_connection`` is an openstacksdk connection with the demo user's
Keystone credentials (from ``$AIO_HOME/demo-openrc``); ``engines`` are
docker-py clients of the compute hosts' engines, for raw baselines and for
checking that nothing was left behind.
"""
import glob
import os

import docker
import openstack

AIO_HOME = os.environ.get('AIO_HOME', '/opt/higgins-aio')
LABEL_INSTANCE_UUID = 'higgins.instance_uuid'


def demo_connection():
    env = {}
    with open(os.path.join(AIO_HOME, 'demo-openrc')) as rc:
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


def cpu_seconds():
    """{service: CPU seconds (user + system) its processes used so far}.

    A service is what `higgins-aio` started under a pid file: every process
    of its session, and its children in sessions of their own (an engine's
    containerd). The containers' shims and processes are not counted, nor
    a process that has ended (a short-lived command a service ran).
    """
    tick = os.sysconf('SC_CLK_TCK')
    stats = {}
    for stat_path in glob.glob('/proc/[0-9]*/stat'):
        try:
            with open(stat_path) as f:
                text = f.read()
        except OSError:
            continue
        comm_end = text.rindex(')')
        fields = text[comm_end + 2:].split()
        stats[int(stat_path.split('/')[2])] = (
            text[text.index('(') + 1:comm_end], int(fields[1]),
            int(fields[3]), (int(fields[11]) + int(fields[12])) / tick)
    used = {}
    for pid_file in glob.glob(os.path.join(AIO_HOME, 'run', '*.pid')):
        name = os.path.basename(pid_file)[:-len('.pid')]
        try:
            with open(pid_file) as f:
                leader = int(f.read())
        except (OSError, ValueError):
            continue
        used[name] = sum(seconds for pid, (_, ppid, session, seconds)
                         in stats.items()
                         if session == leader or ppid == leader)
    for comm, _, _, seconds in stats.values():
        if comm in SHARED_PROCESSES:
            name = SHARED_PROCESSES[comm]
            used[name] = used.get(name, 0) + seconds
    return used
