"""python-zunclient, unmodified, drives containers through the facade."""
import time

from keystoneauth1 import exceptions as ks_exc
from wsgi_intercept import interceptor
from zunclient import client as zun_client
from zunclient.common.apiclient import exceptions as zun_exc

from higgins_api.tests.functional import base

FACADE_URL = 'http://higgins-facade.test:9517'


def identity_from_token(application):
    """Plays keystonemiddleware's part: the token names user and project."""
    def middleware(environ, start_response):
        user, _, project = environ.get('HTTP_X_AUTH_TOKEN', '').partition(':')
        environ.update({'HTTP_X_USER_ID': user, 'HTTP_X_PROJECT_ID': project,
                        'HTTP_X_ROLES': 'reader,member'})
        return application(environ, start_response)
    return middleware


class ZunclientTest(base.FacadeTestCase):

    def setUp(self):
        super().setUp()
        intercept = interceptor.RequestsInterceptor(
            lambda: identity_from_token(self.facade), url=FACADE_URL)
        intercept.install_intercept()
        self.addCleanup(intercept.uninstall_intercept)
        self.zun = self.client(base.PROJECT)

    def client(self, project):
        return zun_client.Client(
            '1.40', auth_token='user-of-%s:%s' % (project, project),
            endpoint_override=FACADE_URL + '/v1')

    def wait(self, uuid, status):
        deadline = time.monotonic() + 30
        while self.zun.containers.get(uuid).status != status:
            self.assertLess(time.monotonic(), deadline, status)
            time.sleep(0.1)

    def test_run_logs_stop_start_pause_kill_delete(self):
        created = self.zun.containers.run(
            name='zc', image=self.image_id,
            command=['sh', '-c', 'echo from-zunclient; sleep 1000'],
            environment={'MODE': 'test'}, cpu=1, memory='128')
        self.wait(created.uuid, 'Running')
        engine = self.engine_container(created.uuid)
        self.assertEqual('running', engine.status)
        self.assertIn('MODE=test', engine.attrs['Config']['Env'])
        self.assertEqual(['zc'],
                         [c.name for c in self.zun.containers.list()])

        deadline = time.monotonic() + 10
        logs = ''
        while 'from-zunclient' not in logs and time.monotonic() < deadline:
            logs = self.zun.containers.logs(created.uuid, stdout=True,
                                            stderr=True)
            time.sleep(0.1)
        self.assertEqual('from-zunclient\n', logs)

        self.zun.containers.stop(created.uuid, timeout=5)
        self.wait(created.uuid, 'Stopped')
        self.assertEqual('exited', self.engine_container(created.uuid).status)
        self.zun.containers.start(created.uuid)
        self.wait(created.uuid, 'Running')
        self.zun.containers.pause(created.uuid)
        self.wait(created.uuid, 'Paused')
        self.assertEqual('paused', self.engine_container(created.uuid).status)
        self.zun.containers.unpause(created.uuid)
        self.wait(created.uuid, 'Running')
        self.zun.containers.kill(created.uuid, 'SIGKILL')
        self.wait(created.uuid, 'Stopped')

        self.zun.containers.delete(created.uuid)
        deadline = time.monotonic() + 30
        while self.zun.containers.list() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual([], self.zun.containers.list())
        self.assertEqual([], self.host_containers())

    def test_errors_reach_the_client(self):
        created = self.zun.containers.run(image=self.image_id)
        self.wait(created.uuid, 'Running')
        # Wrong state.
        self.assertRaises((zun_exc.Conflict, ks_exc.Conflict),
                          self.zun.containers.start, created.uuid)
        # Another project's container does not exist for it.
        other = self.client(base.OTHER_PROJECT)
        self.assertRaises((zun_exc.NotFound, ks_exc.NotFound),
                          other.containers.get, created.uuid)
        self.assertEqual('running',
                         self.engine_container(created.uuid).status)
