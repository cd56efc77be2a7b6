"""Configuration and logging setup shared by the WSGI module and the
development server."""
from oslo_config import cfg
from oslo_log import log as logging

from higgins_api import app
from higgins_api import conf as api_conf


def prepare(argv, default_config_files=None):
    conf = cfg.CONF
    api_conf.register_opts(conf)
    logging.register_options(conf)
    conf(argv, project='higgins', prog='higgins-api',
         default_config_files=default_config_files)
    logging.setup(conf, 'higgins')
    if conf.api.auth_strategy == 'noauth' and not conf.nova.endpoint_override:
        raise SystemExit('[nova] endpoint_override is required with '
                         '[api] auth_strategy = noauth')
    return conf


def application(argv, default_config_files=None):
    return app.build(prepare(argv, default_config_files))
