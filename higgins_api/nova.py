"""Nova's compute API as the facade uses it, with the caller's identity.

Requests go through keystoneauth with the caller's own credentials (the
auth plugin keystonemiddleware built from their token), never a service
account. Nova's and keystoneauth's errors become facade errors here and
nowhere else.
"""
import re
from urllib import parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from oslo_log import log as logging
from oslo_utils import uuidutils

from higgins_api import errors

LOG = logging.getLogger(__name__)

# 2.47: flavor details embedded in servers; 2.61: flavor extra specs;
# 2.45: createImage returns the image id.
MICROVERSION = '2.79'
# Nova's image proxy (name lookups) stops at 2.35.
IMAGE_PROXY_MICROVERSION = '2.35'
# 2.90: a server's hostname may be chosen when it is created.
HOSTNAME_MICROVERSION = '2.90'
_REQUEST_ID = re.compile(r'^req-[0-9a-f-]{36}$')

_STATUS_ERRORS = {
    400: errors.BadRequest,
    401: errors.Unauthorized,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    413: errors.Forbidden,  # over quota
}


def send(api, service, method, url, **kwargs):
    """``api``'s response to one request; no answer is an UpstreamError.

    ``service`` names the service in messages (``compute``, ``image``).
    """
    try:
        return api.request(url, method, raise_exc=False, **kwargs)
    except ks_exc.EndpointNotFound:
        raise errors.UpstreamError('no %s endpoint in the catalog' % service)
    except ks_exc.ConnectionError:
        LOG.warning('%s API unreachable for %s %s', service.capitalize(),
                    method, url)
        raise errors.UpstreamError('the %s service is unreachable' % service)


def service_api(conf, group, service_type, auth, identity_headers,
                **kwargs):
    """A keystoneauth adapter for ``service_type``.

    Found as ``[group]`` of ``conf`` says; calls carry the caller's
    credentials.
    """
    options = conf[group]
    return adapter.Adapter(
        ks_session.Session(auth=auth, timeout=conf.nova.timeout),
        service_type=service_type, interface=options.interface,
        region_name=options.region_name,
        endpoint_override=options.endpoint_override,
        additional_headers=dict(identity_headers or {}), **kwargs)


class Nova:
    def __init__(self, conf, auth=None, identity_headers=None):
        self._api = service_api(conf, 'nova', 'compute', auth,
                                identity_headers,
                                default_microversion=MICROVERSION)

    #: Nova's request id of the last server action asked (the id of the
    #: instance action it recorded), or None.
    action_request_id = None

    def _call(self, method, url, body=None, microversion=None,
              not_found=None, response_of=None):
        response = send(self._api, 'compute', method, url, json=body,
                        microversion=microversion or MICROVERSION)
        if response_of is not None:
            response_of(response)
        if response.status_code < 400:
            return response.json() if response.content else None
        if response.status_code not in _STATUS_ERRORS:
            LOG.warning('Compute API answered %s to %s %s',
                        response.status_code, method, url)
        raise error_for(response.status_code, _json_or_none(response),
                        not_found=not_found)

    def _exists(self, url, microversion=None):
        """Whether Nova finds the resource at ``url`` (404 means no)."""
        try:
            self._call('GET', url, microversion=microversion)
        except errors.NotFound:
            return False
        return True

    # Servers.
    def servers(self, all_projects=False, name=None, limit=None,
                marker=None):
        query = {}
        if all_projects:
            query['all_tenants'] = 1
        if name:
            query['name'] = name
        if limit:
            query['limit'] = limit
        if marker:
            query['marker'] = marker
        return self._call('GET', '/servers/detail' + _query(query))['servers']

    def server(self, server_id):
        return self._call('GET', '/servers/%s' % server_id,
                          not_found='container %s not found' % server_id
                          )['server']

    def create_server(self, body, microversion=None):
        return self._call('POST', '/servers', body,
                          microversion=microversion)['server']

    def server_actions(self, server_id):
        """The actions Nova recorded on a server (create, stop, start …)."""
        return self._call('GET', '/servers/%s/os-instance-actions'
                          % server_id)['instanceActions']

    def update_server(self, server_id, fields):
        return self._call('PUT', '/servers/%s' % server_id,
                          {'server': fields})['server']

    def delete_server(self, server_id):
        self._call('DELETE', '/servers/%s' % server_id)

    def action(self, server_id, action, args=None):
        def remember(response):
            self.action_request_id = _request_id(response)
        return self._call('POST', '/servers/%s/action' % server_id,
                          {action: args}, response_of=remember)

    def server_action(self, server_id, request_id):
        """One instance action of a server, with its events."""
        return self._call('GET', '/servers/%s/os-instance-actions/%s' % (
            server_id, parse.quote(request_id, safe='')),
            not_found='action %s not found' % request_id)['instanceAction']

    def serial_console(self, server_id):
        """The websocket URL of the server's serial console (a token in it).

        Nova answers 400 when serial consoles are off, 409 when the server
        is not running.
        """
        body = {'remote_console': {'protocol': 'serial', 'type': 'serial'}}
        return self._call('POST', '/servers/%s/remote-consoles' % server_id,
                          body)['remote_console']['url']

    # Ports of a server (os-interface).
    def attach_interface(self, server_id, port_id=None, net_id=None,
                         fixed_ip=None):
        """Attach a port, or a new port on a network; Nova waits for it."""
        attachment = {'port_id': port_id} if port_id else {'net_id': net_id}
        if fixed_ip:
            attachment['fixed_ips'] = [{'ip_address': fixed_ip}]
        return self._call('POST', '/servers/%s/os-interface' % server_id,
                          {'interfaceAttachment': attachment}
                          )['interfaceAttachment']

    def detach_interface(self, server_id, port_id):
        """Ask Nova to detach a port (it answers before it is done)."""
        self._call('DELETE', '/servers/%s/os-interface/%s'
                   % (server_id, port_id))

    def diagnostics(self, server_id):
        """Nova's server diagnostics (2.48 and later: a fixed format).

        Admin-only under Nova's default policy
        (``os_compute_api:os-server-diagnostics``).
        """
        return self._call('GET', '/servers/%s/diagnostics' % server_id)

    # Compute hosts (admin).
    def hypervisors(self):
        return self._call('GET', '/os-hypervisors/detail')['hypervisors']

    def hypervisor(self, hypervisor_id):
        return self._call('GET', '/os-hypervisors/%s' % hypervisor_id,
                          not_found='host %s not found' % hypervisor_id
                          )['hypervisor']

    # Flavors and images.
    def flavors(self):
        return self._call('GET', '/flavors/detail')['flavors']

    def flavor_exists(self, flavor_id):
        return self._exists('/flavors/%s' % parse.quote(flavor_id, safe=''))

    def image_exists(self, image_id):
        return self._exists('/images/%s' % parse.quote(image_id, safe=''),
                            microversion=IMAGE_PROXY_MICROVERSION)

    def image_id(self, name_or_id):
        """The id of the image with this id, or of the one with this name.

        An id is passed on as it is: Nova checks it when it creates the
        server (a 400 naming the image if it does not exist).
        """
        if uuidutils.is_uuid_like(name_or_id):
            return name_or_id
        return self.image_named(name_or_id)['id']

    def images_named(self, name):
        """The images the caller sees that are named ``name``."""
        # Glance reads "op:value" in name filters, and names may have a
        # colon (busybox:latest): the operator must be given.
        listed = self._call('GET', '/images/detail' + _query(
            {'name': 'eq:' + name}), microversion=IMAGE_PROXY_MICROVERSION)
        return [i for i in listed['images'] if i.get('name') == name]

    def image_named(self, name_or_id):
        matches = self.images_named(name_or_id)
        if not matches:
            raise errors.BadRequest('image: %s not found' % name_or_id)
        if len(matches) > 1:
            # Zun answers 409 for a name several images share.
            raise errors.Conflict(
                'image: several images are named %s; use its id' % name_or_id)
        return matches[0]


def _request_id(response):
    """Nova's request id of a response, if it is one Nova gave."""
    value = (getattr(response, 'headers', None) or {}).get(
        'x-openstack-request-id', '')
    return value if _REQUEST_ID.match(value) else None


def _query(params):
    return '?' + parse.urlencode(params) if params else ''


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def error_for(status_code, body, not_found=None):
    """The facade error for Nova's error answer.

    The HTTP status chooses the error; the message of Nova's fault body,
    ``{"<fault>": {"code": N, "message": "..."}}``, written for API users,
    words it.
    """
    error = _STATUS_ERRORS.get(status_code)
    if error is None:
        return errors.UpstreamError('the compute service failed')
    if error is errors.NotFound and not_found:
        return errors.NotFound(not_found)
    return error(_fault_message(body))


def _fault_message(body):
    faults = list(body.values()) if isinstance(body, dict) else []
    if len(faults) == 1 and isinstance(faults[0], dict) and (
            faults[0].get('message') is not None):
        return str(faults[0]['message'])[:500]
    return 'the compute service refused the request'
