"""The post's opening: title, date, summary, why the steps matter, and the table of contents.

Results are not quoted here: every number in the post comes from the notebooks that measured it.
What the summary says ran (a cluster or podman, ELK, the SLO run's target and verdict) comes from
the facts the notebooks recorded as they ran (``post_renderer.facts``), not from fixed text.
"""

import re
from datetime import date

from post_renderer.facts import PostFacts
from post_renderer.outline import Section, table_of_contents

STEP_TITLE = re.compile(r"\d+\. ")

TITLE = "Taking a machine-learning model to production: logging, serving and load testing"

DEPLOYED = {
    "cluster": "deploy it to Kubernetes",
    "pods": "play its Kubernetes manifests with podman, as no cluster was at hand",
    "local": "write its Kubernetes manifests and validate them, as neither a cluster nor "
    "podman was at hand to run them",
}
LOADED = {
    "pods": "load test the pods that run the configuration that ships",
    "local": "load test the service on this machine (not the configuration that ships)",
    None: "load test the service",
}


WATCHED = (
    ", then watch it with Prometheus, its SLOs as burn-rate alerts, and with a monitor that "
    "reads the prediction logs for drift"
)
DRIFT_WATCHED = ", then read its prediction logs for drift"


def what_step_six_did(facts: PostFacts, both: str, drift_alone: str) -> str:
    """``both`` when step 6 watched with Prometheus and for drift, ``drift_alone`` when only
    for drift, else nothing."""
    if facts.monitored:
        return both
    return drift_alone if facts.drift_checked else ""


def skipped(facts: PostFacts) -> str:
    """The paragraph on what a missing tool kept from running; empty when everything ran."""
    if not facts.skipped:
        return ""
    items = "\n".join(f"- {step.what}: {step.why}" for step in facts.skipped)
    return (
        "## What did not run here\n\n"
        "The machine that executed this post lacked some tools, so these parts were skipped, "
        f"and the post leaves out what they would have shown:\n\n{items}"
    )


def slo_verdict(facts: PostFacts) -> str:
    if facts.slo_passed is None:
        return "against explicit objectives"
    return f"against explicit objectives, which the run {'met' if facts.slo_passed else 'missed'}"


def summary(facts: PostFacts) -> str:
    """The post's summary, from what the notebooks recorded that they did."""
    elk = " with an ELK stack for the prediction logs" if facts.elk else ""
    deployed = DEPLOYED[facts.deployment or "local"]
    return (
        "We train a model that estimates a customer's yearly medical insurance charges, log "
        "every prediction it makes, serve it over HTTP, package it in a container image, "
        f"{deployed}{elk}, and {LOADED[facts.slo_target]} "
        f"{slo_verdict(facts)}{what_step_six_did(facts, WATCHED, DRIFT_WATCHED)}. Every cell "
        "below was executed to produce this post, and the source code it displays is read from the "
        "packages the service runs, not copied."
    )


WHY = """\
## Why logging and load tests come first

A model that scores well on a holdout set has answered one question: how accurate is it on data
like the data it learned from? Running it in production raises others. When a customer disputes
a quote, what did the model receive and what did it answer? How often does it fail, and on which
inputs? How many requests can it serve at once, and how long do the slowest of them take?

Logging answers the first group. When every prediction is recorded with its inputs, its output
and an id that ties it to the HTTP request, a single answer can be audited, failures can be
counted, and a change in the inputs can be seen in the records. Load tests answer the second
group. They send steady traffic to the running service and compare its latency and error rate
with objectives written down in advance, so that "fast enough" is a check that passes or fails.
Until a model has both, the only evidence for trusting it is its holdout score."""

STEP_FOUR = {
    "cluster": "deploys the image to Kubernetes, with health probes, autoscaling and a "
    "disruption budget",
    "pods": "writes the Kubernetes manifests and, with no cluster at hand, plays them with "
    "podman: the pods run the image with the manifest's configuration, limits and restart "
    "policy, while the Service and the autoscaler are validated, not run",
    "local": "writes the Kubernetes manifests and validates them; nothing ran them",
}
NUMBERS = {5: "five", 6: "six", 7: "seven"}
STEP_SIX = (
    " The sixth watches it as production would: Prometheus scrapes its metrics and evaluates "
    "its SLOs as burn-rate alerts, and a drift monitor compares the prediction logs with the "
    "training data."
)
DRIFT_STEP_SIX = " The sixth compares the prediction logs with the training data for drift."


def is_step(section: Section) -> bool:
    """A step's title is numbered (``5. Load testing…``); an appendix's is not."""
    return STEP_TITLE.match(section.title) is not None


def appendices(all_sections: list[Section]) -> str:
    """The sentence naming the sections after the steps, if any."""
    titles = [f'"{section.title}"' for section in all_sections if not is_step(section)]
    return f" After them: {', '.join(titles)}." if titles else ""


def steps(facts: PostFacts, count: int) -> str:
    """The paragraph on the steps, from what the notebooks recorded that they did."""
    elk = ", and an ELK stack collects the prediction logs" if facts.elk else ""
    number = NUMBERS.get(count, str(count))
    deployed = STEP_FOUR[facts.deployment or "local"]
    return (
        f"## The {number} steps\n\n"
        f"The post follows {number} steps, one notebook each. The first trains the model and "
        "saves it with its metrics. The second wraps it in a logging decorator, configured from "
        "YAML rather than code, and serves it with FastAPI. The third packages the service in a "
        "container image that runs as a non-root user on a read-only file system. The fourth "
        f"{deployed}{elk}. The fifth {LOADED[facts.slo_target]} with Locust and checks the "
        f"results against the objectives.{what_step_six_did(facts, STEP_SIX, DRIFT_STEP_SIX)}"
    )


def front_matter(today: date, all_sections: list[Section], facts: PostFacts) -> str:
    """The markdown that opens the post, up to and including the table of contents."""
    contents = "## Contents\n\n" + table_of_contents(all_sections)
    return "\n\n".join(
        [
            f"# {TITLE}",
            f"*{today.isoformat()}*",
            summary(facts),
            *filter(None, [skipped(facts)]),
            WHY,
            steps(facts, sum(map(is_step, all_sections))) + appendices(all_sections),
            contents,
        ]
    )
