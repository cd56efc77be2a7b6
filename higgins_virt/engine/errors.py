"""Errors raised by container engines, independent of any one engine library.

Engine implementations catch their library's exceptions and raise these; the
driver turns them into Nova exceptions. Every message here is written by
Higgins and is safe to show a user: raw engine text goes to the log only.
"""


class EngineError(Exception):
    """Base of every engine error; ``str()`` is a short, user-safe message."""

    message = 'The container engine failed the request.'

    def __init__(self):
        super().__init__(self.message)


class EngineUnavailable(EngineError):
    message = 'The container engine is not reachable.'


class ContainerNotFound(EngineError):
    message = 'The container does not exist on the engine.'


class ContainerNotRunning(EngineError):
    message = 'The container is not running.'


class ImageNotFound(EngineError):
    message = 'The container image is not present on the engine.'


class ContainerConflict(EngineError):
    message = 'A container with the same name already exists.'


class InvalidContainer(EngineError):
    """The engine refused the container as specified (limits, options)."""

    message = 'The engine refused the container settings.'


class CommandFailed(EngineError):
    """The container's command is missing or not executable."""

    message = 'The container command could not be started.'


class InvalidImage(EngineError):
    """The engine could not load the image data given to it."""

    message = 'The image data is not a valid container image archive.'


class ImageInUse(EngineError):
    message = 'The image is used by a container.'


class PullFailed(EngineError):
    message = ('The image could not be pulled: no registry reachable, or '
               'the registry does not have it.')
