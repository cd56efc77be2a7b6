"""HTTP errors of the facade, rendered as JSON with a stable code.

Every error a caller can see is one of these; nothing else leaves the
application (an unexpected exception becomes a 500 without its text).
"""
import json

import webob


class APIError(Exception):
    status = 500
    code = 'higgins.internal_error'
    title = 'Internal Server Error'

    def __init__(self, detail=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title

    def headers(self):
        """Headers the status requires (``Allow`` for a 405)."""
        return {}

    def response(self, request_id=None):
        body = {'errors': [{'status': self.status, 'code': self.code,
                            'title': self.title, 'detail': self.detail,
                            'request_id': request_id}]}
        response = webob.Response(status=self.status, charset='utf-8',
                                  content_type='application/json',
                                  body=json.dumps(body).encode())
        response.headers.update(self.headers())
        return response


class BadRequest(APIError):
    status = 400
    code = 'higgins.bad_request'
    title = 'Bad Request'


class Unauthorized(APIError):
    status = 401
    code = 'higgins.unauthorized'
    title = 'Unauthorized'


class Forbidden(APIError):
    status = 403
    code = 'higgins.forbidden'
    title = 'Forbidden'


class NotFound(APIError):
    status = 404
    code = 'higgins.not_found'
    title = 'Not Found'


class MethodNotAllowed(APIError):
    status = 405
    code = 'higgins.method_not_allowed'
    title = 'Method Not Allowed'

    def __init__(self, detail=None, allow=()):
        super().__init__(detail)
        self.allow = tuple(allow)

    def headers(self):
        return {'Allow': ', '.join(sorted(set(self.allow)))}


class NotAcceptable(APIError):
    status = 406
    code = 'higgins.version_not_supported'
    title = 'Not Acceptable'


class Conflict(APIError):
    status = 409
    code = 'higgins.invalid_state'
    title = 'Conflict'


class NotImplementedVerb(APIError):
    status = 501
    code = 'higgins.not_implemented'
    title = 'Not Implemented'


class UpstreamError(APIError):
    """Nova failed in a way the caller cannot fix."""
    status = 502
    code = 'higgins.compute_error'
    title = 'Bad Gateway'
