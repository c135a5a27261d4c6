"""The main post's opening says what ran, as the notebooks recorded it, in few words."""

from datetime import date

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from post_renderer.facts import FACTS_MEDIA_TYPE, FactsError, PostFacts, collected, skipped_when
from post_renderer.front_matter import (
    CHECKS,
    DIAGRAM_LINK,
    companion_header,
    front_matter,
    glance,
    skipped,
    step_lines,
    steps,
)
from post_renderer.length import post_length
from post_renderer.outline import Section
from post_renderer.pages import PAGES

TODAY = date(2026, 1, 2)
SECTIONS = [Section(f"{n}. Step", f"{n}-step") for n in range(1, 7)]
RAN = {"deployment": "pods", "elk": True, "slo_target": "local", "slo_passed": True}
GLANCE = [
    {"measure": "Holdout error (MAE)", "value": "$2,465", "step": "1. Train"},
    {"measure": "Throughput of the pods", "value": "1,346 req/s", "step": "5. Load test"},
    {"measure": "p99 latency", "value": "14 ms", "step": "5. Load test"},
]
WORD_BUDGET = 450


def monitored(value: bool | None) -> PostFacts:
    return PostFacts(**RAN, monitored=value)


def test_the_steps_are_a_numbered_list_of_short_lines() -> None:
    text = steps(monitored(True))
    assert text.startswith("## The steps\n\n1. Train a model")
    items = text.split("\n\n", 1)[1].splitlines()
    assert [item.split(". ", 1)[0] for item in items] == ["1", "2", "3", "4", "5", "6"]
    assert all(len(item) <= 100 for item in items)


def test_monitoring_adds_step_six() -> None:
    assert step_lines(monitored(True))[-1].startswith("Watch it: Prometheus alerts")
    drift_only = PostFacts(**RAN, monitored=False, drift_checked=True)
    assert step_lines(drift_only)[-1] == "Watch it: a monitor reads the prediction logs for drift"


@pytest.mark.parametrize("value", [None, False])
def test_without_monitoring_the_steps_end_with_the_fifth(value: bool | None) -> None:
    lines = step_lines(monitored(value))
    assert len(lines) == 5
    assert "Prometheus" not in steps(monitored(value))


@pytest.mark.parametrize(
    ("facts", "fourth", "fifth"),
    [
        ({"deployment": "cluster", "slo_target": "pods"}, "Deploy it to Kubernetes", "the pods"),
        ({"deployment": "pods", "slo_target": "pods"}, "run as pods by podman", "the pods"),
        ({"deployment": "local", "slo_target": "local"}, "nothing ran them", "a local service"),
        ({}, "nothing ran them here", "the service with Locust"),
    ],
)
def test_steps_four_and_five_say_what_ran(facts: dict, fourth: str, fifth: str) -> None:
    lines = step_lines(PostFacts(**facts))
    assert fourth in lines[3]
    assert fifth in lines[4]


@pytest.mark.parametrize(("passed", "said"), [(True, "this run met them"), (False, "missed")])
def test_step_five_gives_the_verdict_when_recorded(passed: bool, said: str) -> None:
    assert said in step_lines(PostFacts(slo_passed=passed))[4]
    assert "this run" not in step_lines(PostFacts())[4]


def test_the_results_at_a_glance_are_the_rows_the_notebooks_recorded_in_order() -> None:
    table = glance(PostFacts(glance=GLANCE))
    assert table.splitlines()[2:] == [
        "| Measure | Result | Step |",
        "|---|---:|---|",
        "| Holdout error (MAE) | $2,465 | 1. Train |",
        "| Throughput of the pods | 1,346 req/s | 5. Load test |",
        "| p99 latency | 14 ms | 5. Load test |",
    ]
    assert glance(PostFacts()) == ""


def test_the_opening_has_its_parts_in_order_and_stays_under_its_word_budget() -> None:
    facts = PostFacts(**RAN, monitored=True, glance=GLANCE)
    opening = front_matter(TODAY, SECTIONS, facts)
    parts = ["*2026-01-02*", "## The steps", DIAGRAM_LINK, "## Results at a glance",
             "## Run it yourself", CHECKS, "**Pages**", "## Contents"]  # fmt: skip
    positions = [opening.index(part) for part in parts]
    assert positions == sorted(positions)
    assert post_length(opening).prose_words <= WORD_BUDGET


def test_the_lede_is_two_sentences() -> None:
    opening = front_matter(TODAY, SECTIONS, monitored(True))
    lede = opening.split("\n\n")[2]
    assert lede.count(". ") + lede.endswith(".") == 2


def test_run_it_yourself_names_both_commands_and_what_each_step_needs() -> None:
    opening = front_matter(TODAY, SECTIONS, monitored(True))
    section = opening[opening.index("## Run it yourself") : opening.index(CHECKS)]
    for needed in ("make blog", "make test", "make system-packages", "podman", "Prometheus",
                   "Alertmanager", "Chromium", "minikube"):  # fmt: skip
        assert needed in section


def test_without_a_diagram_the_opening_does_not_link_one() -> None:
    assert DIAGRAM_LINK not in front_matter(TODAY, SECTIONS, monitored(True), with_diagram=False)


def cell_recording(**facts: object):
    return new_code_cell("", outputs=[new_output("display_data", data={FACTS_MEDIA_TYPE: facts})])


def test_the_monitored_fact_travels_from_the_notebook_to_the_steps() -> None:
    notebooks = [
        new_notebook(cells=[cell_recording(deployment="pods", slo_target="local")]),
        new_notebook(cells=[cell_recording(monitored=True)]),
    ]
    assert "Prometheus" in steps(collected(notebooks))
    assert "Prometheus" not in steps(collected(notebooks[:1]))


def test_a_monitored_fact_that_is_not_a_yes_or_no_is_an_error() -> None:
    with pytest.raises(FactsError, match="monitored"):
        collected([new_notebook(cells=[cell_recording(monitored="prometheus")])])


def test_what_a_missing_tool_skipped_is_listed_in_the_opening() -> None:
    why = "prometheus is not installed"
    facts = PostFacts(**RAN, skipped=skipped_when(why, "prometheus", "Step 6's SLIs"))
    opening = front_matter(TODAY, SECTIONS, facts)
    assert "## What did not run here" in opening
    assert "- Step 6's SLIs: prometheus is not installed" in opening
    assert opening.index("## What did not run here") < opening.index("## Contents")


def test_when_everything_ran_nothing_is_said_to_be_skipped() -> None:
    assert skipped(PostFacts(**RAN)) == ""
    assert "What did not run here" not in front_matter(TODAY, SECTIONS, PostFacts(**RAN))


def test_a_companion_header_has_the_date_the_pages_and_what_did_not_run() -> None:
    facts = PostFacts(skipped=skipped_when("podman is not installed", "podman", "The pods"))
    header = companion_header(PAGES[2], TODAY, facts)
    assert header.startswith("*2026-01-02*\n\n**Pages**\n\n- [")
    assert f"**{PAGES[2].title}** (this page)" in header
    assert CHECKS not in header  # said once, on the main post
    assert "- The pods: podman is not installed" in header
    assert "## What did not run here" not in companion_header(PAGES[2], TODAY, PostFacts())
