"""Run an OpenStack console script in a single process (the all-in-one).

``python one_process.py SCRIPT [ARG...]`` runs the venv's console script
SCRIPT (``nova-conductor``, ``neutron-l3-agent`` ...) unchanged but for one
thing that keeps the all-in-one within one small host's memory: a service
launched with one worker runs in this process, the way nova-compute always
runs (oslo.service's ``no_fork``), rather than in a child forked by a
supervising parent that holds a second copy of every import (130 to 170 MiB
of resident memory per service).

What is given up: the parent that restarted a crashed worker (the
all-in-one's ``up`` restarts a stopped service), and more than one worker
per service (a launch with several workers is refused).

Privileged calls still go to oslo.privsep's helpers. Run in the service
itself they would save their memory too, but pyroute2 then forks its
namespace helpers from a many-threaded process whose SIGTERM handler (the
launcher's) the child cannot run: the L3 agent's threads waited for such
children forever.
"""
from importlib import metadata
import sys


def one_worker(workers):
    if workers not in (None, 1):
        raise ValueError('one_process runs one worker, not %s' % workers)


def serve_in_this_process():
    """oslo.service launches of one worker run the service right here.

    oslo.service's ``no_fork`` launcher starts the service and waits for it
    at once; Neutron's RPC server therefore logs "Possible hang: wait is
    waiting for stop to complete" once, thirty seconds after it starts, and
    serves on.
    """
    from oslo_service import service

    launch = service.launch

    class OneProcessLauncher(service.ProcessLauncher):
        def __init__(self, conf, *args, **kwargs):
            kwargs['no_fork'] = True
            super().__init__(conf, *args, **kwargs)

        def launch_service(self, server, workers=1):
            one_worker(workers)
            super().launch_service(server, workers)

    def launch_here(conf, server, workers=1, **kwargs):
        one_worker(workers)
        kwargs['no_fork'] = True
        return launch(conf, server, workers=workers, **kwargs)

    service.launch = launch_here
    service.ProcessLauncher = OneProcessLauncher


def console_script(name):
    found = metadata.entry_points(group='console_scripts', name=name)
    if not found:
        sys.exit('one_process: no console script named %s' % name)
    return next(iter(found))


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: one_process.py SCRIPT [ARG...]')
    entry_point = console_script(sys.argv[1])
    # Loading the script imports its package first: the package picks
    # eventlet or native threads before oslo.service's launchers load.
    script_main = entry_point.load()
    serve_in_this_process()
    # The script sees the command line it would see run directly: oslo.config
    # names the program after argv[0].
    sys.argv = [sys.argv[1]] + sys.argv[2:]
    sys.exit(script_main())


if __name__ == '__main__':
    main()
