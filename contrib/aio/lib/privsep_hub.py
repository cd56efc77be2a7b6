"""One process serves a service's oslo.privsep contexts (the all-in-one).

oslo.privsep starts one helper daemon per context, and each helper imports
what its entrypoints need on its own: the L3 agent's three (``default``,
``link_cmd``, ``namespace_cmd``) hold about 118 MiB each, nearly all of it the
same Neutron modules three times. The hub holds them once. It is a service of
its own, started before the service it serves, and it stays a separate
process: entrypoints that enter network namespaces fork (pyroute2), and a
child forked from a busy agent could hang on a lock another of its threads
held (``one_process.py`` says more).

    privsep_hub.py serve SOCKET --config-file F... --log-file LOG
        The hub: listens on the Unix socket SOCKET (root only) and reads the
        served service's configuration files, as its helpers would.
    privsep_hub.py connect SOCKET --privsep_context C --privsep_sock_path P
        A context's ``helper_command`` (oslo.privsep appends the last two
        options). Asks the hub to serve context C on the client's socket P,
        and exits 0 once it does: what oslo.privsep waits for from a helper.

The hub serves a context with oslo.privsep's own request loop, as the helper
daemon does, without the helper's change of user and capabilities: the
all-in-one runs its services as root, so the helpers separated no privilege
there.
"""
import json
import os
import socket
import sys
import threading
import time

# How long a client waits for the hub's socket (while the hub starts or
# restarts), and for its answer (the hub imports a context's module on the
# context's first use).
HUB_START_TIMEOUT = 30
ANSWER_TIMEOUT = 60


def connect(hub_path, argv):
    """Ask the hub to serve a context; stays light (no OpenStack imports)."""
    options = dict(zip(argv[::2], argv[1::2]))
    request = {'context': options.get('--privsep_context'),
               'sock_path': options.get('--privsep_sock_path')}
    if None in request.values():
        sys.exit('privsep_hub connect: --privsep_context and '
                 '--privsep_sock_path are required')
    deadline = time.monotonic() + HUB_START_TIMEOUT
    while True:
        try:
            answer = ask(hub_path, request)
            break
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            # The hub is (re)starting: its socket comes back in seconds.
            if time.monotonic() > deadline:
                sys.exit('privsep_hub connect: no hub listens on %s (%s)'
                         % (hub_path, exc))
            time.sleep(0.2)
        except OSError as exc:
            sys.exit('privsep_hub connect: the hub at %s did not answer (%s)'
                     % (hub_path, exc))
    if answer != 'ok':
        sys.exit('privsep_hub connect: %s' % (answer or 'no answer'))


def ask(hub_path, request):
    with socket.socket(socket.AF_UNIX) as hub:
        hub.settimeout(ANSWER_TIMEOUT)
        hub.connect(hub_path)
        hub.sendall(json.dumps(request).encode() + b'\n')
        return hub.makefile().readline().strip()


def listen(hub_path):
    """The hub's socket, for root only: it runs anything privileged."""
    if os.path.exists(hub_path):
        os.unlink(hub_path)
    listener = socket.socket(socket.AF_UNIX)
    os.umask(0o077)
    listener.bind(hub_path)
    listener.listen(16)
    return listener


def serve(hub_path, argv):
    from oslo_config import cfg
    from oslo_log import log as logging
    from oslo_privsep import comm
    from oslo_privsep import daemon
    from oslo_privsep import priv_context
    from oslo_utils import importutils

    import one_process

    logging.register_options(cfg.CONF)
    cfg.CONF(args=argv, project='privsep')
    logging.setup(cfg.CONF, 'privsep')
    log = logging.getLogger('privsep_hub')
    listener = listen(hub_path)
    # What the helper daemon sets before its request loop.
    os.chdir('/')
    os.umask(0)
    # An entrypoint that calls another context's entrypoint runs it here too,
    # never through a helper of its own.
    one_process.run_privileged_calls_here()

    def serve_context(name, sock_path):
        context = importutils.import_class(name)
        if not isinstance(context, priv_context.PrivContext):
            raise ValueError('%s is not a privsep context' % name)
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(sock_path)
        daemon.set_cloexec(sock)
        request_loop = daemon.Daemon(comm.ServerChannel(sock), context)

        def run():
            try:
                request_loop.loop()
            except Exception:
                log.exception('serving %s failed', name)
            finally:
                request_loop.thread_pool.shutdown(wait=False)
                sock.close()
                log.info('%s: its client went away', name)

        threading.Thread(target=run, name=name, daemon=True).start()
        log.info('serving %s', name)

    def answer(client):
        with client:
            try:
                request = json.loads(client.makefile().readline())
                serve_context(request['context'], request['sock_path'])
                reply = 'ok'
            except Exception as exc:
                log.exception('could not serve a context')
                reply = 'the hub could not serve it: %s' % type(exc).__name__
            client.sendall(reply.encode() + b'\n')

    log.info('privsep hub listening on %s', hub_path)
    while True:
        client, _address = listener.accept()
        answer(client)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('serve', 'connect'):
        sys.exit('usage: privsep_hub.py serve|connect SOCKET [OPTION...]')
    command, hub_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    if command == 'connect':
        connect(hub_path, argv)
    else:
        serve(hub_path, argv)


if __name__ == '__main__':
    main()
