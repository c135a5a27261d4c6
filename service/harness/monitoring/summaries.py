"""What step 6 tells its reader, as tables and sentences computed from the runs: the shifted
population, the two runs, the drift found, and what the service costs by the earlier steps'
measurements."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from drift_monitor.report import DriftReport
from kubernetes_deployment.manifests import IMAGE_NAME
from load_test.populations import Shift
from load_test.summary import SUMMARY_NAME, read_summary
from monitoring.drill import Drill, timeline_table
from monitoring.watch import WatchedRun
from notebook_support.tables import reader_table
from service_runner import container
from service_runner.image_tag import image_tag
from system_tools import Skipped

NUMERIC_FEATURES_UNITS = {"bmi": " kg/m²", "age": " years"}


def shift_text(shift: Shift) -> str:
    """One shift in words: "+10 years", "+15 %" (a factor of 1.15), "true for 50 %"."""
    unit = NUMERIC_FEATURES_UNITS.get(shift.feature, "")
    if shift.add is not None:
        return f"{shift.add:+g}{unit}"
    if shift.multiply is not None:
        return f"{shift.multiply - 1:+.0%}"
    value = str(shift.value).lower() if isinstance(shift.value, bool) else shift.value
    return f"{value} for {shift.share:.0%}"


def shift_table(shifts: Iterable[Shift]) -> pd.DataFrame:
    """The shifted population: each feature and how it changed."""
    return pd.DataFrame(
        [{"feature": shift.feature, "change": shift_text(shift)} for shift in shifts]
    )


def runs_table(runs: Mapping[str, WatchedRun]) -> pd.DataFrame:
    """One row a run: what Locust measured, and whether it met every SLO."""
    return pd.DataFrame(
        [
            {
                "run": name,
                "requests": run.result.summary.measurements.requests,
                "req/s": run.result.summary.measurements.rps,
                "failures": run.result.summary.measurements.failures,
                "p99 (ms)": run.result.summary.measurements.p99_ms,
                "SLOs": "met" if run.result.summary.passed else "missed",
            }
            for name, run in runs.items()
        ]
    )


def named_list(names: list[str]) -> str:
    """["a"] → "a"; ["a", "b", "c"] → "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def largest_psi(report: DriftReport) -> float:
    return max((feature.psi for feature in report.features if feature.psi is not None), default=0)


def drift_sentence(normal: DriftReport, shifted: DriftReport, shifted_features: set[str]) -> str:
    """What the monitor found in both runs, against the features that were shifted."""
    inputs = [name for name in shifted.drifted if name != "charges"]
    normal_part = (
        f"The training mix drifts nowhere (largest PSI: {largest_psi(normal):.3f})."
        if normal.verdict == "no drift"
        else f"The training mix drifts in {named_list(normal.drifted)}."
    )
    which = (
        ", exactly the features shifted"
        if set(inputs) == shifted_features
        else f", where {named_list(sorted(shifted_features))} "
        f"{'was' if len(shifted_features) == 1 else 'were'} shifted"
    )
    charges = ", and in the predicted charges" if "charges" in shifted.drifted else ""
    return (
        f"{normal_part} The shifted run drifts in {named_list(inputs) if inputs else 'no input'}"
        f"{which}{charges}."
    )


@dataclass(frozen=True)
class ServiceCosts:
    """What the service costs, by the measurements of the earlier steps; None where one did not
    run here."""

    image_mb: float | None
    load_rps: float | None
    load_p99_ms: float | None


def image_mb(image: str = "") -> float | None:
    """The size of step 3's image (``image``, or the name `make image` gives it), in MB; None
    when no container engine runs here or it holds no such image."""
    image = image or f"{IMAGE_NAME}:{image_tag()}"
    try:
        engine = container.find_engine()
    except container.ContainerError:
        return None
    if not container.image_exists(engine, image):
        return None
    return container.image_size_bytes(engine, image) / 1e6


def load_test_figures(reports: Path) -> tuple[float, float] | tuple[None, None]:
    """Step 5's load test: its req/s and p99 (ms), from the summary it left; Nones without one."""
    path = reports / SUMMARY_NAME
    if not path.exists():
        return None, None
    measured = read_summary(path).measurements
    return measured.rps, measured.p99_ms


def costs_sentence(costs: ServiceCosts, p99_target_ms: float) -> str:
    """The costs in words, saying which figures are missing and why."""
    image = (
        f"the image is {costs.image_mb:,.0f} MB"
        if costs.image_mb is not None
        else "no image was built here (step 3 needs podman or docker)"
    )
    load = (
        f"step 5's load test got {costs.load_rps:,.0f} req/s at a p99 of "
        f"{costs.load_p99_ms:,.0f} ms (SLO: {p99_target_ms:,.0f} ms)"
        if costs.load_rps is not None
        else "step 5's load test left no summary here"
    )
    return f"{image[0].upper()}{image[1:]}; {load}."


def runs_sentence(runs: Mapping[str, WatchedRun], p99_target_ms: float) -> str:
    """The runs in one sentence: requests, failures and p99 of each, and the SLOs' verdict."""
    measured = [run.result.summary.measurements for run in runs.values()]
    missed = [name for name, run in runs.items() if not run.result.summary.passed]
    verdict = (
        f"{'Both runs' if len(runs) == 2 else 'Every run'} met every SLO"
        if not missed
        else f"{named_list(missed)} missed an SLO"
    )
    failures = sum(item.failures for item in measured)
    requests = sum(item.requests for item in measured)
    return (
        f"{verdict}: {failures:,} of {requests:,} requests failed, and the p99 was "
        f"{named_list([f'{item.p99_ms:,.0f}' for item in measured])} ms (target: "
        f"{p99_target_ms:,.0f} ms)."
    )


def drill_sentence(drill: Drill) -> str:
    """Whether anything paged while the service was healthy, and whether every fault's alert
    reached the recorder, and how soon."""
    quiet = (
        "Nothing paged while the service was healthy"
        if not drill.healthy_alerts and not drill.healthy_notifications
        else f"While the service was healthy, {named_list(drill.healthy_alerts or ['an alert'])} "
        "paged too"
    )
    lost = [line.alert for line in drill.timelines if line.received is None]
    if lost:
        return f"{quiet}, and {named_list(lost)} never reached the recorder."
    slowest = max(line.received - line.started for line in drill.timelines)
    return f"{quiet}, and each fault's alert reached the recorder within {slowest:,.1f} s."


def drill_view(drill: Drill | Skipped) -> list:
    """What the notebook shows of the drill: its timeline and ``drill_sentence``; or the
    Skipped that stood in for a drill that could not run."""
    if isinstance(drill, Skipped):
        return [drill]
    seconds = {column: 1 for column in ("condition met (s)", "fired (s)", "at the pager (s)")}
    return [
        reader_table(timeline_table(drill), decimals=seconds),
        Markdown(drill_sentence(drill)),
    ]


def shipped_sentence(fields: list[str], view: DriftReport) -> str:
    """What the monitor finds in logs with only the fields the cluster's pods log."""
    drifted = named_list(view.drifted) if view.drifted else "nothing"
    return (
        f"The cluster's pods log only {named_list(fields)}, since the other inputs are personal "
        f"data; from those, the monitor still finds drift in {drifted}."
    )
