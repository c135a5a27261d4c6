"""The post's opening: title, date, summary, why the steps matter, and the table of contents.

Results are not quoted here: every number in the post comes from the notebooks that measured it.
"""

from datetime import date

from post_renderer.outline import Section, table_of_contents

TITLE = "Taking a machine-learning model to production: logging, serving and load testing"

SUMMARY = (
    "We train a model that estimates a customer's yearly medical insurance charges, log every "
    "prediction it makes, serve it over HTTP, package it in a container image, deploy it to "
    "Kubernetes and load test it. Every cell below was executed to produce this post, and the "
    "source code it displays is read from the packages the service runs, not copied."
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

STEPS = """\
## The five steps

The post follows five steps, one notebook each. The first trains the model and saves it with
its metrics. The second wraps it in a logging decorator, configured from YAML rather than code,
and serves it with FastAPI. The third packages the service in a container image that runs as a
non-root user on a read-only file system. The fourth deploys the image to Kubernetes on
minikube, with health probes, autoscaling and an ELK stack for the prediction logs. The fifth
load tests the service with Locust and checks the results against the objectives."""


def front_matter(today: date, all_sections: list[Section]) -> str:
    """The markdown that opens the post, up to and including the table of contents."""
    contents = "## Contents\n\n" + table_of_contents(all_sections)
    return "\n\n".join([f"# {TITLE}", f"*{today.isoformat()}*", SUMMARY, WHY, STEPS, contents])
