"""The logging decorator: a ``ServableModel`` that logs every prediction of the one it wraps.

``LoggingDecorator`` logs every prediction as two structured records, ``Prediction requested``
and ``Prediction created`` (or ``Prediction failed``). It logs only the input fields it is
configured with: inputs are personal data, so the allowlist is explicit.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from model_contract.context import batch_prediction_ids, current_prediction_id
from model_contract.servable import ModelDecorator, ServableModel

PREDICTION_LOGGER = "ml_model_logging.predictions"
# The messages of the records written for each prediction: one when asked, one when answered.
REQUESTED = "Prediction requested"
CREATED = "Prediction created"
FAILED = "Prediction failed"
# Where a record comes from when the logging module is told not to look (logging._srcfile None).
UNKNOWN_CALLER = ("(unknown file)", 0, "(unknown function)", None)


class LoggingDecorator(ModelDecorator):
    """Logs each prediction: the allowed input fields, the output fields and the latency."""

    def __init__(
        self,
        model: ServableModel,
        input_fields: Iterable[str] = (),
        output_fields: Iterable[str] = (),
        logger_name: str = PREDICTION_LOGGER,
    ) -> None:
        super().__init__(model)
        self._input_fields = checked_fields(input_fields, model.input_schema, "input_fields")
        self._output_fields = checked_fields(output_fields, model.output_schema, "output_fields")
        self._logger = logging.getLogger(logger_name)
        self._identity = {
            "action": "predict",
            "model_qualified_name": model.qualified_name,
            "model_version": model.version,
        }

    async def predict(self, data: Any) -> Any:
        prediction_id = current_prediction_id()
        self._log_requested(prediction_id, data)
        start = time.perf_counter()
        try:
            result = await self.model.predict(data)
        except Exception as error:
            self._log_failed(prediction_id, error, start)
            raise
        self._log_created(prediction_id, result, start)
        return result

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        """Like ``predict`` for each input: one pair of records per input, each with its own id.

        The ids are the batch's, when the layer that batched set them, else new ones.
        """
        ids = batch_prediction_ids(len(data))
        for prediction_id, item in zip(ids, data, strict=True):
            self._log_requested(prediction_id, item)
        start = time.perf_counter()
        try:
            results = await self.model.predict_batch(data)
        except Exception as error:
            for prediction_id in ids:
                self._log_failed(prediction_id, error, start)
            raise
        for prediction_id, result in zip(ids, results, strict=True):
            self._log_created(prediction_id, result, start)
        return results

    def _log_requested(self, prediction_id: str, data: Any) -> None:
        fields = self._fields(prediction_id, "requested")
        fields["input"] = field_values(data, self._input_fields)
        self._log(logging.INFO, REQUESTED, fields)

    def _log_created(self, prediction_id: str, result: Any, start: float) -> None:
        fields = self._fields(prediction_id, "success")
        fields["output"] = field_values(result, self._output_fields)
        fields["latency_ms"] = elapsed_ms(start)
        self._log(logging.INFO, CREATED, fields)

    def _log_failed(self, prediction_id: str, error: Exception, start: float) -> None:
        fields = self._fields(prediction_id, "error")
        fields["error_type"] = type(error).__name__
        fields["error_message"] = str(error)
        fields["latency_ms"] = elapsed_ms(start)
        self._log(logging.ERROR, FAILED, fields)

    def _fields(self, prediction_id: str, status: str) -> dict[str, Any]:
        """The fields every record starts with: the model, the status, the prediction."""
        return {**self._identity, "status": status, "prediction_id": prediction_id}

    def _log(self, level: int, message: str, fields: dict[str, Any]) -> None:
        """What ``logger.log(level, message, extra=fields)`` does, for less.

        ``extra`` checks each key against the record's attributes; the decorator's own names
        never clash with them (a test holds them apart), so they are set in one step.
        """
        logger = self._logger
        if not logger.isEnabledFor(level):
            return
        file, line, function, _ = (
            logger.findCaller(stacklevel=2) if logging._srcfile else UNKNOWN_CALLER
        )
        record = logger.makeRecord(logger.name, level, file, line, message, (), None, function)
        record.__dict__.update(fields)
        logger.handle(record)


def checked_fields(fields: Iterable[str], schema: Any, option: str) -> tuple[str, ...]:
    """The configured fields, after checking that the schema has every one of them."""
    names = tuple(fields)
    unknown = sorted(set(names) - set(schema.model_fields))
    if unknown:
        raise ValueError(
            f"{option} {unknown} are not fields of {schema.__name__}: {list(schema.model_fields)}"
        )
    return names


def field_values(data: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a schema instance, or of a raw dict (one that a caller passed before
    validation: the record keeps what it held); None for a field it lacks."""
    if isinstance(data, dict):
        return {field: data.get(field) for field in fields}
    return {field: getattr(data, field, None) for field in fields}


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
