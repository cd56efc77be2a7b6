"""Handlers of /v1/hosts: Nova's hypervisors as Zun's compute hosts (admin).

Each Higgins compute node is one Nova hypervisor; its uuid is the host's
uuid, and its capacity and use come from Nova's hypervisor record.
"""
from higgins_api import errors
from higgins_api import policy
from higgins_api import translate


def host_view(hypervisor, base_url):
    """A Nova hypervisor (microversion 2.53 to 2.87) as a Zun host."""
    cpu_info = hypervisor.get('cpu_info')
    arch = cpu_info.get('arch') if isinstance(cpu_info, dict) else None
    uuid = hypervisor['id']
    return {
        'uuid': uuid,
        'hostname': hypervisor.get('hypervisor_hostname'),
        'mem_total': hypervisor.get('memory_mb'),
        'mem_used': hypervisor.get('memory_mb_used'),
        'cpus': hypervisor.get('vcpus'),
        'cpu_used': hypervisor.get('vcpus_used'),
        'disk_total': hypervisor.get('local_gb'),
        'disk_used': hypervisor.get('local_gb_used'),
        'total_containers': hypervisor.get('running_vms'),
        'architecture': arch,
        'os_type': 'linux',
        'hypervisor_type': hypervisor.get('hypervisor_type'),
        'state': hypervisor.get('state'),
        'status': hypervisor.get('status'),
        'labels': {},
        'links': [{'href': '%s/v1/hosts/%s' % (base_url, uuid),
                   'rel': 'self'}],
    }


def hosts(req):
    policy.authorize(req)
    return 200, {'hosts': [host_view(h, req.host_url)
                           for h in req.nova.hypervisors()]}


def host(req, ident):
    policy.authorize(req)
    uuid = translate.canonical_uuid(ident)
    if uuid is None:
        raise errors.NotFound('host %s not found' % ident)
    return 200, host_view(req.nova.hypervisor(uuid), req.host_url)
