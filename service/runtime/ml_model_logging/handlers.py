"""A stream handler that writes a batch of records at once."""

import logging
from collections.abc import Sequence


class BatchStreamHandler(logging.StreamHandler):
    """A ``StreamHandler`` that also takes records by the batch: one write, one flush for all.

    The queue's writer thread (``configuration.BatchQueueListener``) hands it what is queued;
    a plain ``StreamHandler`` writes and flushes each record, a system call each when the stream
    is unbuffered, as stdout is in the image. Record by record (``handle``), it is a plain
    ``StreamHandler``.
    """

    def handle_batch(self, records: Sequence[logging.LogRecord]) -> None:
        """Filter and format each record, then write the lines in one go.

        A record that fails to format is reported (``handleError``) and left out; a write that
        fails is reported once, for the batch's first record.
        """
        with self.lock:
            lines = [line for record in records if (line := self.formatted(record)) is not None]
            if lines:
                self.write_lines(lines, records[0])

    def formatted(self, record: logging.LogRecord) -> str | None:
        """The record's line; None when a filter drops it or it fails to format."""
        kept = self.filter(record)
        if not kept:
            return None
        if isinstance(kept, logging.LogRecord):  # a filter may return a record to use instead
            record = kept
        try:
            return self.format(record)
        except RecursionError:  # as StreamHandler.emit does
            raise
        except Exception:
            self.handleError(record)
            return None

    def write_lines(self, lines: list[str], blamed: logging.LogRecord) -> None:
        try:
            self.stream.write(self.terminator.join(lines) + self.terminator)
            self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(blamed)
