"""Set up the all-in-one cloud's accounts, catalog, flavors and image.

Runs as Keystone's bootstrap admin (OS_* variables) and is idempotent: what
exists is left alone, so `higgins-aio up` can run it every time. Addresses
are not kept here: each service's lib/<service>.sh passes its catalog URL,
and the facade's URL is $FACADE_URL, exported by lib/config.sh. The flavors
and the trait they require are higgins_common.contract's.

usage: bootstrap.py accounts DEMO_PASSWORD
       bootstrap.py service NAME TYPE URL DESCRIPTION SERVICE_PASSWORD
       bootstrap.py image BUSYBOX_ARCHIVE [NAME] (needs Glance)
       bootstrap.py flavors                     (needs Nova's API)
       bootstrap.py networks                    (needs Neutron's API)
       bootstrap.py test-project NAME PASSWORD  (needs all of them)
       bootstrap.py facade-demo                 (as the demo user)
       bootstrap.py facade-show
"""
import os
import sys
import time

import openstack

from higgins_common import contract

IMAGE_NAME = 'busybox'


def ensure_catalog_entry(conn, name, service_type, url, description):
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


def ensure_role(conn, name):
    return (conn.identity.find_role(name) or
            conn.identity.create_role(name=name))


def ensure_accounts(conn, demo_password):
    member = ensure_role(conn, 'member')
    ensure_project(conn, 'service')
    # Service tokens (Nova's [service_user]) must carry the 'service' role.
    ensure_role(conn, 'service')
    for project_name in ('demo', 'alt_demo'):
        project = ensure_project(conn, project_name)
        ensure_user(conn, project_name, demo_password, project, member)


def ensure_service_user(conn, name, password):
    """Service user NAME: admin and service roles in the service project."""
    service = ensure_project(conn, 'service')
    ensure_user(conn, name, password, service, ensure_role(conn, 'admin'))
    conn.identity.assign_project_role_to_user(
        service, conn.identity.find_user(name, domain_id='default'),
        ensure_role(conn, 'service'))


def ensure_flavors(conn):
    for name, vcpus, ram, disk in contract.FLAVORS:
        flavor = conn.compute.find_flavor(name)
        if flavor is None:
            flavor = conn.compute.create_flavor(name=name, vcpus=vcpus,
                                                ram=ram, disk=disk)
        # Every engine of the all-in-one remaps users and enforces disks:
        # its flavors show how an operator requires hosts that do.
        conn.compute.create_flavor_extra_specs(flavor, {
            contract.CONTAINER_TRAIT_SPEC: 'required',
            'trait:%s' % contract.USERNS_TRAIT: 'required',
            'trait:%s' % contract.DISK_QUOTA_TRAIT: 'required'})


def ensure_quotas(conn):
    # Containers are small: room for many more than Nova's default of 10.
    for project_name in ('demo', 'alt_demo'):
        project = conn.identity.find_project(project_name,
                                             domain_id='default')
        conn.set_compute_quotas(project.id, instances=100, cores=200,
                                ram=51200)


def ensure_image(conn, archive, name=IMAGE_NAME):
    if conn.image.find_image(name) is not None:
        return
    conn.image.create_image(
        name=name, filename=archive, container_format='docker',
        disk_format='raw', visibility='public',
        hypervisor_type='docker', wait=True)


PUBLIC_NETWORK = 'public'
PRIVATE_NETWORK = 'private'


def ensure_public_network(conn):
    """The external network on physnet `public` (lib/ovs.sh's br-ex)."""
    network = conn.network.find_network(PUBLIC_NETWORK)
    if network is None:
        network = conn.network.create_network(
            name=PUBLIC_NETWORK, is_router_external=True, is_shared=False,
            provider_network_type='flat',
            provider_physical_network='public')
    if not list(conn.network.subnets(network_id=network.id)):
        conn.network.create_subnet(
            name=PUBLIC_NETWORK + '-subnet', network_id=network.id,
            ip_version=4, cidr=os.environ['AIO_PUBLIC_CIDR'],
            # No gateway: the host ($AIO_PUBLIC_HOST_IP, on the link) is
            # all the routers reach; nothing is routed beyond it.
            gateway_ip=None, is_dhcp_enabled=False,
            allocation_pools=[{'start': os.environ['AIO_PUBLIC_POOL_START'],
                               'end': os.environ['AIO_PUBLIC_POOL_END']}])
    return network


def ensure_project_network(conn, project, public):
    """``project``'s `private` network, subnet and router to `public`.

    Higgins writes every address into the container itself, so the subnet
    needs no DHCP server.
    """
    network = conn.network.find_network(PRIVATE_NETWORK,
                                        project_id=project.id)
    if network is None:
        network = conn.network.create_network(name=PRIVATE_NETWORK,
                                              project_id=project.id)
    subnets = list(conn.network.subnets(network_id=network.id))
    if subnets:
        subnet = subnets[0]
    else:
        subnet = conn.network.create_subnet(
            name=PRIVATE_NETWORK + '-subnet', network_id=network.id,
            project_id=project.id, ip_version=4,
            cidr=os.environ['AIO_PRIVATE_CIDR'], is_dhcp_enabled=False)
    router = conn.network.find_router('router', project_id=project.id)
    if router is None:
        router = conn.network.create_router(
            name='router', project_id=project.id,
            external_gateway_info={'network_id': public.id})
    interfaces = conn.network.ports(device_id=router.id,
                                    network_id=network.id)
    if not list(interfaces):
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)


def ensure_networks(conn):
    public = ensure_public_network(conn)
    for project_name in ('demo', 'alt_demo'):
        project = conn.identity.find_project(project_name,
                                             domain_id='default')
        ensure_project_network(conn, project, public)


def ensure_test_project(conn, name, password):
    """Project and member user NAME, with quotas and a `private` network.

    For test suites that run with pre-provisioned accounts (higgins-aio
    tempest's zun suites).
    """
    project = ensure_project(conn, name)
    ensure_user(conn, name, password, project, ensure_role(conn, 'member'))
    conn.set_compute_quotas(project.id, instances=100, cores=200,
                            ram=51200)
    ensure_project_network(conn, project, ensure_public_network(conn))


FACADE_DEMO = 'aio-facade-demo'
FACADE_HEADERS = {'OpenStack-API-Version': 'container 1.40'}


def facade(conn, method, url, **kwargs):
    return conn.session.request(url, method, headers=FACADE_HEADERS,
                                raise_exc=False, **kwargs)


def facade_demo(conn, url):
    """Runs (or starts) the facade's demo container; waits for it."""
    found = facade(conn, 'GET', '%s/v1/containers/%s' % (url, FACADE_DEMO))
    if found.status_code == 404:
        created = facade(conn, 'POST', url + '/v1/containers?run=true', json={
            'name': FACADE_DEMO, 'image': IMAGE_NAME, 'memory': '128M',
            'command': ['sh', '-c', 'echo Hello through the Higgins facade; '
                        'sleep 1000000']})
        if created.status_code != 202:
            sys.exit('facade refused the container: %s' % created.text)
    elif found.json()['status'] == 'Stopped':
        # Its compute host's engine stopped with `down` (hosts 2 and up
        # have engines of their own, started again by `up`).
        facade(conn, 'POST', '%s/v1/containers/%s/start'
               % (url, FACADE_DEMO))
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
        ensure_accounts(conn, *args)
    elif phase == 'service':
        name, service_type, url, description, password = args
        ensure_service_user(conn, name, password)
        ensure_catalog_entry(conn, name, service_type, url, description)
    elif phase == 'image':
        ensure_image(conn, *args)
    elif phase == 'flavors':
        ensure_flavors(conn)
        ensure_quotas(conn)
    elif phase == 'networks':
        ensure_networks(conn)
    elif phase == 'test-project':
        ensure_test_project(conn, *args)
    elif phase == 'facade-demo':
        facade_demo(conn, os.environ['FACADE_URL'])
    elif phase == 'facade-show':
        facade_show(conn, os.environ['FACADE_URL'])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
