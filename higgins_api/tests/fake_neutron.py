"""An in-memory Neutron under the real :class:`higgins_api.neutron.Neutron`.

The fake answers HTTP requests (method, URL, JSON body) the way Neutron's
v2.0 API does for the caller's project: it lists networks of the project,
shared and external ones, only the project's ports and security groups,
filters by repeated query parameters, and refuses deleting a security group
a port still uses (409). The facade's Neutron module runs unchanged on top
of it, so its query building and error mapping are exercised. The data
belongs to whatever plays Nova's Neutron (the unit tests' ``FakeCloud``,
the functional tests' Neutron fixture), so Nova's ports and the facade's
agree. Imports nothing of Nova.
"""
import json
from urllib import parse

from oslo_utils import uuidutils

from higgins_api import neutron


class Response:

    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body
        self.content = json.dumps(body).encode() if body is not None else b''

    def json(self):
        return self._body


def _owner(resource):
    return resource.get('project_id', resource.get('tenant_id'))


class FakeNeutronAPI:
    """A keystoneauth adapter's ``request`` over the cloud's resources."""

    def __init__(self, cloud, project, admin=False):
        self.cloud = cloud
        self.project = project
        self.admin = admin
        self.requests = []

    def get_endpoint(self):
        return 'http://neutron.test' if self.cloud.neutron_available else None

    def request(self, url, method, raise_exc=True, json=None, **kwargs):
        self.requests.append((method, url))
        failure = self.cloud.neutron_fail_next
        # A status for the next request, or (status, method) for the next
        # request with that method.
        status, only = failure if isinstance(failure, tuple) else (
            failure, method)
        if failure and only == method:
            self.cloud.neutron_fail_next = None
            return Response(status, {'NeutronError': {
                'type': 'Fault', 'message': 'secret upstream text'}})
        path, _, query = url.partition('?')
        parts = path.strip('/').split('/')[1:]   # after v2.0
        handler = getattr(self, '_%s' % method.lower())
        return handler(parts, parse.parse_qs(query), json)

    def _visible(self, collection, resource):
        if self.admin or _owner(resource) == self.project:
            return True
        return collection == 'networks' and (
            resource.get('shared') or resource.get('router:external'))

    def _get(self, parts, query, body):
        collection = parts[0]
        found = [dict(r) for r in self.cloud.neutron[collection].values()
                 if self._visible(collection, r) and all(
                     str(r.get(k)) in values for k, values in query.items())]
        return Response(200, {collection.replace('-', '_'): found})

    def _post(self, parts, query, body):
        if parts[0] == 'security-groups':
            group = dict(body['security_group'], id=uuidutils.generate_uuid(),
                         project_id=self.project, tenant_id=self.project,
                         security_group_rules=[])
            self.cloud.neutron['security-groups'][group['id']] = group
            return Response(201, {'security_group': group})
        rules = body['security_group_rules']
        for rule in rules:
            group = self.cloud.neutron['security-groups'].get(
                rule['security_group_id'])
            if group is None or not self._visible('security-groups', group):
                return Response(404, {})
        for rule in rules:
            self.cloud.neutron['security-groups'][rule['security_group_id']][
                'security_group_rules'].append(dict(rule))
        return Response(201, {'security_group_rules': rules})

    def _group(self, group_id):
        group = self.cloud.neutron['security-groups'].get(group_id)
        if group is None or not self._visible('security-groups', group):
            return None
        return group

    def _put(self, parts, query, body):
        group = self._group(parts[1])
        if group is None:
            return Response(404, {})
        group.update(body['security_group'])
        return Response(200, {'security_group': group})

    def _delete(self, parts, query, body):
        group = self._group(parts[1])
        if group is None:
            return Response(404, {})
        if any(group['id'] in p.get('security_groups', ())
               for p in self.cloud.neutron['ports'].values()):
            return Response(409, {'NeutronError': {'type': 'InUse'}})
        del self.cloud.neutron['security-groups'][group['id']]
        return Response(204)


def neutron_factory(cloud):
    """A ``neutron_factory``: the real module on the in-memory API."""
    def build(conf, auth=None, identity_headers=None):
        client = neutron.Neutron(conf)
        roles = identity_headers.get('X-Roles', '').split(',')
        client._api = FakeNeutronAPI(cloud, identity_headers['X-Project-Id'],
                                     admin='admin' in roles)
        return client
    return build
