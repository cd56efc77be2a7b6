"""Serial consoles end to end: a user's websocket through nova-serialproxy
to the container of their server, from Nova's API, the CLI and the facade.
"""
import json

import websocket

from conftest import cli
from conftest import TIMEOUT
from test_facade import containers  # noqa: F401  (a fixture)
from test_facade import wait_status
from test_facade import zun

ECHO = ['sh', '-c', 'echo ready; while read l; do echo got:$l; done']
CONSOLE_METADATA = {'higgins:command': json.dumps(ECHO),
                    'higgins:interactive': 'true', 'higgins:tty': 'true'}
# Bounds each websocket read: a console that says nothing fails the test.
READ_TIMEOUT = 30


def _round_trip(url, line):
    """Send ``line`` through the console at ``url``; return what came back.

    Stops reading once the container's answer is there.
    """
    ws = websocket.create_connection(url, timeout=READ_TIMEOUT,
                                     subprotocols=['binary'])
    try:
        ws.send_binary(line.encode() + b'\n')
        seen = b''
        answer = b'got:' + line.encode()
        while answer not in seen:
            data = ws.recv()
            if not data:
                break
            seen += data if isinstance(data, bytes) else data.encode()
        return seen
    finally:
        ws.close()


def test_serial_console_through_nova_serialproxy(demo, boot, server_name):
    server = boot(server_name, metadata=CONSOLE_METADATA)
    console = demo.compute.create_server_remote_console(
        server, protocol='serial', type='serial')
    assert console.url.startswith('ws://'), console.url
    assert b'got:hello nova' in _round_trip(console.url, 'hello nova')
    # The CLI's way to the same console: a fresh token each time.
    url = cli('demo', 'console', 'url', 'show', '--serial', '-f', 'value',
              '-c', 'url', server_name).strip()
    assert url != console.url
    assert b'got:hello cli' in _round_trip(url, 'hello cli')


def test_console_of_a_deleted_server_is_gone(demo, boot, server_name):
    server = boot(server_name, metadata=CONSOLE_METADATA)
    url = demo.compute.create_server_remote_console(
        server, protocol='serial', type='serial').url
    assert b'got:before' in _round_trip(url, 'before')
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=TIMEOUT)
    # Nova drops the server's tokens and the host closes its endpoint.
    try:
        seen = _round_trip(url, 'after')
    except (websocket.WebSocketException, ConnectionError):
        seen = b''
    assert b'got:after' not in seen


def test_attach_through_the_facade(demo, containers, server_name):  # noqa
    client, made = containers
    created = client.containers.run(name=server_name, image='busybox',
                                    command=ECHO, interactive=True,
                                    tty=True)
    made.append(created.uuid)
    wait_status(client, created.uuid, 'Running')
    shown = zun(demo).containers.get(created.uuid)
    assert (shown.interactive, shown.tty) == (True, True)
    url = client.containers.attach(created.uuid)
    assert b'got:hello zun' in _round_trip(url, 'hello zun')
