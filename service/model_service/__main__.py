"""Run the service with uvicorn: ``python -m model_service``.

The environment chooses everything: ``SERVICE_CONFIG`` (required), ``HOST`` (0.0.0.0),
``PORT`` (8000) and ``WORKERS`` (1). SIGTERM or Ctrl-C shuts down gracefully: in-flight requests
finish and the log queue is flushed.
"""

import os
import sys
import tempfile

import uvicorn

from common.yaml_files import ConfigurationError
from model_service.configuration import configuration_from_environment
from model_service.metrics import MULTIPROCESS_DIR_ENV_VAR

GRACEFUL_SHUTDOWN_SECONDS = 20


def main() -> int:
    try:
        configuration_from_environment()  # fail here, with a clear message, not in a worker
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    workers = int(os.environ.get("WORKERS", "1"))
    if workers > 1 and not os.environ.get(MULTIPROCESS_DIR_ENV_VAR):
        # the workers share their metrics through files here; a fresh folder for each start
        os.environ[MULTIPROCESS_DIR_ENV_VAR] = tempfile.mkdtemp(prefix="prometheus-")
    uvicorn.run(
        "model_service.main:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8000")),
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
