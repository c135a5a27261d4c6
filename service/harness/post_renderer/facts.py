"""What the notebooks did, recorded as they run, so that the post's opening claims only what ran.

A notebook calls ``record(deployment="pods")``. The fact travels in the executed notebook as a
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


class SkippedStep(BaseModel):
    """A part of a step that did not run, for want of a tool."""

    model_config = ConfigDict(extra="forbid")

    command: str = Field(description="The tool it needed, e.g. prometheus.")
    what: str = Field(description="What did not run, e.g. Step 6's SLIs, rules and alerts.")
    why: str = Field(description="Why: the tool's absence, and how to install it.")


class GlanceRow(BaseModel):
    """A row of the main post's "Results at a glance" table, its value formatted by the notebook
    that measured it."""

    model_config = ConfigDict(extra="forbid")

    measure: str = Field(description="What was measured, e.g. Throughput of the pods.")
    value: str = Field(description="The result as the reader sees it, e.g. 1,346 req/s.")
    step: str = Field(description="The step that measured it, e.g. 5. Load test.")


ADDED_UP = ("skipped", "glance")  # facts whose lists every notebook adds to, in order


class PostFacts(BaseModel):
    """What ran, as the notebooks recorded it; None where no notebook said."""

    model_config = ConfigDict(extra="forbid")

    deployment: Literal["cluster", "pods", "local"] | None = Field(
        None,
        description="Step 4's deployment target: a Kubernetes cluster ran the manifests, podman "
        "played them as pods, or nothing ran them (validated only; the service ran locally).",
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
    drift_checked: bool | None = Field(
        None, description="Whether step 6 read the prediction logs for drift."
    )
    skipped: list[SkippedStep] = Field(
        default_factory=list,
        description="What missing tools made the notebooks skip, every notebook's in order. "
        "Cells tagged ``needs-COMMAND`` for such a command are left out of the post.",
    )
    glance: list[GlanceRow] = Field(
        default_factory=list,
        description="The main post's results at a glance, every notebook's rows in order.",
    )


def record(**facts: Any) -> None:
    """Record facts about what this notebook did; the post's opening is written from them."""
    from IPython.display import display  # the notebooks' kernel; not needed to read facts

    PostFacts(**facts)  # a misspelt fact fails in the notebook that records it
    display({FACTS_MEDIA_TYPE: facts}, raw=True)


def skipped_when(problem: str | None, command: str, what: str) -> list[dict[str, str]]:
    """The ``skipped`` fact for ``what``, when ``problem`` (a missing ``command``) kept it
    from running; empty when there was none."""
    return [{"command": command, "what": what, "why": problem}] if problem else []


def is_fact(output: NotebookNode) -> bool:
    return FACTS_MEDIA_TYPE in output.get("data", {})


def merged(found: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    """``found`` with ``facts`` recorded after it: a later fact replaces an earlier one, but
    the lists of ``ADDED_UP`` (the skipped steps, the rows at a glance) add up."""
    lists = {name: [*found.get(name, []), *facts.get(name, [])] for name in ADDED_UP}
    return {**found, **facts} | {name: items for name, items in lists.items() if items}


def facts_in(cells: Iterable[NotebookNode]) -> dict[str, Any]:
    """The facts the cells' outputs hold, in order (``merged``)."""
    found: dict[str, Any] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            if is_fact(output):
                found = merged(found, dict(output["data"][FACTS_MEDIA_TYPE]))
    return found


def collected(notebooks: Iterable[NotebookNode]) -> PostFacts:
    """Every notebook's facts, in order, as ``PostFacts``; FactsError names a bad one."""
    found: dict[str, Any] = {}
    for notebook in notebooks:
        found = merged(found, facts_in(notebook.cells))
    try:
        return PostFacts(**found)
    except ValidationError as error:
        raise FactsError(f"the notebooks recorded facts the post cannot use: {error}") from None
