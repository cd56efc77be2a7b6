"""The container-engine interface the driver is written against.

Docker is the first implementation (``higgins_virt.engine.docker``); another
engine plugs in by implementing :class:`ContainerEngine`. The types crossing
this boundary are plain dataclasses so no engine library leaks into the
driver. Every method may be called from several threads at once; errors are
the ones in ``higgins_virt.engine.errors``.
"""
import abc
import dataclasses

from oslo_utils import units

# Bytes per chunk when an image archive streams into or out of an engine:
# never more than this of an image is held in memory at once.
CHUNK_BYTES = units.Mi

# Engine-neutral container states. Implementations map their own vocabulary
# onto these; the driver maps these onto Nova power states.
CREATED = 'created'
RUNNING = 'running'
PAUSED = 'paused'
RESTARTING = 'restarting'
REMOVING = 'removing'
EXITED = 'exited'
DEAD = 'dead'

# Engine-neutral restart policies: what the engine does when a container's
# command ends. None of them restarts a container stopped through the
# engine's API.
RESTART_NO = 'no'
RESTART_ON_FAILURE = 'on-failure'
RESTART_ALWAYS = 'always'
RESTART_UNLESS_STOPPED = 'unless-stopped'

# Engine-neutral kinds of container event: what just happened. An engine
# reports these and nothing else; its own event vocabulary stays inside it.
EVENT_STARTED = 'started'
EVENT_STOPPED = 'stopped'
EVENT_PAUSED = 'paused'
EVENT_RESUMED = 'resumed'


@dataclasses.dataclass(frozen=True)
class ContainerSpec:
    """Everything needed to create one container."""

    name: str
    image: str
    labels: dict
    command: tuple = None
    workdir: str = None
    environment: dict = dataclasses.field(default_factory=dict)
    hostname: str = None
    #: Replaces the image's entrypoint when set.
    entrypoint: tuple = None
    nano_cpus: int = None
    memory_bytes: int = None
    memory_swap_bytes: int = None
    pids_limit: int = None
    disk_bytes: int = None
    cap_add: tuple = ()
    # 'none', 'bridge', or 'container:<name>' to join another container's
    # network namespace (a server's network sandbox).
    network_mode: str = 'none'
    # The container's output kept on the host: at most this many files of
    # this size.
    log_max_bytes: int = 10 * 1024 * 1024
    log_max_files: int = 3
    # Resolvers for the container's resolv.conf; only a container that owns
    # its network namespace can have them.
    dns: tuple = ()
    # Namespaced kernel settings, e.g. of the container's network.
    sysctls: dict = dataclasses.field(default_factory=dict)
    # The container's stdin stays open for consoles to write to.
    stdin_open: bool = False
    # The container's first process gets a terminal.
    tty: bool = False
    # What the engine does when the container's command ends: one of the
    # RESTART_* names and, for RESTART_ON_FAILURE, how many times at most
    # (0: without limit).
    restart_policy: str = 'no'
    restart_max_retries: int = 0


@dataclasses.dataclass(frozen=True)
class Limits:
    """The resource limits an existing container's flavor sets.

    The same fields as in :class:`ContainerSpec`; the root disk is not one
    of them: no engine changes it on an existing container.
    """

    nano_cpus: int = None
    memory_bytes: int = None
    memory_swap_bytes: int = None
    pids_limit: int = None


@dataclasses.dataclass(frozen=True)
class ContainerInfo:
    """What the engine says about one container."""

    id: str
    name: str
    state: str
    labels: dict
    raw_state: str = None
    # Host process id of a running container's first process (inspect only).
    pid: int = None
    # When the container last started, a timezone-aware datetime (inspect
    # only; None if it never started).
    started_at: object = None
    # Inspect only: the restart policy it was created with (RESTART_*),
    # its retry limit, how often the engine restarted it since it was last
    # started through the API, and the exit code of its last run.
    restart_policy: str = None
    restart_max_retries: int = 0
    restart_count: int = 0
    exit_code: int = None


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    """What the engine says about one local image."""

    id: str
    environment: dict
    entrypoint: tuple = ()
    tags: tuple = ()


@dataclasses.dataclass(frozen=True)
class PathInfo:
    """A path inside a container's filesystem."""

    is_dir: bool
    is_symlink: bool
    executable: bool


@dataclasses.dataclass(frozen=True)
class InterfaceCounters:
    """Traffic counters of one interface, as its container sees them.

    ``rx`` is what the container received, ``tx`` what it sent.
    """

    name: str
    rx_bytes: int
    rx_packets: int
    rx_errors: int
    rx_dropped: int
    tx_bytes: int
    tx_packets: int
    tx_errors: int
    tx_dropped: int
    mac: str = None


@dataclasses.dataclass(frozen=True)
class ContainerStats:
    """One sample of a running container's resource use.

    Counters are cumulative since the container last started. A value the
    engine did not measure is None, never 0.
    """

    cpu_time_ns: int
    memory_used_bytes: int
    memory_limit_bytes: int
    # Block I/O: None when the engine recorded none for the container (it
    # did none, or the host does not account block I/O per container).
    disk_read_bytes: int = None
    disk_read_requests: int = None
    disk_write_bytes: int = None
    disk_write_requests: int = None
    #: Interfaces the engine itself sees (containers on an engine network);
    #: a server's Neutron ports are counted in its sandbox instead.
    interfaces: tuple = ()


@dataclasses.dataclass(frozen=True)
class EngineInfo:
    """Host facts the engine reports, used for resource inventory."""

    cpus: int
    memory_bytes: int
    version: str
    storage_driver: str
    root_dir: str
    architecture: str
    # Container root is an unprivileged id on the host (user namespaces).
    userns_remapped: bool = False


@dataclasses.dataclass(frozen=True)
class ContainerEvent:
    """A state change of a container, as streamed by the engine.

    ``kind`` is one of the ``EVENT_*`` constants; engine events of any other
    kind are not reported.
    """

    container_id: str
    kind: str
    labels: dict


class ContainerEngine(abc.ABC):
    """Operations Higgins needs from a container engine."""

    @abc.abstractmethod
    def ping(self):
        """Return once the engine answers; raises EngineUnavailable.

        The cheapest call there is: it tells that the engine is up, no more.
        """

    @abc.abstractmethod
    def info(self):
        """Return :class:`EngineInfo`; raises EngineUnavailable."""

    @abc.abstractmethod
    def inspect_image(self, image):
        """Return :class:`ImageInfo` of a local image; raises ImageNotFound."""

    @abc.abstractmethod
    def load_image(self, chunks):
        """Load an image archive streamed as an iterable of bytes.

        Returns the loaded image's id; raises InvalidImage.
        """

    @abc.abstractmethod
    def pull_image(self, reference, timeout):
        """Pull ``reference`` from its registry within ``timeout`` seconds.

        Raises PullFailed.
        """

    @abc.abstractmethod
    def import_rootfs(self, archive, reference, command):
        """Make image ``reference`` of a root filesystem tar (bytes).

        ``command`` (a list) becomes the image's default command.
        Raises InvalidImage.
        """

    @abc.abstractmethod
    def tag_image(self, image, reference):
        """Give ``image`` (an id or reference) the name ``reference``."""

    @abc.abstractmethod
    def remove_image(self, reference):
        """Remove a name, and the image if no other name is left.

        Succeeds silently when there is no such image; raises ImageInUse
        rather than touching an image a container uses.
        """

    @abc.abstractmethod
    def list_images(self, repository_prefix):
        """Return references of local images under ``repository_prefix``.

        One engine call, whatever the number of images.
        """

    @abc.abstractmethod
    def commit(self, ref):
        """Make an image of a container's filesystem; return the image id."""

    @abc.abstractmethod
    def save_image(self, image):
        """Return an iterator of the image's archive bytes."""

    @abc.abstractmethod
    def create(self, spec):
        """Create (not start) a container from a :class:`ContainerSpec`.

        Returns the container id.
        """

    @abc.abstractmethod
    def update_limits(self, ref, limits):
        """Apply :class:`Limits` to a container, running or not.

        The processes keep running; raises InvalidContainer when the engine
        refuses the values (e.g. memory below what the container uses).
        """

    @abc.abstractmethod
    def start(self, ref):
        """Start a created or stopped container."""

    @abc.abstractmethod
    def stop(self, ref, timeout):
        """Send SIGTERM, then SIGKILL after ``timeout`` seconds."""

    @abc.abstractmethod
    def restart(self, ref, timeout):
        """Stop (gracefully for ``timeout`` seconds) and start again."""

    @abc.abstractmethod
    def pause(self, ref):
        """Freeze every process of the container."""

    @abc.abstractmethod
    def unpause(self, ref):
        """Thaw a paused container."""

    @abc.abstractmethod
    def remove(self, ref):
        """Force-remove a container and its anonymous volumes.

        Succeeds silently when the container does not exist.
        """

    @abc.abstractmethod
    def stat(self, ref, path):
        """Return :class:`PathInfo` of ``path`` in a container's filesystem.

        None when there is nothing at that path. Works on created containers
        that never ran.
        """

    @abc.abstractmethod
    def inspect(self, ref):
        """Return :class:`ContainerInfo`; raises ContainerNotFound."""

    @abc.abstractmethod
    def list(self, labels):
        """Return :class:`ContainerInfo` of containers with all ``labels``.

        Running or not, in one engine call; ``labels`` is a dict.
        """

    @abc.abstractmethod
    def stats(self, ref):
        """Return :class:`ContainerStats` of a running container.

        One engine call, answered at once (no waiting for a second sample).
        """

    @abc.abstractmethod
    def logs(self, ref, tail):
        """Return the last ``tail`` lines of output as bytes."""

    @abc.abstractmethod
    def events(self, labels):
        """Stream the events of containers carrying all ``labels``."""

    @abc.abstractmethod
    def attach(self, ref):
        """Open a running container's console: a :class:`ConsoleStream`.

        It carries the output of the container's first process from now on
        and, if the container keeps its stdin open, input to it. Raises
        ContainerNotFound, or ContainerNotRunning when stopped or paused.
        """


class EventStream(abc.ABC):
    """An open engine event stream; iterate it, close it from any thread."""

    @abc.abstractmethod
    def __iter__(self):
        """Yield :class:`ContainerEvent` until the stream ends or is closed."""

    @abc.abstractmethod
    def close(self):
        """Stop the stream; a blocked iteration returns promptly."""


class ConsoleStream(abc.ABC):
    """A container's attached console: its output, and input if it takes any.

    One thread may receive while another sends; either may close it.
    """

    #: Whether what is sent reaches the container's stdin.
    accepts_input = False

    @abc.abstractmethod
    def recv(self):
        """Return the next output bytes; b'' once the console has ended."""

    @abc.abstractmethod
    def send(self, data):
        """Write ``data`` to the container's stdin; raises ContainerNotRunning.

        Only called when ``accepts_input``.
        """

    @abc.abstractmethod
    def close(self):
        """End the console; a blocked ``recv`` returns b'' promptly."""
