"""The post's opening says that the service was watched only when step six recorded it."""

from datetime import date

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from post_renderer.facts import FACTS_MEDIA_TYPE, FactsError, PostFacts, collected, skipped_when
from post_renderer.front_matter import front_matter, skipped, steps, summary
from post_renderer.outline import Section

SECTIONS = [Section(f"{n}. Step", f"{n}-step") for n in range(1, 7)]
RAN = {"deployment": "pods", "elk": True, "slo_target": "local", "slo_passed": True}
STEP_SIX = "The sixth watches it as production would"
WATCHING = ", then watch it with Prometheus"


def monitored(value: bool | None) -> PostFacts:
    return PostFacts(**RAN, monitored=value)


def test_monitoring_adds_step_six_at_the_end_of_the_steps() -> None:
    paragraph = steps(monitored(True), 6)
    assert paragraph.startswith("## The six steps\n\nThe post follows six steps")
    fifth, sixth = paragraph.split("results against the objectives.")
    assert sixth.startswith(f" {STEP_SIX}: Prometheus scrapes its metrics")
    assert "its SLOs as burn-rate alerts" in sixth
    assert sixth.endswith("a drift monitor compares the prediction logs with the training data.")
    assert STEP_SIX not in fifth


@pytest.mark.parametrize("value", [None, False])
def test_without_monitoring_the_steps_end_with_the_fifth(value: bool | None) -> None:
    paragraph = steps(monitored(value), 5)
    assert paragraph.endswith("checks the results against the objectives.")
    assert "sixth" not in paragraph
    assert "Prometheus" not in paragraph


def test_monitoring_adds_the_watching_to_the_summary_after_the_slo_verdict() -> None:
    text = summary(monitored(True))
    assert (
        "against explicit objectives, which the run met, then watch it with Prometheus, its SLOs "
        "as burn-rate alerts, and with a monitor that reads the prediction logs for drift. Every "
        "cell below was executed"
    ) in text
    assert text.count("Prometheus") == 1


@pytest.mark.parametrize("value", [None, False])
def test_without_monitoring_the_summary_does_not_claim_it(value: bool | None) -> None:
    text = summary(monitored(value))
    assert "which the run met. Every cell below was executed" in text
    assert "Prometheus" not in text
    assert "drift" not in text


def test_the_opening_holds_both_only_when_monitored() -> None:
    today = date(2026, 1, 2)
    watched = front_matter(today, SECTIONS, monitored(True))
    unwatched = front_matter(today, SECTIONS, monitored(None))
    assert STEP_SIX in watched
    assert WATCHING in watched
    assert STEP_SIX not in unwatched
    assert WATCHING not in unwatched
    assert watched.index(WATCHING) < watched.index("## The six steps") < watched.index(STEP_SIX)


def cell_recording(**facts: object):
    return new_code_cell("", outputs=[new_output("display_data", data={FACTS_MEDIA_TYPE: facts})])


def test_the_monitored_fact_travels_from_the_notebook_to_the_opening() -> None:
    notebooks = [
        new_notebook(cells=[cell_recording(deployment="pods", slo_target="local")]),
        new_notebook(cells=[cell_recording(monitored=True)]),
    ]
    facts = collected(notebooks)
    assert facts.monitored is True
    assert STEP_SIX in steps(facts, 6)
    assert WATCHING in summary(facts)
    assert collected(notebooks[:1]).monitored is None


def test_a_monitored_fact_that_is_not_a_yes_or_no_is_an_error() -> None:
    with pytest.raises(FactsError, match="monitored"):
        collected([new_notebook(cells=[cell_recording(monitored="prometheus")])])


def test_only_numbered_sections_count_as_steps_and_an_appendix_is_named_after_them() -> None:
    sections = [Section(f"{n}. Step {n}", f"{n}-step-{n}") for n in range(1, 7)]
    sections.append(Section("Appendix: how it is made fast", "appendix-how-it-is-made-fast"))
    text = front_matter(date(2026, 1, 2), sections, monitored(True))
    assert "The post follows six steps, one notebook each." in text
    assert 'After them: "Appendix: how it is made fast".' in text


def test_without_an_appendix_nothing_follows_the_steps() -> None:
    sections = [Section(f"{n}. Step {n}", f"{n}-step-{n}") for n in range(1, 7)]
    assert "After them" not in front_matter(date(2026, 1, 2), sections, monitored(True))


def test_drift_without_prometheus_is_said_as_drift_alone() -> None:
    facts = PostFacts(**RAN, monitored=False, drift_checked=True)
    assert "which the run met, then read its prediction logs for drift. Every cell" in summary(
        facts
    )
    assert steps(facts, 6).endswith(
        "The sixth compares the prediction logs with the training data for drift."
    )
    assert "Prometheus" not in summary(facts) + steps(facts, 6)


def test_what_a_missing_tool_skipped_is_listed_in_the_opening() -> None:
    why = "prometheus is not installed"
    facts = PostFacts(**RAN, skipped=skipped_when(why, "prometheus", "Step 6's SLIs"))
    opening = front_matter(date(2026, 1, 2), SECTIONS, facts)
    assert "## What did not run here" in opening
    assert "- Step 6's SLIs: prometheus is not installed" in opening
    assert opening.index("## What did not run here") < opening.index("## Contents")


def test_when_everything_ran_nothing_is_said_to_be_skipped() -> None:
    assert skipped(PostFacts(**RAN)) == ""
    assert "What did not run here" not in front_matter(date(2026, 1, 2), SECTIONS, PostFacts(**RAN))
