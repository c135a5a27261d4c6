"""Benchmark: each service under the same Locust load, one after the other, in one run.

    python -m load_test.benchmark --duration 45s --users 32

Each row is held to one bar, ``BAR``: 50,000 requests in 45 s (1,111 req/s), a p99 within 100 ms,
no failure. The contenders: a hello-world FastAPI endpoint (the ceiling), a tutorial-style
endpoint (a 1-row DataFrame into ``pipeline.predict``), and our service with micro-batching off
and on, with 1 and 2 uvicorn workers. For each: requests per second, p50 and p99, failures, the
ratio to the ceiling, and the CPU that Locust and the service used (100 % is one core), so that a
saturated load generator is never the hidden bottleneck. Locust shares the machine with the
service.
"""

import argparse
import copy
import dataclasses
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil
import yaml
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from common.yaml_files import read_self_contained
from load_test.defaults import DEFAULTS
from load_test.run import LoadTest
from load_test.summary import SUMMARY_NAME, read_summary
from model_service.configuration import INCLUDED_FILES
from notebook_support.figures import save_figure
from notebook_support.machine import usable_cores
from service_runner.process import ServiceProcess

REFERENCE_APPS = "load_test.reference_apps"
MICRO_BATCHING = "model_contract.batching.MicroBatching"
BATCHING = {"max_batch_size": 32, "max_wait_ms": 0.0}
CEILING_1 = "hello-world FastAPI, 1 worker (ceiling)"
CEILING_2 = "hello-world FastAPI, 2 workers (ceiling)"
SATURATED_PERCENT = 90  # of one core: a process this busy is the bound
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


class ReferenceProcess(ServiceProcess):
    """A reference app under uvicorn, started like our service."""

    def __init__(self, app: str, log_path: Path, workers: int = 1) -> None:
        super().__init__(DEFAULTS.service_config, log_path, workers=workers)
        self.app = app

    def command(self) -> list[str]:
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


def contenders(config: Path, directory: Path) -> list[Contender]:
    off, on = (config_with_batching(config, batching, directory) for batching in (False, True))
    hello = f"{REFERENCE_APPS}:hello_world_app"
    return [
        Contender(CEILING_1, app=hello),
        Contender(CEILING_2, workers=2, app=hello),
        Contender(
            "tutorial-style: DataFrame + pipeline.predict", app=f"{REFERENCE_APPS}:tutorial_app"
        ),
        Contender("ours, batching off, 1 worker", config=off),
        Contender("ours, batching on, 1 worker", config=on),
        Contender("ours, batching off, 2 workers", workers=2, config=off),
        Contender("ours, batching on, 2 workers", workers=2, config=on),
    ]


def start(contender: Contender, log_path: Path) -> ServiceProcess:
    if contender.app:
        return ReferenceProcess(contender.app, log_path, contender.workers)
    return ServiceProcess(contender.config, log_path, workers=contender.workers)


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU of a process and its children (uvicorn's workers)."""
    processes = [process, *process.children(recursive=True)]
    return sum(sum(item.cpu_times()[:2]) for item in processes)


def locust_cpu_seconds() -> float:
    """CPU of the children this process has waited for: Locust, once it has exited."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(contender: Contender, load: LoadTest) -> dict[str, object]:
    """Start the contender, load it, stop it; its row of the table."""
    reports = load.reports / contender.name.split(":")[0].replace(" ", "_").replace(",", "")
    test = dataclasses.replace(load, reports=reports, locust_log=reports / "locust.log")
    reports.mkdir(parents=True, exist_ok=True)
    with start(contender, reports / "service.log") as service:
        server = psutil.Process(service.process.pid)
        server_before, locust_before = cpu_seconds(server), locust_cpu_seconds()
        with open(test.locust_log, "wb") as log:
            subprocess.run(test.locust_command(service.url), stdout=log, stderr=subprocess.STDOUT)
        server_cpu, locust_cpu = (
            cpu_seconds(server) - server_before,
            locust_cpu_seconds() - locust_before,
        )
    summary = read_summary(reports / SUMMARY_NAME)
    elapsed, measured = max(summary.elapsed_s, 1e-9), summary.measurements
    return {
        "service": contender.name,
        "workers": contender.workers,
        "req/s": measured.rps,
        "p50 ms": measured.p50_ms,
        "p99 ms": measured.p99_ms,
        "requests": measured.requests,
        "failures": measured.failures,
        "Locust CPU %": round(100 * locust_cpu / elapsed),
        "service CPU %": round(100 * server_cpu / elapsed),
    }


def benchmark(load: LoadTest, config: Path) -> pd.DataFrame:
    """Every contender under ``load``, in turn; the table, with each one's ratio to the ceiling
    of as many workers, and what bound it."""
    rows = []
    for contender in contenders(config, load.reports):
        print(f"== {contender.name}: {load.users} users for {load.duration}", flush=True)
        rows.append(measure(contender, load))
        print(f"   {rows[-1]['req/s']} req/s, p99 {rows[-1]['p99 ms']} ms", flush=True)
    table = pd.DataFrame(rows).set_index("service")
    ceilings = {1: table.loc[CEILING_1, "req/s"], 2: table.loc[CEILING_2, "req/s"]}
    ratios = [
        rps / ceilings[workers]
        for rps, workers in zip(table["req/s"], table["workers"], strict=True)
    ]
    table.insert(4, "of ceiling", [round(ratio, 2) for ratio in ratios])
    table["bound by"] = [
        bound_by(locust, service, workers)
        for locust, service, workers in zip(
            table["Locust CPU %"], table["service CPU %"], table["workers"], strict=True
        )
    ]
    table["meets the bar"] = [bar_verdict(row) for _, row in table.iterrows()]
    return table


def bar_verdict(row: pd.Series) -> str:
    """``yes``, or ``no:`` and what missed ``BAR``: the rate, the p99, failures."""
    missed = [
        *([f"{row['req/s']:,.0f} < {BAR_RPS:,.0f} req/s"] if row["req/s"] < BAR_RPS else []),
        *([f"p99 {row['p99 ms']:,.0f} > {BAR_P99_MS} ms"] if row["p99 ms"] > BAR_P99_MS else []),
        *([f"{int(row['failures'])} failed"] if row["failures"] else []),
    ]
    return "no: " + ", ".join(missed) if missed else "yes"


def bound_by(locust_cpu: float, service_cpu: float, workers: int) -> str:
    """What held the rate back: Locust near a core of its own (one process uses one), the
    service near its workers' cores, or neither (the machine's cores shared between them)."""
    if locust_cpu >= SATURATED_PERCENT:
        return "Locust"
    if service_cpu >= SATURATED_PERCENT * workers:
        return "service"
    return f"the machine's {usable_cores()} cores"


def benchmark_chart(table: pd.DataFrame) -> Figure:
    """Requests per second of each contender, with its p99."""
    figure, axes = plt.subplots(figsize=(9, 3.8))
    bars = axes.barh(table.index[::-1], table["req/s"][::-1], color="tab:blue")
    labels = [
        f"{rps:,.0f} req/s, p99 {p99:.0f} ms"
        for rps, p99 in zip(table["req/s"][::-1], table["p99 ms"][::-1], strict=True)
    ]
    axes.bar_label(bars, labels=labels, padding=4, fontsize=8)
    axes.set(
        xlabel="requests per second (Locust on the same machine)",
        title="Throughput under the same load",
    )
    axes.set_xlim(right=table["req/s"].max() * 1.45)
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=DEFAULTS.users)
    parser.add_argument("--duration", default="45s")
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument("--reports", type=Path, default=Path("reports/benchmark"))
    parser.add_argument("--chart", type=Path, default=Path("images/05_benchmark.png"))
    arguments = parser.parse_args(argv)
    load = LoadTest(
        reports=arguments.reports, users=arguments.users, spawn_rate=arguments.users,
        duration=arguments.duration, shape="constant",
        slo_overrides=BAR_OVERRIDES,
    )  # fmt: skip
    table = benchmark(load, arguments.config)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table)
    table.to_json(arguments.reports / "benchmark.json", orient="index", indent=2)
    print(f"chart: {save_figure(benchmark_chart(table), arguments.chart)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
