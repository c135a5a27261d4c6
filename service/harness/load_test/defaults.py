"""The load test's defaults: the one place ``python -m load_test.run``, ``make load-test`` (which
passes an option only when its variable is set) and the notebooks read them.

    from load_test.defaults import DEFAULTS      # DEFAULTS.users == 32
    python -m load_test.defaults                 # every default, one per line
    python -m load_test.defaults workers         # one: 2
"""

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from common.paths import CONFIGURATION_DIR
from load_test.populations import TRAINING
from service_levels.objectives import SLO_FILE


@dataclass(frozen=True)
class LoadTestDefaults:
    """What a load test runs with unless told otherwise."""

    users: int = 32  # concurrent users at the peak
    spawn_rate: float = 8  # users started per second
    duration: str = "60s"  # run time, as Locust reads it
    shape: str = "constant"  # load_test.shapes: constant, or stages up and down
    # uvicorn workers of a local service: the load test's, and `make serve`'s
    workers: int = 2
    processes: int = 1  # Locust processes sending requests
    population: str = TRAINING  # who the users are: configuration/populations.yaml
    web_port: int = 8089  # Locust's web UI (Locust's own default)
    reports: Path = Path("reports/load_test")
    service_config: Path = CONFIGURATION_DIR / "local.yaml"  # the local service's configuration
    slo_file: Path = SLO_FILE


DEFAULTS = LoadTestDefaults()


def describe(names: list[str]) -> str:
    """The defaults named (all when none), as ``name=value`` lines; one named alone, its value."""
    values = asdict(DEFAULTS)
    unknown = [name for name in names if name not in values]
    if unknown:
        raise KeyError(f"no default {', '.join(unknown)}; there are {', '.join(values)}")
    if len(names) == 1:
        return str(values[names[0]])
    return "\n".join(f"{name}={values[name]}" for name in names or values)


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    try:
        print(describe([name.replace("-", "_") for name in names]))
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
