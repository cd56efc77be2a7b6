"""Engine API requests that docker-py has no public method for.

Three calls need more than docker-py's public API: an image pull that gives
up when the registry goes quiet (docker-py pulls without a read timeout), a
HEAD on a container's archive endpoint, which stats a path without copying
it, and a container update that sets the CPU quota in NanoCpus (docker-py's
``update_container`` knows only the older CpuQuota/CpuPeriod pair). All
use docker-py's private request helpers (versioned URLs, its error classes,
its JSON stream decoder). This module is the only place that
touches them, so a docker-py release that changes them breaks here, where
its unit test notices, and nowhere else.
"""
import contextlib


def post_json_stream(client, path, params, timeout):
    """POST to ``path`` and yield the engine's streamed JSON messages.

    ``timeout`` bounds the wait for each read. An error status raises
    docker-py's ``APIError`` family, as its public methods do; closing the
    generator closes the response.
    """
    response = client._post(client._url(path), params=params, stream=True,
                            timeout=timeout)
    with contextlib.closing(response):
        client._raise_for_status(response)
        yield from client._stream_helper(response, decode=True)


def head(client, path, *path_args, params=None, timeout=None):
    """Send HEAD to ``path``; return the response unchecked.

    ``path`` is a format such as ``/containers/{0}/archive``, filled with
    ``path_args`` quoted for a URL.
    """
    return client.head(client._url(path, *path_args), params=params,
                       timeout=timeout)


def post_json(client, path, *path_args, data=None):
    """POST ``data`` as JSON to ``path``; return the decoded JSON answer.

    ``path`` is filled as in :func:`head`; an error status raises
    docker-py's ``APIError`` family.
    """
    response = client._post_json(client._url(path, *path_args), data=data)
    return client._result(response, json=True)
