"""A background listener that follows the engine's event stream.

Nova only notices a container that changed behind its back at the next
power-state sync (every ten minutes by default). The listener reads the
engine's container events for this host, hands each to a callback, and
re-opens the stream when the engine restarts. After every reconnection it
replays the current state of each container, since events emitted while the
stream was down are lost.
"""
import threading

from oslo_log import log as logging

from higgins_virt.engine import errors

LOG = logging.getLogger(__name__)

# Seconds ``stop`` waits for the listener thread to finish.
STOP_WAIT = 5


class EventListener:
    """Runs ``on_event(ContainerEvent)`` for each engine event, in a thread.

    ``on_resync(list_of_ContainerInfo)`` is called after each reconnection
    with the containers as they are now.
    """

    def __init__(self, engine, labels, on_event, on_resync,
                 reconnect_interval):
        self._engine = engine
        self._labels = labels
        self._on_event = on_event
        self._on_resync = on_resync
        self._interval = reconnect_interval
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._stream = None
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run,
                                        name='higgins-engine-events',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._stopping.set()
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()
        if self._thread is not None:
            self._thread.join(STOP_WAIT)

    def _run(self):
        connected_before = False
        while not self._stopping.is_set():
            try:
                stream = self._engine.events(self._labels)
                with self._lock:
                    if self._stopping.is_set():
                        stream.close()
                        return
                    self._stream = stream
                if connected_before:
                    LOG.info('Engine event stream re-opened; resyncing')
                    # The stream is open before the listing is taken, so no
                    # change can fall between the two.
                    self._on_resync(self._engine.list(self._labels))
                connected_before = True
                for event in stream:
                    self._dispatch(event)
            except errors.EngineError as exc:
                if not self._stopping.is_set():
                    LOG.warning('Engine event stream broken (%s); retrying '
                                'in %.1f s', exc, self._interval)
            except Exception:
                LOG.exception('Unexpected error in the engine event listener')
            self._stopping.wait(self._interval)

    def _dispatch(self, event):
        try:
            self._on_event(event)
        except Exception:
            LOG.exception('Handling engine event %s failed', event)
