"""``higgins-api``: the facade on a threaded development server."""
import socketserver
import sys
from wsgiref import simple_server

from higgins_api import service


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    daemon_threads = True


def main():
    application = service.application(sys.argv[1:])
    conf = service.cfg.CONF
    server = simple_server.make_server(conf.api.host, conf.api.port,
                                       application,
                                       server_class=_ThreadingServer)
    print('higgins-api on http://%s:%d' % (conf.api.host, conf.api.port))
    server.serve_forever()
