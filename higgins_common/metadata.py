"""Server metadata keys that shape a container, and their parser.

A Nova server carries free-form metadata (string keys and values of at most
255 characters each). Higgins reads a few reserved keys from it to override
what the image would run. The facade writes these keys and the driver reads
them, so this module is the whole contract between the two halves; it imports
neither Nova nor Docker.

Keys (documented for users in docs/container-metadata.md):

``higgins:command``
    The command, either a JSON array of strings (``["sh", "-c", "echo hi"]``)
    or a plain string split like a POSIX shell would (``sleep 100``).
``higgins:entrypoint``
    The program the command is given to, replacing the image's entrypoint;
    the same two forms as the command.
``higgins:workdir``
    Absolute working directory inside the container.
``higgins:env:<NAME>``
    One environment variable per key. Server metadata is readable by anyone
    who can read the server: it is not a place for secrets.
``higgins:label:<KEY>``
    One user label per key, set on the container as ``<KEY>``.
``higgins:image``
    The image as the container's user named it (an engine reference such
    as ``nginx:1.27``), shown back to them; the driver does not read it:
    the server's Glance image is what boots.
``higgins:run``
    ``false``: the first boot creates the container without starting it
    (the server shows SHUTOFF at once; starting the server runs the
    command for the first time). ``true`` is the default.
``higgins:interactive``
    ``true``: the container's stdin stays open, so what is typed into the
    server's serial console reaches its first process. Otherwise the
    console shows output only and drops input. ``false`` is the default.
``higgins:tty``
    ``true``: the first process gets a terminal (Zun's ``tty``); its
    output is then a terminal's (``\\r\\n`` line ends, echo of input).
    ``false`` is the default.
``higgins:restart_policy``
    What the engine does when the command ends: ``no`` (the default),
    ``always``, ``unless-stopped``, ``on-failure`` (without limit) or
    ``on-failure:N`` (at most N restarts). Read when the container is
    created (boot, rebuild); stopping the server through Nova always
    stops it for good.
"""
import dataclasses
import json
import re
import shlex

PREFIX = 'higgins:'
COMMAND_KEY = PREFIX + 'command'
WORKDIR_KEY = PREFIX + 'workdir'
ENTRYPOINT_KEY = PREFIX + 'entrypoint'
RUN_KEY = PREFIX + 'run'
INTERACTIVE_KEY = PREFIX + 'interactive'
TTY_KEY = PREFIX + 'tty'
IMAGE_KEY = PREFIX + 'image'
RESTART_POLICY_KEY = PREFIX + 'restart_policy'
ENV_PREFIX = PREFIX + 'env:'
LABEL_PREFIX = PREFIX + 'label:'

#: Nova's limit on a metadata key and on a value.
MAX_METADATA_LENGTH = 255

# Restart policies, named as Docker and Zun name them.
RESTART_NO = 'no'
RESTART_ALWAYS = 'always'
RESTART_UNLESS_STOPPED = 'unless-stopped'
RESTART_ON_FAILURE = 'on-failure'
RESTART_POLICIES = (RESTART_NO, RESTART_ALWAYS, RESTART_UNLESS_STOPPED,
                    RESTART_ON_FAILURE)
#: The most restarts an on-failure policy may ask for.
MAX_RESTART_RETRIES = 10000

_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_LABEL_KEY = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._/-]*$')
# Labels under these prefixes are Higgins' own bookkeeping on the engine.
RESERVED_LABEL_PREFIXES = ('higgins.',)


class InvalidMetadata(ValueError):
    """A metadata key or value that cannot become part of a container.

    ``field`` names the offending key; the message is safe to show users.
    """

    def __init__(self, field, reason):
        self.field = field
        self.reason = reason
        super().__init__('%s: %s' % (field, reason))


@dataclasses.dataclass(frozen=True)
class ContainerOverrides:
    """What a server's metadata asks to change from the image's defaults."""

    command: tuple = None
    workdir: str = None
    environment: dict = dataclasses.field(default_factory=dict)
    labels: dict = dataclasses.field(default_factory=dict)
    entrypoint: tuple = None
    #: False: create the container on first boot without starting it.
    run: bool = True
    #: The image as the user named it (display only).
    image: str = None
    #: Keep stdin open for the console.
    interactive: bool = False
    #: Give the first process a terminal.
    tty: bool = False
    #: One of RESTART_POLICIES, and for on-failure the most restarts
    #: (0: without limit).
    restart_policy: str = RESTART_NO
    restart_max_retries: int = 0


def parse_command(value, key=COMMAND_KEY):
    """Return the command (or the entrypoint, for ``key``) as a tuple."""
    text = value.strip()
    if text.startswith('['):
        try:
            argv = json.loads(text)
        except ValueError:
            raise InvalidMetadata(key, 'is not a valid JSON array')
        if not isinstance(argv, list) or not all(
                isinstance(arg, str) for arg in argv):
            raise InvalidMetadata(key, 'must be an array of strings')
    else:
        try:
            argv = shlex.split(text)
        except ValueError:
            raise InvalidMetadata(key, 'has unbalanced quotes')
    if not argv or not argv[0]:
        raise InvalidMetadata(key, 'is empty')
    return tuple(argv)


def parse_flag(value, key):
    """The boolean a ``true``/``false`` value of ``key`` says."""
    text = value.strip().lower()
    if text not in ('true', 'false'):
        raise InvalidMetadata(key, 'must be true or false')
    return text == 'true'


def parse_run(value):
    """Whether the ``higgins:run`` value asks to start on creation."""
    return parse_flag(value, RUN_KEY)


def parse_restart_policy(value):
    """``(policy, max retries)`` of a ``higgins:restart_policy`` value."""
    name, colon, count = value.strip().lower().partition(':')
    if name not in RESTART_POLICIES:
        raise InvalidMetadata(RESTART_POLICY_KEY, 'must be one of %s'
                              % ', '.join(RESTART_POLICIES))
    if not colon:
        return name, 0
    if name != RESTART_ON_FAILURE:
        raise InvalidMetadata(RESTART_POLICY_KEY, 'a retry count is only '
                              'valid with on-failure')
    if not count.isdigit() or int(count) > MAX_RESTART_RETRIES:
        raise InvalidMetadata(RESTART_POLICY_KEY, 'the retry count must be '
                              'a whole number up to %d' % MAX_RESTART_RETRIES)
    return name, int(count)


def format_restart_policy(name, max_retries=0):
    """The ``higgins:restart_policy`` value for a policy; validated."""
    value = '%s:%d' % (name, max_retries) if max_retries else name
    parse_restart_policy(value)
    return value


def validate_workdir(value):
    """Return ``value`` if it is a safe absolute directory, else raise."""
    if not value.startswith('/'):
        raise InvalidMetadata(WORKDIR_KEY, 'must be an absolute path')
    parts = [p for p in value.split('/') if p]
    if '..' in parts:
        raise InvalidMetadata(WORKDIR_KEY, 'must not contain ".."')
    # A working directory under /proc can leak host file descriptors into
    # the container (CVE-2024-21626): never allow it.
    if parts and parts[0] == 'proc':
        raise InvalidMetadata(WORKDIR_KEY, 'must not be under /proc')
    return value


def parse_metadata(metadata):
    """Read the Higgins keys of a server's metadata dict.

    Keys outside the ``higgins:`` namespace are ignored; an unknown key inside
    it is an error, so a typo does not go unnoticed.
    """
    found = {'environment': {}, 'labels': {}}
    for key, value in sorted((metadata or {}).items()):
        if not key.startswith(PREFIX):
            continue
        _parse_item(key, value, found)
    return ContainerOverrides(**found)


def _parse_item(key, value, found):
    """Read one key of the namespace into ``found`` (override fields)."""
    environment, labels = found['environment'], found['labels']
    if key == COMMAND_KEY:
        found['command'] = parse_command(value)
    elif key == ENTRYPOINT_KEY:
        found['entrypoint'] = parse_command(value, ENTRYPOINT_KEY)
    elif key == WORKDIR_KEY:
        found['workdir'] = validate_workdir(value)
    elif key == RUN_KEY:
        found['run'] = parse_run(value)
    elif key == IMAGE_KEY:
        found['image'] = value
    elif key == INTERACTIVE_KEY:
        found['interactive'] = parse_flag(value, key)
    elif key == TTY_KEY:
        found['tty'] = parse_flag(value, key)
    elif key == RESTART_POLICY_KEY:
        (found['restart_policy'],
         found['restart_max_retries']) = parse_restart_policy(value)
    elif key.startswith(ENV_PREFIX):
        name = key[len(ENV_PREFIX):]
        if not _ENV_NAME.match(name):
            raise InvalidMetadata(key, 'is not a valid environment name')
        environment[name] = value
    elif key.startswith(LABEL_PREFIX):
        name = key[len(LABEL_PREFIX):]
        if not _LABEL_KEY.match(name):
            raise InvalidMetadata(key, 'is not a valid label key')
        if name.startswith(RESERVED_LABEL_PREFIXES):
            raise InvalidMetadata(key, 'uses a reserved label prefix')
        labels[name] = value
    else:
        raise InvalidMetadata(key, 'is not a known Higgins metadata key')


def _argv_value(value, key):
    if isinstance(value, str):
        parse_command(value, key)
        return value
    return json.dumps(list(value))


def to_metadata(command=None, workdir=None, environment=None, labels=None,
                entrypoint=None, run=True, image=None, interactive=False,
                tty=False, restart_policy=RESTART_NO, restart_max_retries=0):
    """Build server metadata for the given overrides (the facade's side).

    Raises InvalidMetadata when a key or value would not fit Nova's limits or
    would not parse back to the same overrides.
    """
    metadata = {}
    if command is not None:
        metadata[COMMAND_KEY] = _argv_value(command, COMMAND_KEY)
    if entrypoint is not None:
        metadata[ENTRYPOINT_KEY] = _argv_value(entrypoint, ENTRYPOINT_KEY)
    if not run:
        metadata[RUN_KEY] = 'false'
    if image is not None:
        metadata[IMAGE_KEY] = image
    if interactive:
        metadata[INTERACTIVE_KEY] = 'true'
    if tty:
        metadata[TTY_KEY] = 'true'
    if restart_policy != RESTART_NO:
        metadata[RESTART_POLICY_KEY] = format_restart_policy(
            restart_policy, restart_max_retries)
    if workdir is not None:
        metadata[WORKDIR_KEY] = validate_workdir(workdir)
    for name, value in (environment or {}).items():
        metadata[ENV_PREFIX + name] = str(value)
    for name, value in (labels or {}).items():
        metadata[LABEL_PREFIX + name] = str(value)
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_LENGTH:
            raise InvalidMetadata(key, 'is longer than %d characters'
                                  % MAX_METADATA_LENGTH)
        if len(value) > MAX_METADATA_LENGTH:
            raise InvalidMetadata(key, 'value is longer than %d characters'
                                  % MAX_METADATA_LENGTH)
    parse_metadata(metadata)
    return metadata
