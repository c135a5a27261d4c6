"""Logging set up from a ``dictConfig`` block, with the handlers behind a queue.

``configure_logging`` applies the dictConfig, then moves every handler behind a
``QueueHandler``: a request only puts the record on a queue, and a ``QueueListener`` thread
formats and writes it, so a slow stdout never stalls a request. ``stop()`` drains the queue,
so no record is lost at shutdown.
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


@dataclass
class QueuedLogging:
    """The listener threads of the queued handlers.

    ``stop()`` drains the queues, ends the threads, and gives each logger its handlers back, so
    records logged after it (the server's last words) are still written.
    """

    listeners: list[logging.handlers.QueueListener] = field(default_factory=list)
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


def configure_logging(dict_config: dict[str, Any], use_queue: bool = True) -> QueuedLogging:
    """Apply ``dict_config``; with ``use_queue``, serve its handlers from background threads."""
    global _active
    _active.stop()
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
                listeners.append(
                    logging.handlers.QueueListener(records, handler, respect_handler_level=True)
                )
            logger.removeHandler(handler)
            logger.addHandler(queued[handler])
            swaps.append((logger, queued[handler], handler))
    for listener in listeners:
        listener.start()
    session = QueuedLogging(listeners, swaps)
    atexit.register(session.stop)
    return session
