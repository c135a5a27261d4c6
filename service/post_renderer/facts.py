"""What the notebooks did, recorded as they run, so that the post's opening claims only what ran.

A notebook calls ``record(deployment="podman")``. The fact travels in the executed notebook as a
display output of a media type of its own, which the post never shows; the renderer collects the
facts of every notebook, checks them against ``PostFacts``, and writes the opening from them.
"""

from collections.abc import Iterable
from typing import Any, Literal

from nbformat import NotebookNode
from pydantic import BaseModel, ConfigDict, Field, ValidationError

FACTS_MEDIA_TYPE = "application/vnd.post-facts+json"


class FactsError(ValueError):
    """A notebook recorded a fact the post does not know, or a value it cannot be."""


class PostFacts(BaseModel):
    """What ran, as the notebooks recorded it; None where no notebook said."""

    model_config = ConfigDict(extra="forbid")

    deployment: Literal["cluster", "podman", "validated"] | None = Field(
        None,
        description="Where step 4 ran the manifests: a Kubernetes cluster, podman on this "
        "machine, or nowhere (rendered and validated only).",
    )
    elk: bool | None = Field(None, description="Whether the ELK stack was deployed.")
    replicas: int | None = Field(None, description="The pods that served.")
    slo_target: Literal["pods", "local"] | None = Field(
        None,
        description="What step 5's SLO run loaded: the deployed pods, or a local service.",
    )
    slo_passed: bool | None = Field(None, description="Whether that run met every SLO.")
    monitored: bool | None = Field(
        None, description="Whether step 6 watched the service with Prometheus and for drift."
    )


def record(**facts: Any) -> None:
    """Record facts about what this notebook did; the post's opening is written from them."""
    from IPython.display import display  # the notebooks' kernel; not needed to read facts

    PostFacts(**facts)  # a misspelt fact fails in the notebook that records it
    display({FACTS_MEDIA_TYPE: facts}, raw=True)


def is_fact(output: NotebookNode) -> bool:
    return FACTS_MEDIA_TYPE in output.get("data", {})


def facts_in(cells: Iterable[NotebookNode]) -> dict[str, Any]:
    """The facts the cells' outputs hold; a later record of a fact replaces an earlier one."""
    found: dict[str, Any] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            if is_fact(output):
                found |= dict(output["data"][FACTS_MEDIA_TYPE])
    return found


def collected(notebooks: Iterable[NotebookNode]) -> PostFacts:
    """Every notebook's facts, in order, as ``PostFacts``; FactsError names a bad one."""
    found: dict[str, Any] = {}
    for notebook in notebooks:
        found |= facts_in(notebook.cells)
    try:
        return PostFacts(**found)
    except ValidationError as error:
        raise FactsError(f"the notebooks recorded facts the post cannot use: {error}") from None
