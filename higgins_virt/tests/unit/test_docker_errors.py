"""Docker's vocabulary stays in the Docker engine.

docker-py exceptions become Higgins engine errors with safe messages, and
Docker's event actions become engine-neutral event kinds.
"""
import unittest
from unittest import mock

from docker import errors as docker_errors
import requests

from higgins_virt.engine import base
from higgins_virt.engine import docker as docker_engine
from higgins_virt.engine import errors

SECRET = 'OCI runtime create failed: /var/lib/docker/overlay2/abc token=s3cr3t'


def _api_error(status, explanation=SECRET):
    response = mock.Mock(status_code=status)
    return docker_errors.APIError('boom', response=response,
                                  explanation=explanation)


class TranslationTest(unittest.TestCase):

    def _translate(self, exc, action='create'):
        with self.assertRaises(errors.EngineError) as ctx:
            with docker_engine._as_engine_errors(action, 'c1'):
                raise exc
        self.assertNotIn('s3cr3t', str(ctx.exception))
        self.assertNotIn('overlay2', str(ctx.exception))
        # The engine's own exception stays reachable, for the log only.
        self.assertIs(exc, ctx.exception.__cause__)
        return ctx.exception

    def test_mapping(self):
        cases = [
            (docker_errors.ImageNotFound('no such image'), 'create',
             errors.ImageNotFound),
            (docker_errors.NotFound('x', explanation='No such container'),
             'start', errors.ContainerNotFound),
            (_api_error(409), 'create', errors.ContainerConflict),
            (_api_error(400), 'create', errors.InvalidContainer),
            (_api_error(500, SECRET + ' executable file not found'), 'start',
             errors.CommandFailed),
            (_api_error(500), 'start', errors.EngineError),
            (requests.exceptions.ConnectionError(SECRET), 'info',
             errors.EngineUnavailable),
            (docker_errors.DockerException(SECRET), 'connect',
             errors.EngineUnavailable),
        ]
        for exc, action, expected in cases:
            self.assertIs(expected, type(self._translate(exc, action)),
                          (exc, action))

    def test_engine_text_is_logged_not_raised(self):
        with self.assertLogs('higgins_virt.engine.docker', 'WARNING') as logs:
            self._translate(_api_error(500), 'stop')
        self.assertIn('s3cr3t', '\n'.join(logs.output))


class ContainerInfoTest(unittest.TestCase):

    def test_list_and_inspect_documents(self):
        listed = docker_engine._container_info(
            {'Id': 'abc', 'Names': ['/higgins-1'], 'State': 'running',
             'Labels': {'a': 'b'}})
        inspected = docker_engine._container_info(
            {'Id': 'abc', 'Name': '/higgins-1',
             'State': {'Status': 'running'}, 'Config': {'Labels': {'a': 'b'}}})
        for field in ('id', 'name', 'state', 'labels', 'raw_state'):
            self.assertEqual(getattr(listed, field), getattr(inspected,
                                                             field))
        self.assertEqual('higgins-1', listed.name)

    def test_inspect_only_facts(self):
        info = docker_engine._container_info({
            'Id': 'abc', 'Name': '/x', 'RestartCount': 2,
            'State': {'Status': 'exited', 'Pid': 0, 'ExitCode': 3,
                      'StartedAt': '2026-11-26T13:08:12.193360245Z'},
            'HostConfig': {'RestartPolicy': {'Name': 'on-failure',
                                             'MaximumRetryCount': 2}}})
        self.assertEqual(('on-failure', 2, 2, 3, None),
                         (info.restart_policy, info.restart_max_retries,
                          info.restart_count, info.exit_code, info.pid))
        self.assertEqual('2026-11-26T13:08:12.193360+00:00',
                         info.started_at.isoformat())
        never = docker_engine._container_info({
            'Id': 'abc', 'Name': '/x', 'State': {
                'Status': 'created', 'StartedAt': '0001-01-01T00:00:00Z'}})
        self.assertIsNone(never.started_at)
        self.assertEqual('no', never.restart_policy)

    def test_unknown_state_is_kept_raw(self):
        info = docker_engine._container_info(
            {'Id': 'abc', 'Names': ['/x'], 'State': 'hibernating'})
        self.assertIsNone(info.state)
        self.assertEqual('hibernating', info.raw_state)


class EventStreamTest(unittest.TestCase):

    def test_docker_actions_become_engine_neutral_kinds(self):
        def event(action, uuid='u1'):
            return {'Action': action, 'Actor': {
                'ID': 'c-' + action, 'Attributes': {'higgins.uuid': uuid}}}
        docker_events = [event('create'), event('start'),
                         event('exec_start: sh -c true'),
                         event('health_status: healthy'), event('pause'),
                         event('unpause'), event('kill'), event('die'),
                         event('destroy')]
        stream = docker_engine._DockerEventStream(mock.Mock(),
                                                  iter(docker_events))
        self.assertEqual(
            [('c-start', base.EVENT_STARTED), ('c-pause', base.EVENT_PAUSED),
             ('c-unpause', base.EVENT_RESUMED), ('c-die', base.EVENT_STOPPED)],
            [(e.container_id, e.kind) for e in stream])


class UserNamespaceTest(unittest.TestCase):

    def test_security_options_of_a_remapping_engine(self):
        self.assertTrue(docker_engine._remaps_users({'SecurityOptions': [
            'name=seccomp,profile=default', 'name=userns']}))

    def test_engines_that_do_not_remap(self):
        for options in ([], ['name=seccomp,profile=default'],
                        ['name=usernsx'], None):
            self.assertFalse(docker_engine._remaps_users(
                {'SecurityOptions': options}), options)


class RestartPolicyTest(unittest.TestCase):

    def _policy(self, name, retries=0):
        return docker_engine._restart_policy(base.ContainerSpec(
            name='x', image='i', labels={}, restart_policy=name,
            restart_max_retries=retries))

    def test_engine_restart_policies(self):
        self.assertIsNone(self._policy('no'))
        self.assertEqual({'Name': 'on-failure', 'MaximumRetryCount': 2},
                         self._policy('on-failure', 2))
        self.assertEqual({'Name': 'unless-stopped'},
                         self._policy('unless-stopped'))
