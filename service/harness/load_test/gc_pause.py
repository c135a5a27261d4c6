"""How long a full garbage collection stops a worker: its objects frozen, or not.

    python -m load_test.gc_pause --config configuration/local.yaml

In a fresh process holding what a worker holds (the app, and its models loaded), a full
collection is timed a few times; then again once ``gc.freeze()`` has moved the objects alive out
of the collector's reach, as the service does after loading (``freeze_after_loading``). While a
collection runs, the event loop, and every request in flight, waits.
"""

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common.yaml_files import ConfigurationError
from load_test.defaults import DEFAULTS
from model_service.app import create_app
from model_service.configuration import ServiceConfiguration, load_configuration
from model_service.loading import ModelRegistry, freeze_long_lived_objects


def median_collection_ms(repeats: int) -> float:
    """The median wall time of ``repeats`` full collections, in milliseconds."""
    pauses = []
    for _ in range(repeats):
        start = time.perf_counter()
        gc.collect()
        pauses.append(1000 * (time.perf_counter() - start))
    return statistics.median(pauses)


def loaded_worker(configuration: ServiceConfiguration) -> ModelRegistry:
    """What a worker holds once it is ready: the app and its models, loaded without freezing."""
    create_app(configuration)
    registry = ModelRegistry()
    registry.load(configuration.models, freeze=False)
    if registry.error is not None:
        raise RuntimeError(f"the models did not load: {registry.error}")
    return registry


def pauses_in_this_process(configuration: ServiceConfiguration, repeats: int) -> dict[str, float]:
    """Objects the collector tracks, and a full collection's pause, before and after freezing."""
    registry = loaded_worker(configuration)
    gc.unfreeze()  # objects an earlier freeze left out are walked too, as in an unfrozen worker
    tracked = len(gc.get_objects())
    not_frozen = median_collection_ms(repeats)
    frozen_objects = freeze_long_lived_objects()
    frozen = median_collection_ms(repeats)
    gc.unfreeze()
    del registry
    return {
        "tracked objects": tracked,
        "frozen objects": frozen_objects,
        "not frozen ms": round(not_frozen, 3),
        "frozen ms": round(frozen, 3),
    }


def collection_pauses(config: Path = DEFAULTS.service_config, repeats: int = 5) -> dict[str, float]:
    """The pauses of a fresh process (this module run with ``--json``); RuntimeError says why
    it could not measure them."""
    command = [sys.executable, "-m", "load_test.gc_pause", "--config", str(config)]
    done = subprocess.run(
        [*command, "--repeats", str(repeats), "--json"], capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise RuntimeError(
            f"measuring the collection pauses failed: {last.removeprefix('error: ')}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(pauses: dict[str, float]) -> str:
    """The pauses in a sentence."""
    return (
        f"A full collection walks {pauses['tracked objects']:,.0f} objects in a loaded worker and "
        f"pauses it {pauses['not frozen ms']:.1f} ms; with {pauses['frozen objects']:,.0f} "
        f"frozen, {1000 * pauses['frozen ms']:.0f} µs."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", type=Path, default=DEFAULTS.service_config, help="the service's file"
    )
    parser.add_argument("--repeats", type=int, default=5, help="collections timed per setting")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args(argv)
    if arguments.repeats < 1:
        parser.error(f"--repeats must be 1 or more, not {arguments.repeats}")
    try:
        pauses = pauses_in_this_process(load_configuration(arguments.config), arguments.repeats)
    except (ConfigurationError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(pauses) if arguments.json else describe(pauses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
