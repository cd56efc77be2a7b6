"""WSGI entry point for production servers (gunicorn, uwsgi, mod_wsgi):
``higgins_api.wsgi:application``. The configuration file comes from
$HIGGINS_API_CONFIG_FILE (default /etc/higgins/higgins-api.conf)."""
import os

from higgins_api import service

CONFIG_FILE = os.environ.get('HIGGINS_API_CONFIG_FILE',
                             '/etc/higgins/higgins-api.conf')

# The server's own command line is not ours to parse.
application = service.application([], default_config_files=[CONFIG_FILE])
