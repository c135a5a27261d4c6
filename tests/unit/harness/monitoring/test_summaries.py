from pathlib import Path
from types import SimpleNamespace

import pytest

from drift_monitor.report import DriftReport, FeatureResult
from load_test.populations import Shift, load_populations
from load_test.summary import SUMMARY_NAME, LoadSettings, LoadTestSummary
from load_test.verdicts import Measurements
from monitoring import summaries
from monitoring.drill import Drill, Timeline
from monitoring.summaries import (
    ServiceCosts,
    costs_sentence,
    drift_sentence,
    drill_sentence,
    drill_view,
    image_mb,
    load_test_figures,
    named_list,
    runs_sentence,
    runs_table,
    shift_table,
    shift_text,
    shipped_sentence,
)
from service_runner.container import ContainerError
from system_tools import Skipped


@pytest.mark.parametrize(
    ("shift", "text"),
    [
        (Shift(feature="age", add=10), "+10 years"),
        (Shift(feature="children", add=-1), "-1"),
        (Shift(feature="bmi", multiply=1.15), "+15%"),
        (Shift(feature="bmi", multiply=0.9), "-10%"),
        (Shift(feature="smoker", value=True, share=0.5), "true for 50%"),
        (
            Shift(feature="region", value="southeast", share=0.25),
            "southeast for 25%",
        ),
    ],
)
def test_each_shift_reads_as_a_change(shift: Shift, text: str) -> None:
    assert shift_text(shift) == text


def test_the_shifted_population_is_a_table_of_features_and_changes() -> None:
    table = shift_table(load_populations().populations["shifted"])
    assert list(table.columns) == ["feature", "change"]
    assert table["feature"].tolist() == ["age", "smoker", "bmi", "region"]


def a_run(requests: int, passed: bool) -> SimpleNamespace:
    measured = SimpleNamespace(requests=requests, rps=requests / 10, failures=0, p99_ms=6.0)
    return SimpleNamespace(result=SimpleNamespace(summary=SimpleNamespace(
        measurements=measured, passed=passed)))  # fmt: skip


def test_the_runs_table_has_a_row_a_run_and_says_whether_it_met_the_slos() -> None:
    table = runs_table({"training mix": a_run(1000, True), "shifted": a_run(2000, False)})
    assert table.to_dict("records") == [
        {"run": "training mix", "requests": 1000, "req/s": 100.0, "failures": 0,
         "p99 (ms)": 6.0, "SLOs": "met"},
        {"run": "shifted", "requests": 2000, "req/s": 200.0, "failures": 0,
         "p99 (ms)": 6.0, "SLOs": "missed"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("names", "text"), [(["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")]
)
def test_names_are_listed_as_in_a_sentence(names: list[str], text: str) -> None:
    assert named_list(names) == text


def report(verdicts: dict[str, tuple[str, float | None]]) -> DriftReport:
    features = [
        FeatureResult.model_construct(name=name, verdict=verdict, psi=psi)
        for name, (verdict, psi) in verdicts.items()
    ]
    drifted = [feature.name for feature in features if feature.verdict == "drift"]
    return DriftReport.model_construct(
        features=features, drifted=drifted, verdict="drift" if drifted else "no drift"
    )


def test_the_drift_sentence_names_what_drifted_and_what_stayed() -> None:
    normal = report({"age": ("no drift", 0.002), "sex": ("no drift", 0.0001)})
    shifted = report(
        {"age": ("drift", 1.5), "sex": ("no drift", 0.0), "bmi": ("drift", 0.4),
         "children": ("no drift", 0.001), "charges": ("drift", 1.2)}
    )  # fmt: skip
    assert drift_sentence(normal, shifted, {"age", "bmi"}) == (
        "The training mix drifts nowhere (largest PSI: 0.002). The shifted run drifts in age "
        "and bmi, exactly the features shifted, and in the predicted charges."
    )


def test_the_drift_sentence_says_when_the_monitor_found_other_features() -> None:
    normal = report({"age": ("drift", 0.3)})
    shifted = report({"age": ("drift", 1.5), "sex": ("drift", 0.3)})
    assert drift_sentence(normal, shifted, {"age"}) == (
        "The training mix drifts in age. The shifted run drifts in age and sex, where age was "
        "shifted."
    )


def test_step_5s_figures_come_from_the_summary_it_left(tmp_path: Path) -> None:
    assert load_test_figures(tmp_path) == (None, None)
    LoadTestSummary(
        settings=LoadSettings(host="h", shape="stages", users=32, spawn_rate=8, duration_s=60),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=60,
        measurements=Measurements(
            requests=600, failures=0, rps=10.0, p50_ms=2.0, p90_ms=3.0, p99_ms=9.0
        ),
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    ).save(tmp_path / SUMMARY_NAME)
    assert load_test_figures(tmp_path) == (10.0, 9.0)


def test_the_costs_sentence_says_which_figures_are_missing() -> None:
    full = ServiceCosts(image_mb=205.4, load_rps=6260.9, load_p99_ms=11)
    assert costs_sentence(full, 100) == (
        "The image is 205 MB; step 5's load test got 6,261 req/s at a p99 of 11 ms (SLO: 100 ms)."
    )
    bare = ServiceCosts(image_mb=None, load_rps=None, load_p99_ms=None)
    assert costs_sentence(bare, 100) == (
        "No image was built here (step 3 needs podman or docker); step 5's load test left no "
        "summary here."
    )


def test_without_an_engine_there_is_no_image_size(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine() -> str:
        raise ContainerError("no container engine")

    monkeypatch.setattr(summaries.container, "find_engine", no_engine)
    assert image_mb("some:image") is None


def test_the_image_size_is_read_from_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(summaries.container, "find_engine", lambda: "podman")
    monkeypatch.setattr(summaries.container, "image_exists", lambda engine, image: image == "a:1")
    monkeypatch.setattr(
        summaries.container,
        "image_size_bytes",
        lambda engine, image: asked.append((engine, image)) or 205_000_000,
    )
    assert image_mb("a:1") == 205.0
    assert image_mb("b:2") is None
    assert asked == [("podman", "a:1")]


def test_the_runs_sentence_gives_each_runs_requests_and_p99() -> None:
    runs = {"training mix": a_run(329_452, True), "shifted": a_run(332_224, True)}
    assert runs_sentence(runs, 100) == (
        "Both runs met every SLO: 0 of 661,676 requests failed, and the p99 was 6 and 6 ms "
        "(target: 100 ms)."
    )
    runs["shifted"] = a_run(10, False)
    assert runs_sentence(runs, 100).startswith("shifted missed an SLO: 0 of 329,462 requests")


def a_drill(received: list[float | None], healthy_alerts: list[str]) -> Drill:
    lines = [
        Timeline(f"fault {index}", f"Alert{index}", "page", 100.0, 101.0, 102.0, moment)
        for index, moment in enumerate(received)
    ]
    return Drill(None, healthy_alerts, [], None, lines, [])


def test_the_drill_sentence_says_whether_every_alert_arrived_and_how_soon() -> None:
    assert drill_sentence(a_drill([107.4, 110.8], [])) == (
        "Nothing paged while the service was healthy, and each fault's alert reached the "
        "recorder within 10.8 s."
    )
    assert drill_sentence(a_drill([107.4, None], ["PredictionServiceDown"])) == (
        "While the service was healthy, PredictionServiceDown paged too, and Alert1 never "
        "reached the recorder."
    )


def test_the_shipped_sentence_names_what_the_pods_logs_cannot_show() -> None:
    view = DriftReport.model_construct(
        drifted=["age", "region", "charges"], not_logged=["sex", "bmi", "smoker"]
    )
    assert shipped_sentence(["age", "children", "region"], view) == (
        "The cluster's pods log only age, children and region, since the other inputs are "
        "personal data; from those, the monitor still finds drift in age, region and charges."
    )
    nothing = DriftReport.model_construct(drifted=[], not_logged=["sex"])
    assert shipped_sentence(["age"], nothing).endswith("still finds drift in nothing.")


def test_the_drill_is_shown_as_its_timeline_and_a_sentence() -> None:
    table, sentence = drill_view(a_drill([107.4, 110.8], []))
    assert "10.8" in table.to_html()
    assert sentence.data.startswith("Nothing paged while the service was healthy")
    skipped = Skipped("the alert drill", "install prometheus-alertmanager")
    assert drill_view(skipped) == [skipped]
