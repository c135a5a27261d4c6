"""Benchmark: each service under the same Locust load, one after the other, in one run.

    python -m load_test.benchmark --duration 45s --users 32
    python -m load_test.benchmark --pin     # the service on one core, Locust on another

Each row is held to one bar, ``BAR``: 50,000 requests in 45 s (1,111 req/s), a p99 within 100 ms,
no failure. The contenders: a hello-world FastAPI endpoint (an ``async def`` answering a
constant), a tutorial-style endpoint (a 1-row DataFrame into ``pipeline.predict``), and our
service with micro-batching off and on, with 1 and 2 uvicorn workers. For each: requests per
second, the CPU µs that the service and Locust spent per request (the cost, whatever bound the
rate), p50 and p99, failures, the ratio to hello-world with as many workers, the CPU that Locust,
the service and every other process used over Locust's run (100 % is one core), and what bound
the rate. Hello-world is the framework's
ceiling only where the service bound it; where Locust did, every ratio to it is Locust's limit.

Locust shares the machine with the service. With ``--pin`` (and two usable cores) the service
runs on one core and Locust on another, so that each one's CPU % says whether it was the bound.
"""

import argparse
import copy
import dataclasses
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import psutil
import yaml
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from common.yaml_files import read_self_contained
from load_test.defaults import DEFAULTS
from load_test.run import LoadTest
from load_test.summary import SUMMARY_NAME, read_summary
from model_service.configuration import INCLUDED_FILES
from notebook_support.figures import save_figure
from service_runner.process import ServiceProcess

REFERENCE_APPS = "load_test.reference_apps"
MICRO_BATCHING = "model_contract.batching.MicroBatching"
BATCHING = {"max_batch_size": 32, "max_wait_ms": 0.0}
HELLO_WORLD_APP = f"{REFERENCE_APPS}:hello_world_app"
HELLO_WORLD = {
    1: "hello-world FastAPI, async def, 1 worker",
    2: "hello-world FastAPI, async def, 2 workers",
}
SATURATED_PERCENT = 90  # of one core: a process this busy is the bound
LOCUST, SERVICE, NO_BOUND = "Locust", "service", "none: CPU to spare"
NO_HELLO_WORLD = "no hello-world of as many workers ran"
BOUND_NOTE = (
    f"bound by: what held the rate back, a process at {SATURATED_PERCENT}% or more of its cores "
    "(others: every other process on the same cores); "
    '"of hello-world" is a ratio to the framework\'s ceiling only where the service bound '
    "hello-world, and CPU µs/req is the cost per request whatever the bound"
)
# Runs the rest of its command line on one core: where taskset is missing.
PIN_AND_EXEC = (
    "import os, sys; os.sched_setaffinity(0, {int(sys.argv[1])}); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)
# The bar each row is held to: BAR_REQUESTS in BAR_SECONDS, each answered within BAR_P99_MS at the
# 99th percentile, none failing.
BAR_REQUESTS = 50_000
BAR_SECONDS = 45
BAR_P99_MS = 100
BAR_RPS = BAR_REQUESTS / BAR_SECONDS
BAR = f"{BAR_REQUESTS:,} requests in {BAR_SECONDS} s, p99 ≤ {BAR_P99_MS} ms, no failure"
BAR_OVERRIDES = (f"p99_ms={BAR_P99_MS}", f"min_rps={BAR_RPS:.0f}", "errors_per_10k=0")


@dataclass(frozen=True)
class Contender:
    """One service to load: ours from a configuration file, or a reference app."""

    name: str
    workers: int = 1
    config: Path | None = None  # ours
    app: str = ""  # a reference app's factory, e.g. load_test.reference_apps:tutorial_app


@dataclass(frozen=True)
class Pinning:
    """Where Locust and the service run: a prefix for each one's command, and what was done."""

    description: str
    cores: frozenset[int] = field(default_factory=frozenset)  # where both run
    locust_prefix: tuple[str, ...] = ()
    service_prefix: tuple[str, ...] = ()

    @property
    def pinned(self) -> bool:
        return bool(self.service_prefix)


def affinity_prefix(core: int, taskset: str | None) -> tuple[str, ...]:
    """A prefix that runs a command on ``core`` alone: taskset, or Python setting its own
    affinity, then becoming the command (the same process, so its CPU is still counted)."""
    if taskset:
        return (taskset, "-c", str(core))
    return (sys.executable, "-c", PIN_AND_EXEC, str(core))


def plan_pinning(requested: bool, cores: set[int], taskset: str | None) -> Pinning:
    """Locust on the first usable core, the service on the second; or why not."""
    if not requested:
        return Pinning(
            f"not pinned: Locust and the service share {len(cores)} cores (see --pin)",
            frozenset(cores),
        )
    if len(cores) < 2:
        return Pinning(
            f"not pinned: {len(cores)} usable core, and pinning needs 2", frozenset(cores)
        )
    locust_core, service_core = sorted(cores)[:2]
    how = "taskset" if taskset else "sched_setaffinity, taskset being absent"
    return Pinning(
        f"service pinned to core {service_core}, Locust to core {locust_core} ({how})",
        frozenset((locust_core, service_core)),
        locust_prefix=affinity_prefix(locust_core, taskset),
        service_prefix=affinity_prefix(service_core, taskset),
    )


def pinning_here(requested: bool) -> Pinning:
    """``plan_pinning`` for this process's cores and this machine's taskset."""
    return plan_pinning(requested, os.sched_getaffinity(0), shutil.which("taskset"))


class LaunchedProcess(ServiceProcess):
    """Our service, its command after ``launcher`` (e.g. ``taskset -c 1``; empty: as it is)."""

    def __init__(
        self, config: Path, log_path: Path, workers: int = 1, launcher: tuple[str, ...] = ()
    ) -> None:
        super().__init__(config, log_path, workers=workers)
        self.launcher = launcher

    def command(self) -> list[str]:
        return [*self.launcher, *self.service_command()]

    def service_command(self) -> list[str]:
        return super().command()


class ReferenceProcess(LaunchedProcess):
    """A reference app under uvicorn, started like our service."""

    def __init__(
        self, app: str, log_path: Path, workers: int = 1, launcher: tuple[str, ...] = ()
    ) -> None:
        super().__init__(DEFAULTS.service_config, log_path, workers, launcher)
        self.app = app

    def service_command(self) -> list[str]:
        """uvicorn as ours runs: uvloop, httptools, no access log, the same workers."""
        return [
            sys.executable, "-m", "uvicorn", "--factory", self.app, "--host", self.host,
            "--port", str(self.port), "--workers", str(self.workers), "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip


def config_with_batching(config: Path, batching: bool, directory: Path) -> Path:
    """A copy of ``config`` with micro-batching on (``BATCHING``) or off for every model.

    On, the micro-batcher is the innermost decorator, so the others see each request alone.
    """
    content = read_self_contained(config, "service configuration", INCLUDED_FILES)
    for model in content["models"]:
        decorators = model.get("decorators", [])
        decorators = [entry for entry in decorators if entry["class_path"] != MICRO_BATCHING]
        if batching:
            decorators.insert(0, {"class_path": MICRO_BATCHING, "kwargs": copy.deepcopy(BATCHING)})
        model["decorators"] = decorators
    path = directory / f"{config.stem}-batching-{'on' if batching else 'off'}.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def hello_world(workers: int) -> Contender:
    return Contender(HELLO_WORLD[workers], workers=workers, app=HELLO_WORLD_APP)


def contenders(config: Path, directory: Path) -> list[Contender]:
    off, on = (config_with_batching(config, batching, directory) for batching in (False, True))
    return [
        hello_world(1),
        hello_world(2),
        Contender(
            "tutorial-style: DataFrame + pipeline.predict", app=f"{REFERENCE_APPS}:tutorial_app"
        ),
        Contender("ours, batching off, 1 worker", config=off),
        Contender("ours, batching on, 1 worker", config=on),
        Contender("ours, batching off, 2 workers", workers=2, config=off),
        Contender("ours, batching on, 2 workers", workers=2, config=on),
    ]


def start(contender: Contender, log_path: Path, launcher: tuple[str, ...] = ()) -> ServiceProcess:
    if contender.app:
        return ReferenceProcess(contender.app, log_path, contender.workers, launcher)
    return LaunchedProcess(contender.config, log_path, contender.workers, launcher)


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU of a process and its children (uvicorn's workers)."""
    processes = [process, *process.children(recursive=True)]
    return sum(sum(item.cpu_times()[:2]) for item in processes)


def locust_cpu_seconds() -> float:
    """CPU of the children this process has waited for: Locust, once it has exited."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def busy_seconds(cores: frozenset[int]) -> float:
    """CPU seconds the machine has spent on ``cores`` since boot, whoever ran: all but idle."""
    return sum(
        times.user + times.nice + times.system + times.irq + times.softirq + times.steal
        for core, times in enumerate(psutil.cpu_times(percpu=True))
        if core in cores
    )


def percent_of(cpu_s: float, wall_s: float) -> int:
    """CPU seconds over wall seconds, in % of one core."""
    return round(100 * cpu_s / max(wall_s, 1e-9))


def cpu_us_per_request(cpu_s: float, requests: int) -> float | None:
    """CPU µs spent per request; None when no request was served."""
    return 1e6 * cpu_s / requests if requests else None


def whole(value: float | None) -> float | None:
    return None if value is None else round(value)


def measure(
    contender: Contender, load: LoadTest, pinning: Pinning | None = None
) -> dict[str, object]:
    """Start the contender, load it, stop it; its row of the table and what bound it."""
    pinning = pinning or pinning_here(False)
    reports = load.reports / contender.name.split(":")[0].replace(" ", "_").replace(",", "")
    test = dataclasses.replace(load, reports=reports, locust_log=reports / "locust.log")
    reports.mkdir(parents=True, exist_ok=True)
    with start(contender, reports / "service.log", pinning.service_prefix) as service:
        server = psutil.Process(service.process.pid)
        before = (cpu_seconds(server), locust_cpu_seconds(), busy_seconds(pinning.cores))
        started = time.monotonic()
        locust = [*pinning.locust_prefix, *test.locust_command(service.url)]
        with open(test.locust_log, "wb") as log:
            subprocess.run(locust, stdout=log, stderr=subprocess.STDOUT)
        wall = time.monotonic() - started
        after = (cpu_seconds(server), locust_cpu_seconds(), busy_seconds(pinning.cores))
    server_cpu, locust_cpu, busy = (end - start for start, end in zip(before, after, strict=True))
    measured = read_summary(reports / SUMMARY_NAME).measurements
    locust_percent, service_percent = percent_of(locust_cpu, wall), percent_of(server_cpu, wall)
    others_percent = max(0, percent_of(busy, wall) - locust_percent - service_percent)
    return {
        "service": contender.name,
        "workers": contender.workers,
        "req/s": measured.rps,
        "service CPU µs/req": whole(cpu_us_per_request(server_cpu, measured.requests)),
        "Locust CPU µs/req": whole(cpu_us_per_request(locust_cpu, measured.requests)),
        "p50 ms": measured.p50_ms,
        "p99 ms": measured.p99_ms,
        "requests": measured.requests,
        "failures": measured.failures,
        "Locust CPU %": locust_percent,
        "service CPU %": service_percent,
        "others CPU %": others_percent,
        "bound by": bound_by(
            Load(locust_percent, service_percent, others_percent),
            service_cores(contender.workers, pinning),
            len(pinning.cores),
        ),
    }


def service_cores(workers: int, pinning: Pinning) -> int:
    """The cores the service may use: one when pinned, else as many as its workers can."""
    return 1 if pinning.pinned else min(workers, len(pinning.cores))


def benchmark(
    load: LoadTest,
    config: Path,
    pinning: Pinning | None = None,
    only: Collection[str] | None = None,
) -> pd.DataFrame:
    """Every contender under ``load`` (or those named in ``only``), in turn; the table, with
    each one's ratio to hello-world of as many workers (none where that hello-world did not
    run), what bound it, and whether that ratio is one to a ceiling."""
    chosen = chosen_contenders(contenders(config, load.reports), only)
    rows = []
    for contender in chosen:
        print(f"== {contender.name}: {load.users} users for {load.duration}", flush=True)
        rows.append(measure(contender, load, pinning))
        print(f"   {rows[-1]['req/s']} req/s, p99 {rows[-1]['p99 ms']} ms", flush=True)
    table = pd.DataFrame(rows).set_index("service")
    hello = {
        workers: table.loc[name] for workers, name in HELLO_WORLD.items() if name in table.index
    }
    table.insert(
        5, "of hello-world",
        [
            round(row["req/s"] / hello[row["workers"]]["req/s"], 2)
            if row["workers"] in hello else None
            for _, row in table.iterrows()
        ],
    )  # fmt: skip
    table.insert(
        6, "of hello-world is",
        [
            ratio_meaning(hello[workers]["bound by"]) if workers in hello else NO_HELLO_WORLD
            for workers in table["workers"]
        ],
    )  # fmt: skip
    table["meets the bar"] = [bar_verdict(row) for _, row in table.iterrows()]
    return table


def chosen_contenders(every: list[Contender], only: Collection[str] | None) -> list[Contender]:
    """The contenders named in ``only``, in the benchmark's order (all when ``only`` is None);
    ValueError naming a name that is none of them."""
    if only is None:
        return every
    unknown = set(only) - {contender.name for contender in every}
    if unknown:
        known = ", ".join(contender.name for contender in every)
        raise ValueError(f"no contender {', '.join(sorted(unknown))}; there are: {known}")
    return [contender for contender in every if contender.name in only]


READER_COLUMNS = {
    "req/s": "req/s",
    "p50 ms": "p50 (ms)",
    "p99 ms": "p99 (ms)",
    "service CPU µs/req": "service CPU per request (µs)",
    "Locust CPU µs/req": "Locust CPU per request (µs)",
    "bound by": "bound by",
}


def reader_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A ``benchmark`` table as the post shows it: the service a column, the columns that say
    how fast, how costly and what bound each row, units in the headers."""
    rows = table[list(READER_COLUMNS)].rename(columns=READER_COLUMNS)
    return rows.reset_index()


def bound_text(bound: str) -> str:
    """A ``bound_by`` in a sentence: "bound by Locust", or "with CPU to spare"."""
    return "with CPU to spare" if bound == NO_BOUND else f"bound by {bound}"


def locust_bound(row: pd.Series) -> bool:
    return LOCUST in bounds(row["bound by"])


def hello_world_sentence(table: pd.DataFrame) -> str:
    """What the hello-world rows show in this run: the framework's ceiling only where the
    service itself bound them, else the limit of what did; and how 2 workers compare with 1."""
    hello = [table.loc[name] for name in HELLO_WORLD.values() if name in table.index]
    rates = " and ".join(f"{row['req/s']:,.0f} req/s with {row['workers']}" for row in hello)
    text = f"Hello-world answered {rates} worker{'s' if len(hello) > 1 else ''}"
    ceilings = [  # the service alone held it back: the framework's own limit here
        row for row in hello if SERVICE in bounds(row["bound by"]) and not locust_bound(row)
    ]
    if ceilings:
        text += (
            f"; with {ceilings[0]['workers']}, the service itself bound it: "
            f"{ceilings[0]['req/s']:,.0f} req/s is the framework's ceiling on this machine."
        )
    elif all(locust_bound(row) for row in hello):
        text += (
            ", and Locust bound every one of these rows: they are what one Locust process "
            "sends on this machine, not the framework's ceiling."
        )
    else:
        text += ": the service alone bound no row, so none is the framework's ceiling."
    if len(hello) == 2 and hello[1]["req/s"] < hello[0]["req/s"]:
        text += (
            " Two workers come out below one: the second worker competes with Locust for the "
            "same cores."
        )
    return text


def batching_sentence(table: pd.DataFrame, workers: int = 1) -> str:
    """What micro-batching changed with ``workers`` workers in this run: the rate, and the CPU
    per request, which does not depend on what bound the rate."""
    off = table.loc[f"ours, batching off, {workers} worker{'s' if workers > 1 else ''}"]
    on = table.loc[f"ours, batching on, {workers} worker{'s' if workers > 1 else ''}"]
    rate = "raised" if on["req/s"] > off["req/s"] else "lowered"
    cost = "lowered" if on["service CPU µs/req"] < off["service CPU µs/req"] else "raised"
    bound = (
        "the service bound both rows: its event loop was the bottleneck"
        if all(SERVICE in bounds(row["bound by"]) for row in (off, on))
        else "the service did not bind both rows, so the CPU per request says more than the rates"
    )
    return (
        f"With {workers} worker{'s' if workers > 1 else ''}, micro-batching {rate} the rate from "
        f"{off['req/s']:,.0f} to {on['req/s']:,.0f} req/s and {cost} the CPU per request from "
        f"{off['service CPU µs/req']:,.0f} to {on['service CPU µs/req']:,.0f} µs; {bound}."
    )


def ours_sentence(table: pd.DataFrame, served: str = "ours, batching on, 2 workers") -> str:
    """Ours as `make serve` starts it, against hello-world and the tutorial-style endpoint."""
    ours = table.loc[served]
    hello = table.loc[HELLO_WORLD[1]]
    tutorial = table.filter(like="tutorial-style", axis=0).iloc[0]
    cost = "service CPU µs/req"
    return (
        f"Ours, as `make serve` starts it (2 workers, batching on), answered {ours['req/s']:,.0f} "
        f"req/s with a p99 of {ours['p99 ms']:,.0f} ms, {bound_text(ours['bound by'])}. A request "
        f"cost it {ours[cost]:,.0f} µs of CPU, against {hello[cost]:,.0f} µs for hello-world "
        f"and {tutorial[cost]:,.0f} µs for the tutorial-style endpoint, "
        f"{tutorial[cost] / ours[cost]:,.0f} times as much."
    )


def ratio_meaning(hello_world_bound: str) -> str:
    """What a ratio to hello-world measures: the framework's ceiling only when the service
    itself bound hello-world; else the limit of what bound it (its row gives the details)."""
    if SERVICE in bounds(hello_world_bound):
        return "the ceiling"
    if hello_world_bound == NO_BOUND:
        return "not a ceiling: hello-world had CPU to spare"
    return f"not a ceiling: hello-world bound by {hello_world_bound.split(',')[0]}"


def bar_verdict(row: pd.Series) -> str:
    """``yes``, or ``no:`` and what missed ``BAR``: the rate, the p99, failures."""
    missed = [
        *([f"{row['req/s']:,.0f} < {BAR_RPS:,.0f} req/s"] if row["req/s"] < BAR_RPS else []),
        *([f"p99 {row['p99 ms']:,.0f} > {BAR_P99_MS} ms"] if row["p99 ms"] > BAR_P99_MS else []),
        *([f"{int(row['failures'])} failed"] if row["failures"] else []),
    ]
    return "no: " + ", ".join(missed) if missed else "yes"


@dataclass(frozen=True)
class Load:
    """CPU % (100 is one core) of Locust, the service, and every other process on their cores."""

    locust: float
    service: float
    others: float = 0


def bound_by(load: Load, service_cores: int, shared_cores: int) -> str:
    """What held the rate back: Locust near a core (one process uses one), the service near all
    of its cores, the cores Locust and the service run on near full (naming the share of other
    processes when they took 10 % or more), or none of these: CPU to spare."""
    locust_saturated = load.locust >= SATURATED_PERCENT
    service_saturated = load.service >= SATURATED_PERCENT * service_cores
    if locust_saturated and service_saturated:
        return f"{LOCUST} and {SERVICE}"
    if locust_saturated:
        return LOCUST
    if service_saturated:
        return SERVICE
    if load.locust + load.service + load.others >= SATURATED_PERCENT * shared_cores:
        cores = f"the machine's {shared_cores} cores"
        return f"{cores}, {load.others:.0f}% to others" if load.others >= 10 else cores
    return NO_BOUND


def bounds(bound: str) -> list[str]:
    """The processes a ``bound_by`` names: one, or two joined by "and"."""
    return str(bound).split(" and ")


def benchmark_chart(table: pd.DataFrame) -> Figure:
    """Requests per second of each contender, with its p99 and the service's CPU µs per
    request; the rows Locust bound hatched, since their rate is Locust's limit, not theirs, and
    the title says so."""
    rows = table[::-1]
    figure, axes = plt.subplots(figsize=(9, 3.8))
    by_locust = [LOCUST in bounds(bound) for bound in rows["bound by"]]
    title = "Throughput under the same load"
    bars = axes.barh(
        rows.index, rows["req/s"], color="tab:blue",
        hatch=["//" if hatched else "" for hatched in by_locust], edgecolor="white",
    )  # fmt: skip
    axes.bar_label(
        bars, labels=[bar_label(row) for _, row in rows.iterrows()], padding=4, fontsize=9
    )
    if any(by_locust):
        axes.legend(handles=bound_legend(), loc="upper center", bbox_to_anchor=(0.5, -0.18),
                    fontsize=9)  # fmt: skip
        title += f"\nhatched: {sum(by_locust)} of {len(by_locust)} rows bound by Locust"
    axes.set(xlabel="requests per second (Locust on the same machine)", title=title)
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.set_xlim(right=table["req/s"].max() * 1.6)
    return figure


def bar_label(row: pd.Series) -> str:
    cost = row.get("service CPU µs/req")
    cost_text = "" if pd.isna(cost) else f", {cost:,.0f} µs CPU/req"
    return f"{row['req/s']:,.0f} req/s, p99 {row['p99 ms']:.0f} ms{cost_text}"


def bound_legend() -> list[Patch]:
    return [
        Patch(facecolor="tab:blue", hatch="//", edgecolor="white",
              label="bound by Locust: the load generator's limit, not the service's"),
        Patch(facecolor="tab:blue", label="not bound by Locust (the table says what bound it)"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=DEFAULTS.users)
    parser.add_argument("--duration", default="45s")
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument("--reports", type=Path, default=Path("reports/benchmark"))
    parser.add_argument("--chart", type=Path, default=Path("images/07_benchmark.png"))
    parser.add_argument(
        "--pin", action="store_true", help="the service on one core, Locust on another"
    )
    arguments = parser.parse_args(argv)
    load = LoadTest(
        reports=arguments.reports, users=arguments.users, spawn_rate=arguments.users,
        duration=arguments.duration, shape="constant",
        slo_overrides=BAR_OVERRIDES,
    )  # fmt: skip
    pinning = pinning_here(arguments.pin)
    print(pinning.description, flush=True)
    table = benchmark(load, arguments.config, pinning)
    print(table.to_string())
    print(f"{pinning.description}; {BOUND_NOTE}")
    table.to_json(arguments.reports / "benchmark.json", orient="index", indent=2)
    print(f"chart: {save_figure(benchmark_chart(table), arguments.chart)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
