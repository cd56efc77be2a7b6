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
