"""Logging set up from a ``dictConfig`` block, with the handlers behind a queue.

``configure_logging`` applies the dictConfig, then moves every handler behind a
``QueueHandler``: a request only puts the record on a queue, and a listener thread formats and
writes it, so a slow stdout never stalls a request. The listener wakes every ``interval``
seconds and writes everything queued in one go: a request never wakes a thread, and the two
threads do not fight over the GIL record by record. ``stop()`` drains the queue, so no record is
lost at shutdown.
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
_SOURCE_FILE = logging._srcfile


class QueueingHandler(logging.handlers.QueueHandler):
    """A QueueHandler that keeps the record's extra fields and its traceback as text."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
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
        """Handle every queued record, then flush once; return how many there were."""
        count = 0
        while True:
            try:
                record = self.records.get_nowait()
            except queue.Empty:
                break
            if record.levelno >= self.handler.level:
                self.handler.handle(record)
            count += 1
        if count:
            self.handler.flush()
        return count

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.write_queued()
        self.write_queued()


@dataclass
class QueuedLogging:
    """The listener threads of the queued handlers.

    ``stop()`` drains the queues, ends the threads, and gives each logger its handlers back, so
    records logged after it (the server's last words) are still written.
    """

    listeners: list[BatchQueueListener] = field(default_factory=list)
    swaps: list[tuple[logging.Logger, logging.Handler, logging.Handler]] = field(
        default_factory=list
    )
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


_active = QueuedLogging()


def use_lean_records(lean: bool) -> None:
    """Whether records skip the caller's file and line, the thread and the process.

    Collecting them costs more than formatting a JSON line; formats that print none of them lose
    nothing ("Optimization" in the logging documentation).
    """
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = not lean
    logging._srcfile = None if lean else _SOURCE_FILE


def configure_logging(
    dict_config: dict[str, Any], use_queue: bool = True, lean_records: bool = False
) -> QueuedLogging:
    """Apply ``dict_config``; with ``use_queue``, serve its handlers from background threads."""
    global _active
    _active.stop()
    use_lean_records(lean_records)
    logging.config.dictConfig(dict_config)
    handler_names = set(dict_config.get("handlers", {}))
    _active = queue_handlers(handler_names) if use_queue else QueuedLogging()
    return _active


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
    session = QueuedLogging(listeners, swaps)
    atexit.register(session.stop)
    return session
