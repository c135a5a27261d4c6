"""`make blog` on a machine with only Python and make: every notebook runs, skipping what needs a
missing tool, and the post says what was skipped and why."""

import os
import subprocess

import pytest

from common.paths import PROJECT_ROOT
from support.hidden_tools import SYSTEM_TOOLS, path_without

pytestmark = pytest.mark.slow
BLOG_TIMEOUT_S = 1_200


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The post that `make blog PROFILE=quick` renders with the system tools hidden."""
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
    return (folder / "post" / "blog_post.md").read_text()


def test_the_post_says_what_was_skipped_and_why(post: str) -> None:
    opening = post[: post.index("## Contents")]
    assert "## What did not run here" in opening
    for skipped in (
        "- Step 3's image, built and run: no container engine",
        "- Step 4's pods, played from the manifests: podman is not installed",
        "- Step 5's load test on the pods, their sizing and the pod killed under load: podman",
        "- Step 6's check of the SLO rules: promtool is not installed: install the Debian",
        "- Step 6's SLIs, rules and alerts: prometheus is not installed: install the Debian",
        "- Step 6's alert drill: prometheus-alertmanager is not installed: install the Debian",
        "- Step 6's check of alertmanager.yml: amtool is not installed: install the Debian",
    ):
        assert skipped in opening


def test_the_post_claims_nothing_that_did_not_run(post: str) -> None:
    for never_ran in (
        "## What Prometheus saw",
        "## A pod killed under load",
        "What podman enforces of the manifest",
        "podman plays the manifests of step 4 again",
        "received by the webhook",  # the drill's timeline
        "Checking 'configuration/alertmanager/alertmanager.yml'",  # amtool's report
    ):
        assert never_ran not in post
    assert "load test the service on this machine (not the configuration that ships)" in post
    assert "then read its prediction logs for drift" in post


def test_what_needs_no_system_tool_still_ran(post: str) -> None:
    assert "## Drift, read from the prediction logs" in post
    assert "## Rendered and validated" in post
    assert "shifted: " in post  # the shifted run's line: the runs took place without Prometheus
