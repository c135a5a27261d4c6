"""The opening of each page: the main post's front matter, and a companion page's header.

The main post opens with its title, the date, a two-sentence lede, the steps as a numbered list,
the architecture diagram, the results at a glance, how to run it yourself, the pages and the
contents. A companion page's header is smaller: the date, the pages, and what did not run.

Results are not typed here: the rows at a glance are the ones the notebooks recorded, and what
the steps say ran (a cluster or podman, ELK, the SLO run's target and verdict) comes from the
facts the notebooks recorded as they ran (``post_renderer.facts``), not from fixed text.
"""

from datetime import date

from post_renderer.facts import PostFacts
from post_renderer.outline import Section, table_of_contents
from post_renderer.pages import MAIN_POST, MAIN_TITLE, Page, navigation

TITLE = MAIN_TITLE
DIAGRAM_LINK = "../images/architecture.svg"
DIAGRAM_ALT = (
    "The architecture, in three paths: a request goes through uvicorn, the app's middleware and "
    "the model's decorators to the model; every prediction's log record goes from stdout through "
    "Filebeat to Elasticsearch and Kibana, and to the drift job; the metrics go from /metrics to "
    "Prometheus, whose alerts Alertmanager routes"
)

LEDE = (
    "We take a model that estimates a customer's yearly medical insurance charges from a "
    "notebook to production: we log every prediction, serve it over HTTP, package it in a "
    "container, deploy it, load test it against written objectives and watch it. Unlike most "
    "tutorials, every step here runs: these pages are rendered from notebooks that were executed "
    "end to end, and every number in them comes from a cell."
)
CHECKS = (
    "*Hidden cells check every claim these pages make, with asserts on the results; CI runs them "
    "on every change, so a claim that stops holding fails the build.*"
)

DEPLOYED = {
    "cluster": "Deploy it to Kubernetes, with probes and autoscaling",
    "pods": "Deploy it from Kubernetes manifests, run as pods by podman on one machine",
    "local": "Write its Kubernetes manifests and validate them (nothing ran them here)",
}
LOADED = {
    "pods": "Load test the pods with Locust against written objectives (SLOs)",
    "local": "Load test a local service (not the pods) against written objectives (SLOs)",
    None: "Load test the service with Locust against written objectives (SLOs)",
}
WATCHED = (
    "Watch it: Prometheus alerts when the error budget is spent too fast; a monitor checks for "
    "drift"
)
DRIFT_WATCHED = "Watch it: a monitor reads the prediction logs for drift"

RUN_IT_YOURSELF = """\
## Run it yourself

```bash
make blog   # execute every notebook and render these pages
make test   # the fast tests
```

What each step needs, beyond Python 3.11 and make (`make blog` installs the Python packages):

- steps 1 and 2: nothing more;
- step 3: podman (or Docker) for the image;
- step 4: minikube if you have a cluster; without one, podman runs the pods;
- step 5: podman, to load test the pods;
- step 6: Prometheus and Alertmanager;
- the browser check of these pages: Chromium.

`make system-packages` installs the Debian packages among them. A missing tool skips only what
needs it, and the page says so."""


def slo_verdict(facts: PostFacts) -> str:
    if facts.slo_passed is None:
        return ""
    return f"; this run {'met' if facts.slo_passed else 'missed'} them"


def step_lines(facts: PostFacts) -> list[str]:
    """One short line per step, from what the notebooks recorded that they did."""
    elk = "; ELK keeps the logs" if facts.elk else ""
    lines = [
        "Train a model that estimates the charges, with scikit-learn",
        "Log every prediction with a decorator configured in YAML, and serve it with FastAPI",
        "Package the service in a container image: non-root, on a read-only file system",
        DEPLOYED[facts.deployment or "local"] + elk,
        LOADED[facts.slo_target] + slo_verdict(facts),
    ]
    if facts.monitored:
        lines.append(WATCHED)
    elif facts.drift_checked:
        lines.append(DRIFT_WATCHED)
    return lines


def steps(facts: PostFacts) -> str:
    """The steps as a numbered list."""
    items = "\n".join(f"{number}. {line}." for number, line in enumerate(step_lines(facts), 1))
    return f"## The steps\n\n{items}"


def diagram() -> str:
    return f"![{DIAGRAM_ALT}]({DIAGRAM_LINK})"


def glance(facts: PostFacts) -> str:
    """The table of the headline results the notebooks recorded; empty when none did."""
    if not facts.glance:
        return ""
    rows = "\n".join(f"| {row.measure} | {row.value} | {row.step} |" for row in facts.glance)
    return f"## Results at a glance\n\n| Measure | Result | Step |\n|---|---:|---|\n{rows}"


def skipped(facts: PostFacts) -> str:
    """The paragraph on what a missing tool kept from running; empty when everything ran."""
    if not facts.skipped:
        return ""
    items = "\n".join(f"- {step.what}: {step.why}" for step in facts.skipped)
    return (
        "## What did not run here\n\n"
        "The machine that executed these pages lacked some tools, so these parts were skipped, "
        f"and the page leaves out what they would have shown:\n\n{items}"
    )


def front_matter(
    today: date, all_sections: list[Section], facts: PostFacts, with_diagram: bool = True
) -> str:
    """The markdown that opens the main post, up to and including its contents."""
    return "\n\n".join(
        filter(
            None,
            [
                f"# {TITLE}",
                f"*{today.isoformat()}*",
                LEDE,
                steps(facts),
                diagram() if with_diagram else "",
                glance(facts),
                skipped(facts),
                RUN_IT_YOURSELF,
                CHECKS,
                navigation(MAIN_POST),
                "## Contents\n\n" + table_of_contents(all_sections),
            ],
        )
    )


def companion_header(page: Page, today: date, facts: PostFacts) -> str:
    """What follows a companion page's title and summary: the date and the pages."""
    return "\n\n".join(filter(None, [f"*{today.isoformat()}*", navigation(page), skipped(facts)]))
