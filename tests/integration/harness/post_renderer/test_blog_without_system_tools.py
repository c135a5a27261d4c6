"""`make blog` on a machine with only Python and make: every notebook runs, skipping what needs a
missing tool, and the pages say what was skipped and why."""

import os
import subprocess

import pytest

from common.paths import PROJECT_ROOT
from post_renderer.pages import PAGES
from support.hidden_tools import SYSTEM_TOOLS, path_without

pytestmark = pytest.mark.slow
BLOG_TIMEOUT_S = 1_200


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The pages that `make blog PROFILE=quick` renders with the system tools hidden, by stem."""
    folder = tmp_path_factory.mktemp("bare")
    environment = {**os.environ, "PATH": path_without(SYSTEM_TOOLS, folder / "bin")}
    done = subprocess.run(
        ["make", "blog", "PROFILE=quick", f"BUILD={folder / 'build'}", f"POST={folder / 'post'}"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=BLOG_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3_000:] + done.stderr[-3_000:]
    for tool in ("podman", "prometheus", "promtool"):
        assert f"  {tool}: missing: " in done.stdout
    return {page.stem: (folder / "post" / page.markdown_name).read_text() for page in PAGES}


@pytest.fixture(scope="module")
def post(pages: dict[str, str]) -> str:
    """The main post."""
    return pages["blog_post"]


def what_did_not_run(page: str) -> str:
    """A page's list of what was skipped; empty when it has none."""
    if "## What did not run here" not in page:
        return ""
    section = page[page.index("## What did not run here") :]
    return section[: section.find("\n#", 1)] if "\n#" in section[1:] else section


def test_the_pages_say_what_was_skipped_and_why(pages: dict[str, str]) -> None:
    post = pages["blog_post"]
    assert "## What did not run here" in post[: post.index("## Contents")]
    said = "\n".join(what_did_not_run(page) for page in pages.values())
    for skipped in (
        "- Step 3's image, built and run: no container engine",
        "- Step 4's pods, played from the manifests: podman is not installed",
        "- Step 5's load test on the pods: podman",
        "- The pods played by podman, and their sizing: podman",
        "- A pod killed under load: podman",
        "- Step 6's check of the SLO rules: promtool is not installed: install the Debian",
        "- Step 6's SLIs, rules and alerts: prometheus is not installed: install the Debian",
        "- Step 6's alert drill: prometheus-alertmanager is not installed: install the Debian",
        "- Step 6's check of alertmanager.yml: amtool is not installed: install the Debian",
    ):
        assert skipped in said


def test_the_pages_claim_nothing_that_did_not_run(pages: dict[str, str]) -> None:
    post = "\n".join(pages.values())
    for never_ran in (
        "## What Prometheus saw",
        "## A pod killed under load",
        "## What podman enforces",
        "## A drill: from a fault to the pager",
        "at the pager (s)",  # the drill's timeline
        "Checking 'configuration/alertmanager/alertmanager.yml'",  # amtool's report
    ):
        assert never_ran not in post
    main = pages["blog_post"]
    assert "Load test a local service (not the pods) against written objectives" in main
    assert "Watch it: a monitor reads the prediction logs for drift" in main


def test_what_needs_no_system_tool_still_ran(pages: dict[str, str]) -> None:
    post = pages["blog_post"]
    assert "## Drift, read from the prediction logs" in post
    assert "The shifted run drifts in" in post  # the runs took place without Prometheus
    assert "requests failed, and the p99 was" in post
    assert "## Every overlay, validated without a cluster" in pages["running_without_a_cluster"]
