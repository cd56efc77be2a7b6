"""Neutron's API as the facade uses it: networks, ports, security groups.

The facade reads networks and ports to turn Zun's ``nets`` into Nova's
``networks`` and a server's ports into Zun's ``addresses``; it creates and
deletes the one security group that opens a container's ``exposed_ports``.
Calls carry the caller's own credentials, like :mod:`higgins_api.nova`, so
Neutron shows them only what their project may see. Neutron's answers
become facade errors here and nowhere else; its text never reaches callers.
A facade whose catalog (or configuration) has no network endpoint sees a
cloud without Neutron: :meth:`Neutron.available` is false.
"""
from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging
from oslo_utils import uuidutils

from higgins_api import errors
from higgins_api import nova

LOG = logging.getLogger(__name__)

# Device ids per port listing: keeps the query string short.
_DEVICE_IDS_PER_QUERY = 40


class Neutron:
    def __init__(self, conf, auth=None, identity_headers=None):
        self._conf = conf
        self._api = nova.service_api(conf, 'neutron', 'network', auth,
                                     identity_headers)
        self._available = None

    def available(self):
        """Whether the cloud has a network service for this caller."""
        if self._available is None:
            try:
                self._available = bool(self._api.get_endpoint())
            except (ks_exc.EndpointNotFound, ks_exc.MissingAuthPlugin):
                self._available = False
        return self._available

    def _call(self, method, url, body=None, not_found=None, conflict=None):
        response = nova.send(self._api, 'network', method, url, json=body)
        status = response.status_code
        if status < 400:
            return response.json() if response.content else None
        if status == 404 and not_found:
            raise errors.NotFound(not_found)
        if status == 409 and conflict:
            raise conflict if isinstance(conflict, errors.APIError) else (
                errors.Conflict(conflict))
        LOG.warning('Network API answered %s to %s %s', status, method, url)
        if status in (401, 403, 413):
            raise nova.error_for(status, None)
        raise errors.UpstreamError('the network service failed')

    def _list(self, collection, **filters):
        query = parse.urlencode(filters, doseq=True)
        url = '/v2.0/%s%s' % (collection, '?' + query if query else '')
        return self._call('GET', url)[collection.replace('-', '_')]

    # Networks and ports.
    def networks(self, **filters):
        return self._list('networks', **filters)

    def network(self, name_or_id):
        """The network with this id, or the one with this name.

        A network the caller cannot see is not found, as in Zun.
        """
        return _one('network', name_or_id, self.networks(
            **_name_or_id_filter(name_or_id)))

    def port(self, name_or_id):
        return _one('port', name_or_id, self._list(
            'ports', **_name_or_id_filter(name_or_id)))

    def ports_of(self, device_ids):
        """The ports bound to any of these servers."""
        device_ids = list(device_ids)
        found = []
        for start in range(0, len(device_ids), _DEVICE_IDS_PER_QUERY):
            found += self._list('ports', device_id=device_ids[
                start:start + _DEVICE_IDS_PER_QUERY])
        return found

    # Security groups.
    def security_group(self, name_or_id):
        """The id of a security group the caller names; 400 if none."""
        groups = self.security_groups(**_name_or_id_filter(name_or_id))
        if not groups:
            raise errors.BadRequest('security_groups: security group %s not '
                                    'found' % name_or_id)
        if len(groups) > 1:
            raise errors.BadRequest(
                'security_groups: several security groups are named %s; use '
                'its id' % name_or_id)
        return groups[0]['id']

    def security_groups(self, **filters):
        return self._list('security-groups', **filters)

    def create_security_group(self, name, description, rules):
        """A new group of the caller's project with these ingress rules.

        Half-made groups are removed: either all rules exist or no group.
        """
        # Neutron answers 409 when the project's quota is used up.
        group = self._call('POST', '/v2.0/security-groups', {
            'security_group': {'name': name, 'description': description}},
            conflict=errors.Forbidden('exposed_ports: the network service '
                                      'refused a new security group (quota)')
        )['security_group']
        try:
            self._call('POST', '/v2.0/security-group-rules', {
                'security_group_rules': [dict(rule,
                                              security_group_id=group['id'])
                                         for rule in rules]})
        except errors.APIError:
            self.delete_security_group(group['id'])
            raise
        return group

    def rename_security_group(self, group_id, name):
        self._call('PUT', '/v2.0/security-groups/%s' % group_id,
                   {'security_group': {'name': name}})

    def delete_security_group(self, group_id):
        """Delete a group; a group already gone is fine.

        Conflict while a port still uses it.
        """
        try:
            self._call('DELETE', '/v2.0/security-groups/%s' % group_id,
                       not_found='gone',
                       conflict='security group %s is in use' % group_id)
        except errors.NotFound:
            pass


def _name_or_id_filter(name_or_id):
    if uuidutils.is_uuid_like(name_or_id):
        return {'id': name_or_id}
    return {'name': name_or_id}


def _one(kind, name_or_id, found):
    if not found:
        raise errors.NotFound('%s %s not found' % (kind, name_or_id))
    if len(found) > 1:
        raise errors.BadRequest('several %ss are named %s; use its id'
                                % (kind, name_or_id))
    return found[0]
