"""Ours against the async hello-world, in alternating pairs under the same Locust load.

    python -m load_test.pairs --pairs 5 --duration 20s --users 32
    python -m load_test.pairs --pin      # the service on one core, Locust on another

Each pair loads ours (as ``make serve`` runs it: 2 workers) and hello-world (2 workers), one
after the other, with one Locust process. The order alternates, ours first in odd pairs and
hello-world first in even ones (ABBA...), so that neither always runs on a machine just warmed
up or busier. For each pair: both rates and their ratio, both services' CPU µs per request and
their ratio, and what bound each run; then the median ratio, its min and max. ``pairs.json`` in
the reports folder holds it all.
"""

import argparse
import json
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from load_test.benchmark import (
    BAR_OVERRIDES,
    HELLO_WORLD,
    Contender,
    Pinning,
    hello_world,
    measure,
    pinning_here,
)
from load_test.defaults import DEFAULTS
from load_test.run import LoadTest, positive_int

OURS = "ours, as make serve runs it, 2 workers"
HELLO = HELLO_WORLD[2]
WORKERS = 2
TARGET_RATIO = 0.85  # the median req/s ratio to hello-world that ours aims at
SUMMARY_FILE = "pairs.json"
RUN_TIME = re.compile(r"\d+|(\d+h)?(\d+m)?(\d+s)?")


@dataclass(frozen=True)
class PairSettings:
    """How many pairs, and the load each run gets."""

    pairs: int = 5
    users: int = DEFAULTS.users
    duration: str = "20s"
    config: Path = DEFAULTS.service_config
    reports: Path = Path("reports/benchmark-pairs")
    pin: bool = False


def pair_orders(pairs: int) -> list[tuple[str, str]]:
    """Which runs first in each pair: ours, then hello-world first, and so on (ABBA...)."""
    return [(OURS, HELLO) if index % 2 == 0 else (HELLO, OURS) for index in range(pairs)]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``; None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def spread(values: list[float | None]) -> dict[str, float | None]:
    """Median, min and max of the values present; None each when there are none."""
    present = [value for value in values if value is not None]
    if not present:
        return {"median": None, "min": None, "max": None}
    median = round(statistics.median(present), 4)  # no float noise in the JSON
    return {"median": median, "min": min(present), "max": max(present)}


def pair_row(number: int, first: str, runs: dict[str, dict[str, object]]) -> dict[str, object]:
    """One pair's line: both rates and CPU µs per request, their ratios (ours over hello-world),
    and what bound each run."""
    ours, hello = runs[OURS], runs[HELLO]
    rps_ratio = ratio(ours["req/s"], hello["req/s"])
    cpu_ratio = ratio(ours["service CPU µs/req"], hello["service CPU µs/req"])
    return {
        "pair": number,
        "first": "ours" if first == OURS else "hello-world",
        "ours req/s": ours["req/s"],
        "hello-world req/s": hello["req/s"],
        "req/s ratio": None if rps_ratio is None else round(rps_ratio, 3),
        "ours CPU µs/req": ours["service CPU µs/req"],
        "hello-world CPU µs/req": hello["service CPU µs/req"],
        "CPU µs/req ratio": None if cpu_ratio is None else round(cpu_ratio, 2),
        "ours Locust CPU µs/req": ours["Locust CPU µs/req"],
        "hello-world Locust CPU µs/req": hello["Locust CPU µs/req"],
        "ours bound by": ours["bound by"],
        "hello-world bound by": hello["bound by"],
    }


def pairs_summary(
    rows: list[dict[str, object]], settings: PairSettings, pinning: str
) -> dict[str, object]:
    """The pairs, the spread of both ratios, and how they were measured."""
    return {
        "settings": {
            "pairs": settings.pairs, "users": settings.users, "duration": settings.duration,
            "locust_processes": 1, "workers": WORKERS, "config": str(settings.config),
            "pinning": pinning,
        },
        "target_median_rps_ratio": TARGET_RATIO,
        "req/s ratio": spread([row["req/s ratio"] for row in rows]),
        "CPU µs/req ratio": spread([row["CPU µs/req ratio"] for row in rows]),
        "pairs": rows,
    }  # fmt: skip


def spread_line(name: str, values: dict[str, float | None]) -> str:
    if values["median"] is None:
        return f"{name}: no pair measured it"
    return (
        f"{name}: median {values['median']:.3f} (min {values['min']:.3f}, max {values['max']:.3f})"
    )


def report(summary: dict[str, object]) -> str:
    """The pairs' table, and each ratio's spread beside the target."""
    table = pd.DataFrame(summary["pairs"]).set_index("pair")
    lines = [
        table.to_string(),
        spread_line("req/s ratio, ours / hello-world", summary["req/s ratio"]),
        spread_line("CPU µs/req ratio, ours / hello-world", summary["CPU µs/req ratio"]),
        f"target: a median req/s ratio of {TARGET_RATIO} or more; {summary['settings']['pinning']}",
    ]
    return "\n".join(lines)


def contenders(config: Path) -> dict[str, Contender]:
    return {OURS: Contender(OURS, workers=WORKERS, config=config), HELLO: hello_world(WORKERS)}


def run_pairs(settings: PairSettings, pinning: Pinning) -> list[dict[str, object]]:
    """Every pair, in turn, each run under the same load; the pairs' rows."""
    services, rows = contenders(settings.config), []
    for number, order in enumerate(pair_orders(settings.pairs), start=1):
        load = LoadTest(
            reports=settings.reports / f"pair-{number}", users=settings.users,
            spawn_rate=settings.users, duration=settings.duration, shape="constant",
            processes=1, slo_overrides=BAR_OVERRIDES,
        )  # fmt: skip
        runs = {}
        for name in order:
            print(f"== pair {number}: {name}, {load.users} users for {load.duration}", flush=True)
            runs[name] = measure(services[name], load, pinning)
            print(f"   {runs[name]['req/s']} req/s, bound by {runs[name]['bound by']}", flush=True)
        rows.append(pair_row(number, order[0], runs))
    return rows


def run_time(text: str) -> str:
    """A Locust run time such as 20s, 2m or 1m30s."""
    if not text or not RUN_TIME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a run time such as 20s, 2m or 1m30s")
    return text


def parse_arguments(argv: list[str] | None) -> PairSettings:
    defaults = PairSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=positive_int, default=defaults.pairs)
    parser.add_argument("--users", type=positive_int, default=defaults.users)
    parser.add_argument("--duration", type=run_time, default=defaults.duration, help="per run")
    parser.add_argument("--config", type=Path, default=defaults.config)
    parser.add_argument("--reports", type=Path, default=defaults.reports)
    parser.add_argument(
        "--pin", action="store_true", help="the service on one core, Locust on another"
    )
    return PairSettings(**vars(parser.parse_args(argv)))


def main(argv: list[str] | None = None) -> int:
    settings = parse_arguments(argv)
    pinning = pinning_here(settings.pin)
    print(pinning.description, flush=True)
    summary = pairs_summary(run_pairs(settings, pinning), settings, pinning.description)
    print(report(summary))
    path = settings.reports / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"summary: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
