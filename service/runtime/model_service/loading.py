"""Build the configured models: instantiate each by class path, then wrap its decorators."""

import asyncio
import gc
import logging
import os
import threading
import time
from pathlib import Path

from model_contract.servable import ServableModel, check_implements, served
from model_service.configuration import ModelConfiguration, import_object

logger = logging.getLogger(__name__)
LOAD_POLL_SECONDS = 0.05
MODEL_LOADED = "Model loaded"  # the record each model writes once it is loaded
WORKER_READY = "Worker ready"  # the record a worker writes once every model is loaded
PROC_SELF_STAT = Path("/proc/self/stat")
PROC_UPTIME = Path("/proc/uptime")


def seconds_since_process_start() -> float | None:
    """How long ago this process started, from Linux's /proc (to the clock tick); None elsewhere.

    The kernel's count starts when the process does, before the interpreter runs a line, so it
    includes Python's own start and every import.
    """
    try:
        fields = PROC_SELF_STAT.read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat(5); the two before ")" are cut off
        uptime = float(PROC_UPTIME.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return round(uptime - started_ticks / os.sysconf("SC_CLK_TCK"), 2)


def freeze_long_lived_objects() -> int:
    """Collect once, then freeze what is left: how many objects the collector will now skip.

    The objects alive once the models are loaded live as long as the process. Left in the
    oldest generation, every full collection walks them all: with the model and the libraries,
    a pause of a tenth of a second or more, while every request waits (``make benchmark-tail``).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def build_model(configuration: ModelConfiguration) -> ServableModel:
    """The model as served, wrapped by its decorators in order (the first is innermost)."""
    model = served(import_object(configuration.class_path)(**configuration.kwargs))
    for decorator in configuration.decorators:
        model = import_object(decorator.class_path)(model, **decorator.kwargs)
        check_implements(model, ServableModel)
    return model


class ModelRegistry:
    """The loaded models by qualified name, and whether loading finished or failed."""

    def __init__(self) -> None:
        self.models: dict[str, ServableModel] = {}
        self.error: str | None = None
        self._loaded = threading.Event()

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self.error is None

    @property
    def finished(self) -> bool:
        """Loading is over, successful or not."""
        return self._loaded.is_set()

    def load(self, configurations: list[ModelConfiguration], freeze: bool = False) -> None:
        """Load every model, then (with ``freeze``) freeze the long-lived objects, before the
        probes say ready; on failure keep the error, so the probes report it."""
        try:
            for configuration in configurations:
                model = build_model(configuration)
                self.models[model.qualified_name] = model
                logger.info(MODEL_LOADED, extra={"model_qualified_name": model.qualified_name})
            if freeze:
                frozen = freeze_long_lived_objects()
                logger.info("Long-lived objects frozen", extra={"frozen_objects": frozen})
            logger.info(WORKER_READY, extra={"seconds_since_start": seconds_since_process_start()})
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            logger.exception("Model loading failed", extra={"error_type": type(error).__name__})
        finally:
            self._loaded.set()

    async def wait_for(self, name: str, seconds: float) -> ServableModel | None:
        """The model ``name``, after waiting up to ``seconds`` while loading goes on."""
        deadline = time.monotonic() + seconds
        while name not in self.models and not self.finished and time.monotonic() < deadline:
            await asyncio.sleep(LOAD_POLL_SECONDS)
        return self.models.get(name)

    async def close(self) -> None:
        """Close every loaded model's decorators (the batchers' tasks)."""
        for model in self.models.values():
            await model.close()
