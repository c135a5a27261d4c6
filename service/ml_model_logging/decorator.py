"""Model decorators: wrap a model and expose the same interface.

``LoggingDecorator`` logs every prediction as two structured records, ``Prediction requested``
and ``Prediction created`` (or ``Prediction failed``). It logs only the input fields it is
configured with: inputs are personal data, so the allowlist is explicit.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ml_model_logging.context import current_prediction_id, new_prediction_id

PREDICTION_LOGGER = "ml_model_logging.predictions"


def predict_isolated(model: Any, data: Sequence[Any]) -> list[Any]:
    """``model.predict_batch(data)``; when it fails, each item alone, its error in its place.

    One bad input then fails only itself, not the requests batched with it.
    """
    try:
        return list(model.predict_batch(data))
    except Exception:
        return [outcome(model.predict, item) for item in data]


def outcome(function: Any, item: Any) -> Any:
    """``function(item)``, or the exception it raised."""
    try:
        return function(item)
    except Exception as error:
        return error


class MLModelDecorator:
    """Passes everything to the wrapped model; subclasses override what they add to."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def predict(self, data: Any) -> Any:
        return self._model.predict(data)

    def predict_batch(
        self,
        data: Sequence[Any],
        prediction_ids: Sequence[str] | None = None,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Like the model's; with ``return_exceptions``, each failed item's error in its place."""
        if isinstance(self._model, MLModelDecorator):
            return self._model.predict_batch(data, prediction_ids, return_exceptions)
        if return_exceptions:
            return predict_isolated(self._model, data)
        return self._model.predict_batch(data)


class LoggingDecorator(MLModelDecorator):
    """Logs each prediction: the allowed input fields, the output fields and the latency."""

    def __init__(
        self,
        model: Any,
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

    def predict(self, data: Any) -> Any:
        prediction_id = current_prediction_id()
        self._log_requested(prediction_id, data)
        start = time.perf_counter()
        try:
            result = self._model.predict(data)
        except Exception as error:
            self._log_failed(prediction_id, error, start)
            raise
        self._log_created(prediction_id, result, start)
        return result

    def predict_batch(
        self,
        data: Sequence[Any],
        prediction_ids: Sequence[str] | None = None,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Like ``predict`` for each item: one pair of records per item, each with its own id.

        With ``return_exceptions``, an item that fails gets its own ``Prediction failed`` record
        and its error in its place in the result; the others succeed.
        """
        ids = (
            list(prediction_ids)
            if prediction_ids is not None
            else [new_prediction_id() for _ in data]
        )
        if len(ids) != len(data):
            raise ValueError(f"got {len(ids)} prediction ids for {len(data)} inputs")
        for prediction_id, item in zip(ids, data, strict=True):
            self._log_requested(prediction_id, item)
        start = time.perf_counter()
        try:
            results = super().predict_batch(data, ids, return_exceptions)
        except Exception as error:
            for prediction_id in ids:
                self._log_failed(prediction_id, error, start)
            raise
        for prediction_id, result in zip(ids, results, strict=True):
            if isinstance(result, Exception):
                self._log_failed(prediction_id, result, start)
            else:
                self._log_created(prediction_id, result, start)
        return results

    def _log_requested(self, prediction_id: str, data: Any) -> None:
        inputs = {field: getattr(data, field, None) for field in self._input_fields}
        self._logger.info(
            "Prediction requested", extra=self._record(prediction_id, "requested", input=inputs)
        )

    def _log_created(self, prediction_id: str, result: Any, start: float) -> None:
        outputs = {field: getattr(result, field, None) for field in self._output_fields}
        extra = self._record(prediction_id, "success", output=outputs, latency_ms=elapsed_ms(start))
        self._logger.info("Prediction created", extra=extra)

    def _log_failed(self, prediction_id: str, error: Exception, start: float) -> None:
        extra = self._record(
            prediction_id,
            "error",
            error_type=type(error).__name__,
            error_message=str(error),
            latency_ms=elapsed_ms(start),
        )
        self._logger.error("Prediction failed", extra=extra)

    def _record(self, prediction_id: str, status: str, **fields: Any) -> dict[str, Any]:
        return {**self._identity, "status": status, "prediction_id": prediction_id, **fields}


def checked_fields(fields: Iterable[str], schema: Any, option: str) -> tuple[str, ...]:
    """The configured fields, after checking that the schema has every one of them."""
    names = tuple(fields)
    unknown = sorted(set(names) - set(schema.model_fields))
    if unknown:
        raise ValueError(
            f"{option} {unknown} are not fields of {schema.__name__}: {list(schema.model_fields)}"
        )
    return names


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
