"""Why p99 grows with users: latency percentiles against users, the collector frozen or not.

    python -m load_test.tail --users 16,32,64,128 --duration 20s

For each number of users, the local service (``make serve``'s configuration) gets a constant
Locust load; once with ``freeze_after_loading`` (the default: the objects alive after loading are
frozen out of the garbage collector's reach) and once without. Without it, a full collection
walks the model and the libraries while every request waits: a pause of a tenth of a second
that the p99 of a run shows once enough requests fall into it.
"""

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd
import yaml
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from common.yaml_files import read_self_contained
from load_test.defaults import DEFAULTS
from load_test.gc_pause import collection_pauses, describe
from load_test.run import RUN_ERRORS, LoadTest, positive_int, run_load_test
from model_service.configuration import INCLUDED_FILES
from notebook_support.figures import save_figure
from service_levels.objectives import ServiceLevelObjectives, load_objectives

SETTINGS = {"frozen after loading": True, "not frozen": False}
COLORS = {"frozen after loading": "tab:blue", "not frozen": "tab:orange"}


def config_with_freeze(config: Path, freeze: bool, directory: Path) -> Path:
    """A copy of the service file with ``freeze_after_loading`` set, logging inline."""
    settings = read_self_contained(config, "service configuration", INCLUDED_FILES)
    settings["freeze_after_loading"] = freeze
    path = directory / f"service-freeze-{str(freeze).lower()}.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def sweep(load: LoadTest, users: list[int], config: Path) -> pd.DataFrame:
    """One constant run per number of users and setting: p50, p90, p99 and req/s."""
    rows = []
    for name, freeze in SETTINGS.items():
        service_config = config_with_freeze(config, freeze, load.reports)
        for count in users:
            reports = load.reports / f"{name.replace(' ', '_')}_{count}"
            test = dataclasses.replace(
                load, reports=reports, users=count, spawn_rate=count,
                service_config=service_config, locust_log=reports / "locust.log",
            )  # fmt: skip
            measured = run_load_test(test).summary.measurements
            print(f"== {name}, {count} users: p99 {measured.p99_ms} ms", flush=True)
            rows.append(
                {"setting": name, "users": count, "req/s": measured.rps,
                 "p50 ms": measured.p50_ms, "p90 ms": measured.p90_ms,
                 "p99 ms": measured.p99_ms, "failures": measured.failures}
            )  # fmt: skip
    return pd.DataFrame(rows)


def tail_chart(table: pd.DataFrame, objectives: ServiceLevelObjectives) -> Figure:
    """p50 and p99 against users, one line per setting, with the p99 SLO; the legend beside
    the chart, over no line."""
    figure, axes = plt.subplots(figsize=(8, 4))
    for name, rows in table.groupby("setting"):
        color = COLORS[name]
        axes.plot(rows["users"], rows["p99 ms"], marker="o", color=color, label=f"{name}: p99")
        axes.plot(rows["users"], rows["p50 ms"], marker=".", linestyle=":", color=color,
                  label=f"{name}: p50")  # fmt: skip
    axes.axhline(objectives.p99_ms, color="tab:red", linestyle="--",
                 label=f"p99 SLO ({objectives.p99_ms:g} ms)")  # fmt: skip
    axes.set(xlabel="users (requests in flight)", ylabel="latency (ms)",
             title="Latency against load, the collector frozen or not")  # fmt: skip
    axes.set_xscale("log", base=2)
    axes.set_xticks(
        sorted(table["users"].unique()), [str(u) for u in sorted(table["users"].unique())]
    )
    axes.set_ylim(bottom=0, top=max(1.15 * objectives.p99_ms, axes.get_ylim()[1]))
    axes.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    return figure


def users_list(text: str) -> list[int]:
    try:
        users = [int(part) for part in text.split(",")]
    except ValueError:
        users = []
    if not users or min(users) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of user counts like 16,32,64")
    return users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=users_list, default=[16, 32, 64, 128])
    parser.add_argument("--duration", default="20s", help="each run")
    parser.add_argument("--workers", type=positive_int, default=DEFAULTS.workers)
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument("--reports", type=Path, default=Path("reports/tail"))
    parser.add_argument("--chart", type=Path, default=Path("images/07_tail.png"))
    arguments = parser.parse_args(argv)
    load = LoadTest(reports=arguments.reports, duration=arguments.duration,
                    workers=arguments.workers, slo_overrides=("min_rps=1",))  # fmt: skip
    try:
        print(describe(collection_pauses(arguments.config)), flush=True)
        table = sweep(load, arguments.users, arguments.config)
    except RUN_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table.to_string(index=False))
    objectives = load_objectives(load.slo_file)
    print(f"chart: {save_figure(tail_chart(table, objectives), arguments.chart)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
