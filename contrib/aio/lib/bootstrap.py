"""Set up the all-in-one cloud's catalog, accounts, flavors and image.

Runs as Keystone's bootstrap admin (OS_* variables) and is idempotent: what
exists is left alone, so `higgins-aio up` can run it every time.

usage: bootstrap.py accounts SERVICE_PASSWORD DEMO_PASSWORD
       bootstrap.py image BUSYBOX_ARCHIVE      (needs Glance)
       bootstrap.py flavors                     (needs Nova's API)
       bootstrap.py facade-demo FACADE_URL      (as the demo user)
       bootstrap.py facade-show FACADE_URL
"""
import sys
import time

import openstack

HOST = '127.0.0.1'
SERVICES = [
    # name, type, URL, description
    ('nova', 'compute', 'http://%s:8774/v2.1' % HOST, 'Compute'),
    ('placement', 'placement', 'http://%s:8778' % HOST, 'Placement'),
    ('glance', 'image', 'http://%s:9292' % HOST, 'Image'),
    ('neutron', 'network', 'http://%s:9696' % HOST, 'Networking'),
    ('higgins', 'container', 'http://%s:9517/v1' % HOST,
     'Higgins containers'),
]
SERVICE_USERS = ('nova', 'glance', 'placement', 'neutron', 'higgins')
CONTAINER_TRAIT = 'CUSTOM_HIGGINS_CONTAINER'
FLAVORS = [
    # name, vCPUs, RAM MiB, disk GiB
    ('c1.tiny', 1, 128, 1),
    ('c1.small', 1, 256, 1),
    ('c1.medium', 2, 512, 2),
]
IMAGE_NAME = 'busybox'


def ensure_service_catalog(conn):
    for name, service_type, url, description in SERVICES:
        service = conn.identity.find_service(name)
        if service is None:
            service = conn.identity.create_service(
                name=name, type=service_type, description=description)
        for interface in ('public', 'internal', 'admin'):
            existing = list(conn.identity.endpoints(
                service_id=service.id, interface=interface))
            if not existing:
                conn.identity.create_endpoint(
                    service_id=service.id, interface=interface, url=url,
                    region_id='RegionOne')


def ensure_user(conn, name, password, project, role):
    user = conn.identity.find_user(name, domain_id='default')
    # The password of an existing user is left alone: secrets.env keeps it
    # stable, and changing it would revoke the tokens services hold.
    if user is None:
        user = conn.identity.create_user(
            name=name, password=password, domain_id='default',
            default_project_id=project.id)
    conn.identity.assign_project_role_to_user(project, user, role)


def ensure_project(conn, name):
    project = conn.identity.find_project(name, domain_id='default')
    return project or conn.identity.create_project(name=name,
                                                   domain_id='default')


def ensure_accounts(conn, service_password, demo_password):
    admin = conn.identity.find_role('admin')
    member = (conn.identity.find_role('member') or
              conn.identity.create_role(name='member'))
    service = ensure_project(conn, 'service')
    # Service tokens (Nova's [service_user]) must carry the 'service' role.
    service_role = (conn.identity.find_role('service') or
                    conn.identity.create_role(name='service'))
    for user in SERVICE_USERS:
        ensure_user(conn, user, service_password, service, admin)
        conn.identity.assign_project_role_to_user(
            service, conn.identity.find_user(user, domain_id='default'),
            service_role)
    for project_name in ('demo', 'alt_demo'):
        project = ensure_project(conn, project_name)
        ensure_user(conn, project_name, demo_password, project, member)


def ensure_flavors(conn):
    for name, vcpus, ram, disk in FLAVORS:
        flavor = conn.compute.find_flavor(name)
        if flavor is None:
            flavor = conn.compute.create_flavor(name=name, vcpus=vcpus,
                                                ram=ram, disk=disk)
        conn.compute.create_flavor_extra_specs(
            flavor, {'trait:%s' % CONTAINER_TRAIT: 'required'})


def ensure_quotas(conn):
    # Containers are small: room for many more than Nova's default of 10.
    for project_name in ('demo', 'alt_demo'):
        project = conn.identity.find_project(project_name,
                                             domain_id='default')
        conn.set_compute_quotas(project.id, instances=100, cores=200,
                                ram=51200)


def ensure_image(conn, archive):
    if conn.image.find_image(IMAGE_NAME) is not None:
        return
    conn.image.create_image(
        name=IMAGE_NAME, filename=archive, container_format='docker',
        disk_format='raw', visibility='public',
        hypervisor_type='docker', wait=True)


FACADE_DEMO = 'aio-facade-demo'
FACADE_HEADERS = {'OpenStack-API-Version': 'container 1.40'}


def facade(conn, method, url, **kwargs):
    return conn.session.request(url, method, headers=FACADE_HEADERS,
                                raise_exc=False, **kwargs)


def facade_demo(conn, url):
    """Runs a container through the facade unless it exists; waits for it."""
    found = facade(conn, 'GET', '%s/v1/containers/%s' % (url, FACADE_DEMO))
    if found.status_code == 404:
        created = facade(conn, 'POST', url + '/v1/containers?run=true', json={
            'name': FACADE_DEMO, 'image': IMAGE_NAME, 'memory': '128M',
            'command': ['sh', '-c', 'echo Hello through the Higgins facade; '
                        'sleep 1000000']})
        if created.status_code != 202:
            sys.exit('facade refused the container: %s' % created.text)
    deadline = time.monotonic() + 120
    while True:
        status = facade(conn, 'GET', '%s/v1/containers/%s'
                        % (url, FACADE_DEMO)).json()['status']
        if status == 'Running':
            return
        if status == 'Error' or time.monotonic() > deadline:
            sys.exit('%s is %s' % (FACADE_DEMO, status))
        time.sleep(0.5)


def facade_show(conn, url):
    container = facade(conn, 'GET', '%s/v1/containers/%s'
                       % (url, FACADE_DEMO)).json()
    print('%s (%s): %s' % (FACADE_DEMO, container['uuid'],
                           container['status']))
    logs = facade(conn, 'GET', '%s/v1/containers/%s/logs'
                  % (url, FACADE_DEMO)).json()
    print('logs:')
    for line in logs.splitlines():
        print('  ' + line)


def main():
    phase, args = sys.argv[1], sys.argv[2:]
    conn = openstack.connect()
    if phase == 'accounts':
        service_password, demo_password = args
        ensure_accounts(conn, service_password, demo_password)
        ensure_service_catalog(conn)
    elif phase == 'image':
        ensure_image(conn, args[0])
    elif phase == 'flavors':
        ensure_flavors(conn)
        ensure_quotas(conn)
    elif phase == 'facade-demo':
        facade_demo(conn, args[0])
    elif phase == 'facade-show':
        facade_show(conn, args[0])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
