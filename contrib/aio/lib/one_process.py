"""Run an OpenStack console script in a single process (the all-in-one).

``python one_process.py [--privileged-calls-here] SCRIPT [ARG...]`` runs the
venv's console script SCRIPT (``neutron-l3-agent``,
``neutron-openvswitch-agent`` ...) unchanged but for what keeps the
all-in-one within one small host's memory:

* A service launched with one worker runs in this process, the way
  nova-compute always runs (oslo.service's ``no_fork``), rather than in a
  child forked by a supervising parent that holds a second copy of every
  import (130 to 170 MiB of resident memory per service).
* With ``--privileged-calls-here``, oslo.privsep entrypoints run in this
  process rather than in helper daemons started through ``privsep-helper``
  (40 to 120 MiB each). The all-in-one runs its services as root, so these
  helpers separate no privilege there. Only for a service that never enters
  a network namespace: pyroute2 forks a helper to enter one, and a child
  forked from a many-threaded service can hang on a lock another thread
  held (the L3 agent's threads waited for such children forever). The Open
  vSwitch agent works on the host's namespace only; the L3 agent's and
  nova-compute's calls go to a process of their own (privsep_hub.py).

What is given up: the parent that restarted a crashed worker (the
all-in-one's ``up`` restarts a stopped service), and more than one worker
per service (a launch with several workers is refused).
"""
from importlib import metadata
import sys


def run_privileged_calls_here():
    """Every privsep context, made already or to come, calls in-process.

    A data descriptor on the class wins over the attribute each context sets
    on itself, so contexts the script's imports already made follow too.
    """
    from oslo_privsep import priv_context

    priv_context.PrivContext.client_mode = property(
        lambda context: False, lambda context, value: None)


def one_worker(workers):
    if workers not in (None, 1):
        raise ValueError('one_process runs one worker, not %s' % workers)


def serve_in_this_process():
    """oslo.service launches of one worker run the service right here.

    oslo.service's ``no_fork`` launcher starts the service and waits for it
    at once.
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
    args = sys.argv[1:]
    privileged_here = args[:1] == ['--privileged-calls-here']
    if privileged_here:
        args = args[1:]
    if not args:
        sys.exit('usage: one_process.py [--privileged-calls-here] '
                 'SCRIPT [ARG...]')
    entry_point = console_script(args[0])
    # Loading the script imports its package first: the package picks
    # eventlet or native threads before oslo.privsep or oslo.service load.
    script_main = entry_point.load()
    if privileged_here:
        run_privileged_calls_here()
    serve_in_this_process()
    # The script sees the command line it would see run directly: oslo.config
    # names the program after argv[0].
    sys.argv = args
    sys.exit(script_main())


if __name__ == '__main__':
    main()
