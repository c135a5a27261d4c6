"""Logging set up from a ``dictConfig`` block, with the handlers behind a queue.

``configure_logging`` applies the dictConfig, then moves every handler behind a
``QueueHandler``: a request only puts the record on a queue, and a listener thread formats and
writes it, so a slow stdout never stalls a request. The listener wakes every ``interval``
seconds and writes everything queued in one go (a ``BatchStreamHandler`` in one write and one
flush): a request never wakes a thread, and the two threads do not fight over the GIL record by
record. ``stop()`` drains the queue, so no record is lost at shutdown; one ``atexit`` hook stops
whichever session is active when the process exits.

With ``lean_records``, records skip the caller lookup, the thread and the process while the
session is active: these are switches of the ``logging`` module itself, so ``stop()`` puts back
the values it found. The handlers ``dictConfig`` set up stay in place after ``stop()``.
"""

import atexit
import copy
import logging
import logging.config
import logging.handlers
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

_exception_formatter = logging.Formatter()
LISTENER_INTERVAL_SECONDS = 0.05
# The logging module's switches for the costly parts of a record ("Optimization" in the logging
# HOWTO); _srcfile = None skips the caller lookup. logAsyncioTasks exists from Python 3.12 on.
RECORD_SWITCHES = tuple(
    name
    for name in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing", "logAsyncioTasks")
    if hasattr(logging, name)
)
LEAN_SWITCHES = {name: None if name == "_srcfile" else False for name in RECORD_SWITCHES}


class QueueingHandler(logging.handlers.QueueHandler):
    """A QueueHandler that keeps the record's extra fields and its traceback as text."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        if not record.args and not record.exc_info:
            return record  # nothing to render before it leaves: no copy needed
        prepared = copy.copy(record)
        prepared.msg = prepared.message = record.getMessage()
        prepared.args = None
        if record.exc_info:
            prepared.exc_text = record.exc_text or _exception_formatter.formatException(
                record.exc_info
            )
            prepared.exc_info = None
        return prepared


class BatchQueueListener:
    """Writes the queued records to ``handler`` in batches, from a thread of its own."""

    def __init__(
        self,
        records: queue.SimpleQueue,
        handler: logging.Handler,
        interval: float = LISTENER_INTERVAL_SECONDS,
    ) -> None:
        self.records, self.handler, self.interval = records, handler, interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the thread once it has written what is queued."""
        self._stopping.set()
        self._thread.join()

    def write_queued(self) -> int:
        """Hand every queued record at the handler's level to it, then flush once; return how
        many were queued."""
        records = self.take_queued()
        if records:
            level = self.handler.level
            write(self.handler, [record for record in records if record.levelno >= level])
        return len(records)

    def take_queued(self) -> list[logging.LogRecord]:
        records = []
        while True:
            try:
                records.append(self.records.get_nowait())
            except queue.Empty:
                return records

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.write_queued()
        self.write_queued()


def write(handler: logging.Handler, records: list[logging.LogRecord]) -> None:
    """Hand ``records`` to ``handler``: as one batch when it takes batches (a ``handle_batch``,
    as ``BatchStreamHandler`` has), else one by one, then flush once."""
    handle_batch = getattr(handler, "handle_batch", None)
    if handle_batch is not None:
        handle_batch(records)
        return
    for record in records:
        handler.handle(record)
    handler.flush()


def record_switches() -> dict[str, Any]:
    """The current values of the logging module's record switches."""
    return {name: getattr(logging, name) for name in RECORD_SWITCHES}


def set_record_switches(values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(logging, name, value)


@dataclass
class QueuedLogging:
    """A logging session: the listener threads of the queued handlers, and what to give back.

    ``stop()`` drains the queues, ends the threads, gives each logger its handlers back, so
    records logged after it (the server's last words) are still written, and restores the
    record switches the session found.
    """

    listeners: list[BatchQueueListener] = field(default_factory=list)
    swaps: list[tuple[logging.Logger, logging.Handler, logging.Handler]] = field(
        default_factory=list
    )
    switches_before: dict[str, Any] = field(default_factory=dict)
    _stopped: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            for listener in self.listeners:
                listener.stop()
            for logger, queueing, handler in self.swaps:
                logger.removeHandler(queueing)
                logger.addHandler(handler)
            set_record_switches(self.switches_before)


_active = QueuedLogging()
_configuring = threading.Lock()
_exit_hook_registered = False


def stop_active_session() -> None:
    """Stop the session that is active, if any: the one ``atexit`` hook."""
    _active.stop()


def register_exit_hook_once() -> None:
    global _exit_hook_registered
    if not _exit_hook_registered:
        atexit.register(stop_active_session)
        _exit_hook_registered = True


def configure_logging(
    dict_config: dict[str, Any], use_queue: bool = True, lean_records: bool = False
) -> QueuedLogging:
    """Apply ``dict_config``; with ``use_queue``, serve its handlers from background threads.

    The session active before is stopped first. With ``lean_records``, records skip the caller,
    the thread and the process until the returned session stops.
    """
    global _active
    with _configuring:
        _active.stop()
        logging.config.dictConfig(dict_config)
        handler_names = set(dict_config.get("handlers", {}))
        session = queue_handlers(handler_names) if use_queue else QueuedLogging()
        session.switches_before = record_switches()
        if lean_records:
            set_record_switches(LEAN_SWITCHES)
        _active = session
        register_exit_hook_once()
    return session


def configured_loggers() -> list[logging.Logger]:
    named = logging.Logger.manager.loggerDict.values()
    return [
        logging.getLogger(),
        *(logger for logger in named if isinstance(logger, logging.Logger)),
    ]


def queue_handlers(names: set[str]) -> QueuedLogging:
    """Put each named handler behind a QueueHandler, feeding a listener thread that owns it."""
    queued: dict[logging.Handler, QueueingHandler] = {}
    listeners, swaps = [], []
    for logger in configured_loggers():
        for handler in list(logger.handlers):
            if handler.name not in names:
                continue
            if handler not in queued:
                records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
                queued[handler] = QueueingHandler(records)
                listeners.append(BatchQueueListener(records, handler))
            logger.removeHandler(handler)
            logger.addHandler(queued[handler])
            swaps.append((logger, queued[handler], handler))
    for listener in listeners:
        listener.start()
    return QueuedLogging(listeners, swaps)
