"""Glance's image API as the facade uses it: engine references as images.

A Zun client names an image the engine knows (``image_driver=docker``,
``image=nginx:1.27``). Nova boots only Glance images, so the facade finds,
in the caller's own project, a data-less container image naming that
reference (container format ``docker``, property ``higgins_image_ref``),
and registers one when there is none. Registering grants nothing: the
compute host's driver boots such an image only when the operator's
``[higgins] image_reference_patterns`` allow its reference. Calls carry
the caller's own credentials, like :mod:`higgins_api.nova`.
"""
from urllib import parse

from oslo_log import log as logging

from higgins_api import errors
from higgins_api import nova

LOG = logging.getLogger(__name__)

#: The image property the driver reads (higgins_virt.images).
REFERENCE_PROPERTY = 'higgins_image_ref'
CONTAINER_FORMAT = 'docker'


def is_reference_image(image, reference, project_id):
    """Whether a Glance image record is the project's image of a reference.

    Only the caller's own images count: another project's image of the
    same name must not be picked up.
    """
    return (image.get(REFERENCE_PROPERTY) == reference and
            image.get('container_format') == CONTAINER_FORMAT and
            image.get('owner') == project_id and
            image.get('status') == 'active' and not image.get('size'))


class Glance:
    def __init__(self, conf, auth=None, identity_headers=None):
        self._api = nova.service_api(conf, 'glance', 'image', auth,
                                     identity_headers)

    def _call(self, method, url, body=None, data=None, headers=None):
        response = nova.send(self._api, 'image', method, url, json=body,
                             data=data, headers=headers)
        if response.status_code < 400:
            return response.json() if response.content else None
        LOG.warning('Image API answered %s to %s %s',
                    response.status_code, method, url)
        if response.status_code in (401, 403, 413):
            raise nova.error_for(response.status_code, None)
        raise errors.UpstreamError('the image service failed')

    def reference_image(self, reference, project_id):
        """The id of the project's image of ``reference``, made if needed."""
        # Glance reads "op:value" in name filters, and references have a
        # colon (busybox:latest): the operator must be given.
        query = parse.urlencode({'name': 'eq:' + reference,
                                 'owner': project_id,
                                 'container_format': CONTAINER_FORMAT})
        listed = self._call('GET', '/v2/images?' + query)
        for image in listed.get('images', []):
            if is_reference_image(image, reference, project_id):
                return image['id']
        return self._register(reference)

    def _register(self, reference):
        image = self._call('POST', '/v2/images', {
            'name': reference, 'container_format': CONTAINER_FORMAT,
            'disk_format': 'raw', 'visibility': 'private',
            REFERENCE_PROPERTY: reference})
        # No data: an empty upload makes the image active, so Nova boots it.
        self._call('PUT', '/v2/images/%s/file' % image['id'], data=b'',
                   headers={'Content-Type': 'application/octet-stream'})
        LOG.info('Registered image %s for engine reference %s',
                 image['id'], reference)
        return image['id']
