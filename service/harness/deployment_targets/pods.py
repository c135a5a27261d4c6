"""The manifests of step 4, played by ``podman kube play``: the shape that ships, on one host."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from deployment_targets.target import DeploymentTarget, Result
from kubernetes_deployment import manifests, pod_resources, podman
from kubernetes_deployment.pod_resources import PodLoad
from load_test.charts import kill_chart, read_history
from load_test.run import HISTORY_CSV
from notebook_support.figures import save_figure, show_chart
from notebook_support.tables import reader_table
from reliability import pod_faults
from reliability.pod_faults import PodKillResult

LOCAL_DEFAULT = "ours, batching on, 2 workers"  # the benchmark's rows (load_test.benchmark)
ONE_WORKER = "ours, batching off, 1 worker"


@dataclass
class Pods(DeploymentTarget):
    """Two pods on this host's network, each one uvicorn worker, as the Deployment says."""

    name = "pods"
    one_metrics_view = False
    where = "pods started by podman, without a cluster"
    port: int = 18080  # the host port the pods listen on
    overlay: str = "minikube"  # the overlay whose sizing the run is held against
    passed_over: dict[str, str] = field(default_factory=dict)

    def deploy(self) -> str:
        return podman.deploy(self.port)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def records(self) -> list[dict[str, Any]]:
        return [
            record
            for container in podman.pod_containers()
            for record in podman.container_records(container.name)
        ]

    def describe(self) -> str:
        return podman.describe_pods()

    def under_load(self, run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
        return pod_resources.under_load(run)

    def teardown(self) -> str:
        return podman.undeploy() + "\n" + podman.describe_pods()

    def enforced_settings(self) -> pd.DataFrame:
        return pd.DataFrame(podman.enforced_settings())

    def sizing(self, loads: list[PodLoad]) -> "PodSizing":
        overlay = manifests.OVERLAYS_DIR / self.overlay
        declared = pod_resources.declared(manifests.documents(manifests.render(overlay)))
        return PodSizing(declared, pod_resources.recommended(loads), loads)

    def against_the_benchmark(
        self, rps: float, p99_ms: float, benchmark: pd.DataFrame, loads: list[PodLoad]
    ) -> "AgainstTheBenchmark":
        return AgainstTheBenchmark(rps, p99_ms, benchmark, loads)

    def kill_one_under_load(
        self, reports: Path, users: int, run_s: int, kill_after_s: float, chart: Path | None = None
    ) -> "PodKill":
        result = pod_faults.kill_a_pod(
            self.url(), reports, users=users, run_s=run_s, kill_after_s=kill_after_s
        )
        return PodKill(result, reports, chart)


@dataclass(frozen=True)
class PodSizing:
    """The manifest's requests and limits beside those this run's loads give."""

    in_manifest: pod_resources.Resources
    from_this_run: pod_resources.Resources
    loads: list[PodLoad]

    def table(self) -> pd.DataFrame:
        manifest, run = self.in_manifest.rows(), self.from_this_run.rows()
        return pd.DataFrame(
            {"setting": list(manifest), "in the manifest": list(manifest.values()),
             "from this run": [run[name] for name in manifest]}
        )  # fmt: skip

    def capacity_line(self) -> str:
        capacity = pod_resources.capacity_per_pod(self.loads)
        share = pod_resources.SCALE_OUT_SHARE
        return (
            f"One pod at its one-CPU limit serves about {capacity:,.0f} predictions a second at "
            f"the CPU cost measured; the autoscaler adds a pod at {share:.0%} of that, about "
            f"{share * capacity:,.0f} a pod."
        )

    def _ipython_display_(self) -> None:
        display(reader_table(self.table()))
        display(Markdown(self.capacity_line()))


@dataclass(frozen=True)
class PodKill:
    """A pod's container killed under load: the report, and the chart of the run."""

    result: PodKillResult
    reports: Path
    chart: Path | None = None  # where to save the chart; None: no chart

    @property
    def passed(self) -> bool:
        return self.result.passed

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(pod_faults.summary_rows(self.result))

    def rates(self) -> pod_faults.ServedRates | None:
        """Each pod's rate before the kill and the survivors' while it was down, from their logs."""
        records = {c.pod: podman.container_records(c.name) for c in podman.pod_containers()}
        return pod_faults.served_rates(self.result, records)

    def alt_text(self) -> str:
        ready = self.result.ready_again_s
        back = f"ready again {ready:.1f} s later" if ready is not None else "never ready again"
        return (
            f"Requests and failures per second over the run: {self.result.rps_before:,.0f} req/s "
            f"before the kill, down to {self.result.rps_lowest:,.0f} after it, "
            f"{self.result.failures:,} failures in all; the killed pod {back}"
        )

    def _ipython_display_(self) -> None:
        display(reader_table(self.table()))
        if self.chart is not None:
            history = read_history(self.reports / HISTORY_CSV)
            figure = kill_chart(history, self.result.killed_at, self.result.ready_again_s)
            show_chart(save_figure(figure, self.chart), alt=self.alt_text())


@dataclass(frozen=True)
class AgainstTheBenchmark:
    """The pods' SLO run beside the local service's benchmark rows, and why they differ."""

    rps: float
    p99_ms: float
    benchmark: pd.DataFrame
    loads: list[PodLoad]

    def table(self) -> pd.DataFrame:
        local, one_worker = (self.benchmark.loc[row] for row in (LOCAL_DEFAULT, ONE_WORKER))
        return pd.DataFrame(
            {
                "what ships: 2 pods": [round(self.rps), self.p99_ms, "SLO run (stages)"],
                "make serve: 1 process, 2 workers": [
                    round(local["req/s"]), local["p99 ms"], "benchmark (constant)",
                ],
                "1 worker, no batching": [
                    round(one_worker["req/s"]), one_worker["p99 ms"], "benchmark (constant)",
                ],
            },
            index=["req/s", "p99 ms", "load"],
        )  # fmt: skip

    def why(self) -> str:
        local = self.benchmark.loc[LOCAL_DEFAULT]
        throttled = max((load.throttled_share or 0.0) for load in self.loads)
        quota = (
            f"The quota throttled the busier pod in {throttled:.1%} of its 100 ms periods, and a "
            "throttled pod runs nothing until the next period, holding every request in flight."
            if throttled
            else "The quota never throttled them: a worker's event loop stays under one core."
        )
        return (
            f"The pods served {self.rps / local['req/s']:.0%} of the local default's throughput, "
            f"with a p99 of {self.p99_ms:.0f} ms against {local['p99 ms']:.0f} ms. Each pod is "
            "one worker under a one-CPU quota, and both share the machine's cores with Locust. "
            f"{quota} The local service's two workers use both cores with no quota and batch "
            "concurrent requests, and the benchmark holds its users where the SLO run ramps them."
        )

    def _ipython_display_(self) -> None:
        display(self.table())
        print(self.why())
