"""nova-conductor and nova-scheduler in one process (the all-in-one).

``python nova_control.py --config-file nova.conf ...`` starts both services
as their own console scripts would (same configuration, logging, guru
meditation reports, service records and RPC topics), each with one worker,
in threads of this one process, the way Nova's functional tests run them.
Two processes would each hold a copy of Nova's imports: about 130 MiB of
resident memory for the second one on one small host.

SIGTERM stops both services and ends the process.
"""
# Nova's console scripts pick native threads before anything else loads.
from nova import monkey_patch; monkey_patch.patch(backend='threading')  # noqa

import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from oslo_log import log as logging  # noqa: E402
from oslo_reports import guru_meditation_report as gmr  # noqa: E402
from oslo_reports import opts as gmr_opts  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402

from nova.conductor import rpcapi as conductor_rpcapi  # noqa: E402
import nova.conf  # noqa: E402
from nova import config  # noqa: E402
from nova import objects  # noqa: E402
from nova.scheduler import rpcapi as scheduler_rpcapi  # noqa: E402
from nova import service  # noqa: E402
from nova import version  # noqa: E402

CONF = nova.conf.CONF
LOG = logging.getLogger('nova_control')

SERVICES = (
    ('nova-conductor', conductor_rpcapi.RPC_TOPIC),
    ('nova-scheduler', scheduler_rpcapi.RPC_TOPIC),
)


def main():
    config.parse_args(sys.argv)
    logging.setup(CONF, 'nova')
    objects.register_all()
    gmr_opts.set_defaults(CONF)
    objects.Service.enable_min_version_cache()
    gmr.TextGuruMeditation.setup_autorun(version, conf=CONF)

    # oslo.service's plain Launcher runs each service in a thread here.
    launcher = oslo_service.Launcher(CONF, restart_method='mutate')
    for binary, topic in SERVICES:
        launcher.launch_service(
            service.Service.create(binary=binary, topic=topic))

    def stop(signum, frame):
        LOG.info('Stopping %s', ', '.join(b for b, _ in SERVICES))
        launcher.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    launcher.wait()


if __name__ == '__main__':
    main()
