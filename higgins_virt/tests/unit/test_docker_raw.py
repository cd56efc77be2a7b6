"""docker-py's private request helpers, through our one wrapper of them.

A small HTTP server on the loopback interface plays the engine, so the
installed docker-py's own URL building, error classes and stream decoding
run for real: an upgrade that changes them fails here.
"""
import http.server
import json
import threading
import unittest

import docker
from docker import errors as docker_errors

from higgins_virt.engine import docker_raw

API_VERSION = '1.41'
MESSAGES = [{'status': 'Pulling'}, {'status': 'Done', 'id': 'x'}]


class _FakeEngine(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_POST(self):
        self.server.seen.append(('POST', self.path))
        if self.path.endswith('/update'):
            length = int(self.headers.get('Content-Length') or 0)
            self.server.bodies.append(json.loads(self.rfile.read(length)))
            body = b'{"Warnings": []}'
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if 'missing' in self.path:
            body = b'{"message": "no such image"}'
            self.send_response(404)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        for message in MESSAGES:
            data = json.dumps(message).encode() + b'\r\n'
            self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))
        self.wfile.write(b'0\r\n\r\n')

    def do_HEAD(self):
        self.server.seen.append(('HEAD', self.path))
        self.send_response(200)
        self.send_header('X-Stat', 'yes')
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


class DockerRawTest(unittest.TestCase):

    def setUp(self):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                 _FakeEngine)
        server.seen = []
        server.bodies = []
        self.server = server
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.client = docker.APIClient(
            base_url='tcp://127.0.0.1:%d' % server.server_address[1],
            version=API_VERSION, timeout=5)
        self.addCleanup(self.client.close)

    def test_post_json_stream_decodes_each_message(self):
        messages = list(docker_raw.post_json_stream(
            self.client, '/images/create',
            params={'fromImage': 'busybox', 'tag': 'latest'}, timeout=5))
        self.assertEqual(MESSAGES, messages)
        self.assertEqual(
            [('POST', '/v%s/images/create?fromImage=busybox&tag=latest'
              % API_VERSION)], self.server.seen)

    def test_post_json_stream_error_status_is_a_docker_error(self):
        stream = docker_raw.post_json_stream(
            self.client, '/images/create', params={'fromImage': 'missing'},
            timeout=5)
        self.assertRaises(docker_errors.NotFound, list, stream)

    def test_head_fills_and_quotes_the_path(self):
        response = docker_raw.head(self.client, '/containers/{0}/archive',
                                   'higgins-1 x', params={'path': '/bin/sh'},
                                   timeout=5)
        self.assertEqual('yes', response.headers['X-Stat'])
        self.assertEqual(
            [('HEAD', '/v%s/containers/higgins-1%%20x/archive'
              '?path=%%2Fbin%%2Fsh' % API_VERSION)], self.server.seen)

    def test_post_json_sends_the_body_and_decodes_the_answer(self):
        answer = docker_raw.post_json(self.client, '/containers/{0}/update',
                                      'higgins-1', data={'NanoCpus': 5})
        self.assertEqual({'Warnings': []}, answer)
        self.assertEqual([{'NanoCpus': 5}], self.server.bodies)
        self.assertEqual(
            [('POST', '/v%s/containers/higgins-1/update' % API_VERSION)],
            self.server.seen)
