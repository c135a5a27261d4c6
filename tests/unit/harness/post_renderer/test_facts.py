"""Facts recorded in notebooks reach the renderer, and nothing the post cannot use gets through."""

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from post_renderer.facts import (
    FACTS_MEDIA_TYPE,
    FactsError,
    PostFacts,
    collected,
    is_fact,
    skipped_when,
)


def cell_recording(**facts: object):
    return new_code_cell("", outputs=[new_output("display_data", data={FACTS_MEDIA_TYPE: facts})])


def test_facts_are_collected_and_a_later_record_wins() -> None:
    first = new_notebook(cells=[cell_recording(deployment="local", elk=False)])
    second = new_notebook(cells=[cell_recording(deployment="pods", replicas=2)])
    assert collected([first, second]) == PostFacts(deployment="pods", elk=False, replicas=2)


def test_no_facts_leave_every_fact_unknown() -> None:
    assert collected([new_notebook(cells=[new_code_cell("1")])]) == PostFacts()


@pytest.mark.parametrize(
    ("facts", "named"),
    [({"deploymnet": "podman"}, "deploymnet"), ({"deployment": "docker"}, "deployment")],
)
def test_an_unknown_fact_or_value_is_an_error_that_names_it(facts: dict, named: str) -> None:
    with pytest.raises(FactsError, match=named):
        collected([new_notebook(cells=[cell_recording(**facts)])])


def test_only_fact_outputs_are_facts() -> None:
    assert is_fact(new_output("display_data", data={FACTS_MEDIA_TYPE: {}}))
    assert not is_fact(new_output("display_data", data={"text/plain": "x"}))
    assert not is_fact(new_output("stream", text="x"))


def test_the_skipped_steps_of_every_notebook_add_up() -> None:
    image = skipped_when("no podman", "podman", "the image")
    pods = skipped_when("no podman", "podman", "the pods")
    first = new_notebook(cells=[cell_recording(skipped=image), cell_recording(skipped=pods)])
    second = new_notebook(
        cells=[
            cell_recording(skipped=skipped_when("no prometheus", "prometheus", "the SLIs")),
            cell_recording(monitored=False),
        ]
    )
    facts = collected([first, second])
    assert [(step.command, step.what, step.why) for step in facts.skipped] == [
        ("podman", "the image", "no podman"),
        ("podman", "the pods", "no podman"),
        ("prometheus", "the SLIs", "no prometheus"),
    ]
    assert facts.monitored is False


def test_a_step_is_skipped_only_when_a_problem_kept_it_from_running() -> None:
    assert skipped_when(None, "podman", "the pods") == []
    assert skipped_when("podman is not installed", "podman", "the pods") == [
        {"command": "podman", "what": "the pods", "why": "podman is not installed"}
    ]


def test_the_rows_at_a_glance_of_every_notebook_add_up_in_order() -> None:
    row = {"measure": "Holdout error", "value": "$2,465", "step": "1. Train"}
    later = {"measure": "p99 latency", "value": "14 ms", "step": "5. Load test"}
    first = new_notebook(cells=[cell_recording(glance=[row])])
    second = new_notebook(cells=[cell_recording(glance=[later]), cell_recording(replicas=2)])
    facts = collected([first, second])
    assert [(r.measure, r.value, r.step) for r in facts.glance] == [
        ("Holdout error", "$2,465", "1. Train"),
        ("p99 latency", "14 ms", "5. Load test"),
    ]


def test_a_row_at_a_glance_without_its_step_is_an_error() -> None:
    with pytest.raises(FactsError, match="step"):
        collected([new_notebook(cells=[cell_recording(glance=[{"measure": "m", "value": "1"}])])])
