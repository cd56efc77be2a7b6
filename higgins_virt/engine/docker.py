"""Docker implementation of the container-engine interface, on docker-py.

This module and its helper ``docker_raw`` (the one home of docker-py's
private request calls) are the only ones that use docker-py, and this is the
only place its exceptions are caught: each is logged with the engine's own
text and turned into an ``engine.errors`` class whose message Higgins
wrote. A docker-py client holds a requests session that is not thread-safe,
so every thread gets its own low-level client; the API version is negotiated
once and shared.
"""
import base64
import contextlib
import datetime
import json
import threading
import time

import docker
from docker import errors as docker_errors
from oslo_log import log as logging
import requests

from higgins_virt.engine import base
from higgins_virt.engine import docker_attach
from higgins_virt.engine import docker_raw
from higgins_virt.engine import docker_stats
from higgins_virt.engine import errors

LOG = logging.getLogger(__name__)

# Docker's states map one to one onto the engine-neutral ones.
_STATES = {
    'created': base.CREATED,
    'running': base.RUNNING,
    'paused': base.PAUSED,
    'restarting': base.RESTARTING,
    'removing': base.REMOVING,
    'exited': base.EXITED,
    'dead': base.DEAD,
}

# Docker's event actions that are reported, as engine-neutral event kinds.
_EVENT_KINDS = {
    'start': base.EVENT_STARTED,
    'die': base.EVENT_STOPPED,
    'pause': base.EVENT_PAUSED,
    'unpause': base.EVENT_RESUMED,
}

# File type bits of a Go os.FileMode, as the archive stat header carries it.
_GO_MODE_DIR = 1 << 31
_GO_MODE_SYMLINK = 1 << 27

# Fragments of the engine's reply when a container's command cannot run;
# such a failure is the user's to fix, not an engine fault.
_COMMAND_FAILURES = ('executable file not found', 'no such file or directory',
                     'permission denied', 'not a directory')


@contextlib.contextmanager
def _as_engine_errors(action, ref=None):
    """Turn docker-py and transport exceptions into engine errors."""
    try:
        yield
    except docker_errors.ImageNotFound as exc:
        # Removing an image that is not there is a success, not news.
        log = LOG.debug if action == 'remove image' else LOG.info
        log('Engine: %s %s: image not found: %s', action, ref or '', exc)
        raise errors.ImageNotFound() from exc
    except docker_errors.NotFound as exc:
        LOG.debug('Engine: %s %s: not found: %s', action, ref or '', exc)
        if 'no such image' in str(exc.explanation or '').lower():
            raise errors.ImageNotFound() from exc
        raise errors.ContainerNotFound() from exc
    except docker_errors.APIError as exc:
        explanation = str(exc.explanation or exc)
        LOG.warning('Engine refused %s %s: %s', action, ref or '',
                    explanation)
        if exc.status_code == 409:
            raise errors.ContainerConflict() from exc
        if action == 'start' and any(
                f in explanation.lower() for f in _COMMAND_FAILURES):
            raise errors.CommandFailed() from exc
        if exc.status_code == 400:
            raise errors.InvalidContainer() from exc
        raise errors.EngineError() from exc
    except requests.exceptions.HTTPError as exc:
        LOG.warning('Engine refused %s %s: %s', action, ref or '', exc)
        raise errors.EngineError() from exc
    except (requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            docker_errors.DockerException) as exc:
        LOG.warning('Engine unreachable during %s %s: %s', action, ref or '',
                    exc)
        raise errors.EngineUnavailable() from exc


def _iterate_as_engine_errors(action, ref, iterator):
    with _as_engine_errors(action, ref):
        yield from iterator


def _split_reference(reference):
    """('repo', 'tag') of 'repo:tag', minding registry ports and digests."""
    if '@' in reference:
        return reference, None
    repository, _, tag = reference.rpartition(':')
    if not repository or '/' in tag:
        return reference, 'latest'
    return repository, tag


def _remaps_users(info):
    # Each security option reads like "name=userns" (API 1.30 and later).
    return any(option == 'name=userns' or option.startswith('name=userns,')
               for option in info.get('SecurityOptions') or ())


def _container_info(summary_or_inspect):
    """Build ContainerInfo from a list entry or an inspect document."""
    doc = summary_or_inspect
    if 'State' in doc and isinstance(doc['State'], dict):
        # docker inspect: State is a dict and the name has a leading '/'.
        raw = doc['State'].get('Status')
        name = doc.get('Name', '').lstrip('/')
        labels = (doc.get('Config') or {}).get('Labels') or {}
    else:
        # docker ps: State is a string and Names a list.
        raw = doc.get('State')
        names = doc.get('Names') or ['']
        name = names[0].lstrip('/')
        labels = doc.get('Labels') or {}
    state = _STATES.get(raw)
    extra = {}
    if isinstance(doc.get('State'), dict):
        extra = _inspect_only(doc)
    return base.ContainerInfo(id=doc.get('Id'), name=name, state=state,
                              labels=labels, raw_state=raw, **extra)


def _started_at(text):
    # RFC 3339 with nanoseconds; "0001-01-01T00:00:00Z" if it never ran.
    if not text or text.startswith('0001-'):
        return None
    seconds, _, fraction = text.rstrip('Z').partition('.')
    try:
        started = datetime.datetime.strptime(seconds, '%Y-%m-%dT%H:%M:%S')
    except ValueError:
        return None
    micros = int((fraction[:6] or '0').ljust(6, '0')) if fraction.isdigit(
    ) else 0
    return started.replace(microsecond=micros, tzinfo=datetime.timezone.utc)


def _inspect_only(doc):
    """ContainerInfo fields only an inspect document carries."""
    state = doc['State']
    policy = (doc.get('HostConfig') or {}).get('RestartPolicy') or {}
    return {
        'pid': state.get('Pid') or None,
        'started_at': _started_at(state.get('StartedAt')),
        'restart_policy': policy.get('Name') or base.RESTART_NO,
        'restart_max_retries': int(policy.get('MaximumRetryCount') or 0),
        'restart_count': int(doc.get('RestartCount') or 0),
        'exit_code': state.get('ExitCode'),
    }


class _DockerEventStream(base.EventStream):
    def __init__(self, client, stream):
        self._client = client
        self._stream = stream

    def __iter__(self):
        with _as_engine_errors('events'):
            for event in self._stream:
                # Some actions carry a detail: "exec_start: sh -c …".
                action = (event.get('Action') or '').split(':')[0]
                kind = _EVENT_KINDS.get(action)
                if kind is None:
                    continue
                actor = event.get('Actor') or {}
                yield base.ContainerEvent(
                    container_id=actor.get('ID') or event.get('id'),
                    kind=kind,
                    labels=dict(actor.get('Attributes') or {}))

    def close(self):
        try:
            self._stream.close()
            self._client.close()
        except Exception:  # closing a broken socket is not worth failing
            LOG.debug('Closing the engine event stream failed', exc_info=True)


def _restart_policy(spec):
    if spec.restart_policy == base.RESTART_NO:
        return None
    policy = {'Name': spec.restart_policy}
    if spec.restart_policy == base.RESTART_ON_FAILURE:
        policy['MaximumRetryCount'] = int(spec.restart_max_retries)
    return policy


class DockerEngine(base.ContainerEngine):
    """Docker Engine API through docker-py's low-level client."""

    def __init__(self, url, timeout=60):
        self._url = url
        self._timeout = timeout
        self._local = threading.local()
        self._version = None
        self._version_lock = threading.Lock()

    def _client(self):
        client = getattr(self._local, 'client', None)
        if client is None:
            with _as_engine_errors('connect'):
                client = docker.APIClient(base_url=self._url,
                                          version=self._api_version(),
                                          timeout=self._timeout)
            self._local.client = client
        return client

    def _api_version(self):
        # Negotiating costs one request: do it once, not once per thread.
        with self._version_lock:
            if self._version is None:
                probe = docker.APIClient(base_url=self._url, version='auto',
                                         timeout=self._timeout)
                self._version = probe.api_version
                probe.close()
            return self._version

    def ping(self):
        with _as_engine_errors('ping'):
            self._client().ping()

    def info(self):
        with _as_engine_errors('info'):
            info = self._client().info()
        return base.EngineInfo(
            cpus=int(info.get('NCPU') or 0),
            memory_bytes=int(info.get('MemTotal') or 0),
            version=str(info.get('ServerVersion') or ''),
            storage_driver=str(info.get('Driver') or ''),
            root_dir=str(info.get('DockerRootDir') or ''),
            architecture=str(info.get('Architecture') or ''),
            userns_remapped=_remaps_users(info))

    def inspect_image(self, image):
        with _as_engine_errors('inspect image', image):
            doc = self._client().inspect_image(image)
        config = doc.get('Config') or {}
        env = config.get('Env') or []
        return base.ImageInfo(
            id=doc.get('Id'),
            environment=dict(item.partition('=')[::2] for item in env),
            entrypoint=tuple(config.get('Entrypoint') or ()),
            tags=tuple(doc.get('RepoTags') or ()))

    def load_image(self, chunks):
        loaded = None
        with _as_engine_errors('load image'):
            for message in self._client().load_image(chunks):
                if 'error' in message or 'errorDetail' in message:
                    LOG.warning('Engine refused an image archive: %s',
                                message.get('error') or message)
                    raise errors.InvalidImage()
                text = message.get('stream') or ''
                for prefix in ('Loaded image ID: ', 'Loaded image: '):
                    if text.startswith(prefix):
                        loaded = text[len(prefix):].strip()
        if not loaded:
            raise errors.InvalidImage()
        return loaded

    def pull_image(self, reference, timeout):
        repository, tag = _split_reference(reference)
        client = self._client()
        deadline = time.monotonic() + timeout
        try:
            with _as_engine_errors('pull', reference):
                # docker-py pulls without a read timeout; this one gives up
                # when the registry goes quiet or time runs out.
                messages = docker_raw.post_json_stream(
                    client, '/images/create',
                    params={'fromImage': repository, 'tag': tag},
                    timeout=timeout)
                try:
                    with contextlib.closing(messages):
                        self._follow_pull(reference, messages, deadline)
                except requests.exceptions.ReadTimeout as exc:
                    raise errors.PullFailed() from exc
        except errors.EngineUnavailable:
            raise
        except errors.EngineError as exc:
            # Registry unreachable, unknown repository, denied: all the
            # engine's, none the user's to read.
            raise errors.PullFailed() from exc

    @staticmethod
    def _follow_pull(reference, messages, deadline):
        for message in messages:
            if 'error' in message or 'errorDetail' in message:
                LOG.warning('Pull of %s failed: %s', reference,
                            message.get('error') or message)
                raise errors.PullFailed()
            if time.monotonic() > deadline:
                raise errors.PullFailed()

    def import_rootfs(self, archive, reference, command):
        repository, tag = _split_reference(reference)
        with _as_engine_errors('import', reference):
            reply = self._client().import_image_from_data(
                archive, repository=repository, tag=tag,
                changes=['CMD %s' % json.dumps(list(command))])
        # The engine answers with JSON messages; an error is one of them.
        if '"error' in str(reply):
            LOG.warning('Engine refused a root filesystem: %s', reply)
            raise errors.InvalidImage()

    def tag_image(self, image, reference):
        repository, tag = _split_reference(reference)
        with _as_engine_errors('tag', image):
            self._client().tag(image, repository, tag, force=True)

    def remove_image(self, reference):
        try:
            with _as_engine_errors('remove image', reference):
                self._client().remove_image(reference)
        except (errors.ImageNotFound, errors.ContainerNotFound):
            pass
        except errors.ContainerConflict as exc:
            raise errors.ImageInUse() from exc

    def list_images(self, repository_prefix):
        with _as_engine_errors('list images'):
            found = self._client().images(
                filters={'reference': repository_prefix + '*'})
        return sorted(tag for image in found
                      for tag in image.get('RepoTags') or ()
                      if tag.startswith(repository_prefix))

    def commit(self, ref):
        # The engine pauses the container for the moment of the commit so
        # the image is consistent; it runs on afterwards.
        with _as_engine_errors('commit', ref):
            return self._client().commit(ref, pause=True)['Id']

    def save_image(self, image):
        with _as_engine_errors('save', image):
            stream = self._client().get_image(image,
                                              chunk_size=base.CHUNK_BYTES)
        return _iterate_as_engine_errors('save', image, stream)

    def create(self, spec):
        client = self._client()
        host_config = client.create_host_config(
            init=True,
            privileged=False,
            cap_drop=['ALL'],
            cap_add=list(spec.cap_add),
            security_opt=['no-new-privileges'],
            network_mode=spec.network_mode,
            nano_cpus=spec.nano_cpus,
            mem_limit=spec.memory_bytes,
            memswap_limit=spec.memory_swap_bytes,
            pids_limit=spec.pids_limit,
            storage_opt=({'size': str(spec.disk_bytes)}
                         if spec.disk_bytes else None),
            # Rotated by the engine, so one container's output cannot fill
            # the host's disk; reading logs spans the rotated files.
            log_config={'Type': 'json-file', 'Config': {
                'max-size': str(spec.log_max_bytes),
                'max-file': str(spec.log_max_files)}},
            dns=list(spec.dns) or None,
            sysctls=dict(spec.sysctls) or None,
            restart_policy=_restart_policy(spec),
        )
        with _as_engine_errors('create', spec.name):
            created = client.create_container(
                image=spec.image,
                command=list(spec.command) if spec.command else None,
                entrypoint=(list(spec.entrypoint) if spec.entrypoint
                            else None),
                name=spec.name,
                hostname=spec.hostname,
                labels=dict(spec.labels),
                environment=dict(spec.environment) or None,
                working_dir=spec.workdir,
                stdin_open=spec.stdin_open,
                tty=spec.tty,
                host_config=host_config)
        return created['Id']

    def update_limits(self, ref, limits):
        # Memory and swap go together: the engine refuses a memory limit
        # above the swap limit already set.
        body = {'NanoCpus': limits.nano_cpus or 0,
                'Memory': limits.memory_bytes or 0,
                'MemorySwap': limits.memory_swap_bytes or 0}
        if limits.pids_limit:
            body['PidsLimit'] = limits.pids_limit
        with _as_engine_errors('update', ref):
            docker_raw.post_json(self._client(), '/containers/{0}/update',
                                 ref, data=body)

    def start(self, ref):
        with _as_engine_errors('start', ref):
            self._client().start(ref)

    def stop(self, ref, timeout):
        # The HTTP call lasts as long as the grace period: allow for it.
        with _as_engine_errors('stop', ref):
            self._client().stop(ref, timeout=int(timeout))

    def restart(self, ref, timeout):
        with _as_engine_errors('restart', ref):
            self._client().restart(ref, timeout=int(timeout))

    def pause(self, ref):
        with _as_engine_errors('pause', ref):
            self._client().pause(ref)

    def unpause(self, ref):
        with _as_engine_errors('unpause', ref):
            self._client().unpause(ref)

    def remove(self, ref):
        try:
            with _as_engine_errors('remove', ref):
                self._client().remove_container(ref, v=True, force=True)
        except errors.ContainerNotFound:
            pass
        except errors.ContainerConflict:
            # "removal already in progress": another thread got there first.
            LOG.debug('Removal of %s already in progress', ref)

    def stat(self, ref, path):
        client = self._client()
        # HEAD on the archive endpoint stats a path without copying it.
        with _as_engine_errors('stat', ref):
            response = docker_raw.head(client, '/containers/{0}/archive',
                                       ref, params={'path': path},
                                       timeout=self._timeout)
            if response.status_code == 404:
                return None
            response.raise_for_status()
        encoded = response.headers.get('X-Docker-Container-Path-Stat')
        mode = json.loads(base64.b64decode(encoded))['mode'] if encoded else 0
        return base.PathInfo(is_dir=bool(mode & _GO_MODE_DIR),
                             is_symlink=bool(mode & _GO_MODE_SYMLINK),
                             executable=bool(mode & 0o111))

    def inspect(self, ref):
        with _as_engine_errors('inspect', ref):
            return _container_info(self._client().inspect_container(ref))

    def list(self, labels):
        filters = {'label': ['%s=%s' % kv for kv in sorted(labels.items())]}
        with _as_engine_errors('list'):
            found = self._client().containers(all=True, filters=filters)
        return [_container_info(doc) for doc in found]

    def stats(self, ref):
        # one_shot: the engine answers with what it has now instead of
        # waiting a second for a second sample.
        with _as_engine_errors('stats', ref):
            doc = self._client().stats(ref, stream=False, one_shot=True)
        return docker_stats.container_stats(doc)

    def logs(self, ref, tail):
        with _as_engine_errors('logs', ref):
            return self._client().logs(ref, stdout=True, stderr=True,
                                       tail=tail)

    def events(self, labels):
        filters = {'type': 'container',
                   'label': ['%s=%s' % kv for kv in sorted(labels.items())]}
        # A dedicated client: the stream holds its connection for as long
        # as it is open, and closing it must not break another caller.
        with _as_engine_errors('events'):
            client = docker.APIClient(base_url=self._url,
                                      version=self._api_version(),
                                      timeout=self._timeout)
            stream = client.events(decode=True, filters=filters)
        return _DockerEventStream(client, stream)

    def attach(self, ref):
        # Consoles run on threads of their own that end with the console:
        # a client for them alone, closed at once, not a thread's client
        # left open until the thread's data is collected.
        with _as_engine_errors('inspect', ref):
            client = docker.APIClient(base_url=self._url,
                                      version=self._api_version(),
                                      timeout=self._timeout)
            try:
                doc = client.inspect_container(ref)
            finally:
                client.close()
        state = doc.get('State') or {}
        if not state.get('Running') or state.get('Paused'):
            raise errors.ContainerNotRunning()
        config = doc.get('Config') or {}
        # By id: a container replaced under the same name since is not
        # the one inspected.
        return docker_attach.attach(
            self._url, self._api_version(), doc['Id'],
            stdin=bool(config.get('OpenStdin')), tty=bool(config.get('Tty')),
            timeout=self._timeout)
