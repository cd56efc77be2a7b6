"""nova.py maps Nova's answers by status code and fault-body structure."""
import unittest

from higgins_api import errors
from higgins_api import nova
from higgins_api.tests.unit import base


class FakeResponse:

    def __init__(self, status_code, body=None, text=None):
        self.status_code = status_code
        self._body = body
        self.content = text if text is not None else (b'x' if body else b'')

    def json(self):
        if self._body is None:
            raise ValueError('not JSON')
        return self._body


class FakeAdapter:
    """Answers every request with one response; records what was asked."""

    def __init__(self, response):
        self.response = response
        self.requests = []

    def request(self, url, method, **kwargs):
        self.requests.append((method, url, kwargs.get('microversion')))
        return self.response


def _nova(response):
    client = nova.Nova(base.facade_conf())
    client._api = FakeAdapter(response)
    return client


def _fault(status, message='Nova says no'):
    return {'someFault': {'code': status, 'message': message}}


class ErrorForTest(unittest.TestCase):

    def test_status_chooses_the_error_whatever_the_message(self):
        for status, error in ((400, errors.BadRequest),
                              (401, errors.Unauthorized),
                              (403, errors.Forbidden),
                              (404, errors.NotFound),
                              (409, errors.Conflict),
                              (413, errors.Forbidden),
                              (500, errors.UpstreamError),
                              (503, errors.UpstreamError)):
            for message in ('could not be found', 'Quota exceeded', ''):
                got = nova.error_for(status, _fault(status, message))
                self.assertIs(error, type(got), (status, message))

    def test_message_read_from_the_fault_body_only(self):
        self.assertEqual('Nova says no',
                         nova.error_for(400, _fault(400)).detail)
        for body in (None, [], {'a': 1}, {'a': {}}, {'a': {'message': 'x'},
                                                     'b': {}}):
            self.assertEqual('the compute service refused the request',
                             nova.error_for(400, body).detail, body)

    def test_upstream_failures_never_relay_nova_s_text(self):
        self.assertNotIn('secret', nova.error_for(
            500, _fault(500, 'secret')).detail)

    def test_not_found_names_the_container(self):
        self.assertEqual('container c1 not found', nova.error_for(
            404, _fault(404), not_found='container c1 not found').detail)


class CallTest(unittest.TestCase):

    def test_server_404_names_the_container(self):
        client = _nova(FakeResponse(404, _fault(404)))
        with self.assertRaises(errors.NotFound) as caught:
            client.server('u1')
        self.assertEqual('container u1 not found', caught.exception.detail)

    def test_non_json_error_body(self):
        client = _nova(FakeResponse(409, text=b'<html>'))
        self.assertRaises(errors.Conflict, client.delete_server, 'u1')

    def test_exists_is_a_404_check(self):
        self.assertFalse(_nova(FakeResponse(404, _fault(404)))
                         .image_exists('i1'))
        found = _nova(FakeResponse(200, {'image': {'id': 'i1'}}))
        self.assertTrue(found.image_exists('i1'))
        self.assertEqual([('GET', '/images/i1',
                           nova.IMAGE_PROXY_MICROVERSION)],
                         found._api.requests)
        self.assertTrue(_nova(FakeResponse(200, {'flavor': {}}))
                        .flavor_exists('c1.tiny'))
        self.assertRaises(errors.UpstreamError,
                          _nova(FakeResponse(500)).flavor_exists, 'x')


class ImageNameTest(unittest.TestCase):

    def test_a_name_with_a_colon_is_asked_with_glance_s_eq_operator(self):
        # Glance reads "higgins/busybox:latest" as operator
        # "higgins/busybox" unless the operator is given.
        client = _nova(FakeResponse(200, {'images': [
            {'id': 'i1', 'name': 'higgins/busybox:latest'},
            {'id': 'i2', 'name': 'other'}]}))
        self.assertEqual('i1', client.image_id('higgins/busybox:latest'))
        ((method, url, _),) = client._api.requests
        self.assertEqual(
            ('GET', '/images/detail?name=eq%3Ahiggins%2Fbusybox%3Alatest'),
            (method, url))
