"""Facts recorded in notebooks reach the renderer, and nothing the post cannot use gets through."""

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from post_renderer.facts import FACTS_MEDIA_TYPE, FactsError, PostFacts, collected, is_fact


def cell_recording(**facts: object):
    return new_code_cell("", outputs=[new_output("display_data", data={FACTS_MEDIA_TYPE: facts})])


def test_facts_are_collected_and_a_later_record_wins() -> None:
    first = new_notebook(cells=[cell_recording(deployment="validated", elk=False)])
    second = new_notebook(cells=[cell_recording(deployment="podman", replicas=2)])
    assert collected([first, second]) == PostFacts(deployment="podman", elk=False, replicas=2)


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
