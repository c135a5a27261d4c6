"""The local Prometheus: its configuration, its API's answers, promtool, and a real run of it
scraping a fake target (skipped where Debian's `prometheus` package is missing)."""

import math
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitoring import prometheus as module
from monitoring.availability import APP_LABEL, APP_NAME
from monitoring.prometheus import (
    JOB,
    LocalPrometheus,
    PrometheusError,
    checked_rules,
    configuration,
    prometheus_binary,
    promtool,
    result_of,
)
from monitoring.rules import RULES_DIR, RULES_NAME
from support.promtool import INSTALL as PROMTOOL_MISSING
from support.promtool import PACKAGE
from system_tools import Skipped, missing

PROMETHEUS_MISSING = (
    f"prometheus is not installed: install the Debian package `{PACKAGE}` (apt-get install "
    f"{PACKAGE})"
)
EXPOSITION = """\
# HELP http_requests_total HTTP requests.
# TYPE http_requests_total counter
http_requests_total{route="/p",method="POST",status="200"} 5
# HELP http_request_duration_seconds HTTP request latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/p",le="0.01"} 2
http_request_duration_seconds_bucket{route="/p",le="0.1"} 4
http_request_duration_seconds_bucket{route="/p",le="+Inf"} 5
http_request_duration_seconds_sum{route="/p"} 0.2
http_request_duration_seconds_count{route="/p"} 5
"""
ALWAYS_FIRING = """\
groups:
- name: test
  rules:
  - alert: AlwaysFiring
    expr: vector(1) > 0
"""
BROKEN_RULES = """\
groups:
- name: test
  rules:
  - alert: Broken
    expr: vector(1) >
"""


def needs_prometheus() -> None:
    if missing("prometheus"):
        pytest.skip(missing("prometheus"))


def needs_promtool() -> None:
    if missing("promtool"):
        pytest.skip(missing("promtool"))


def eventually(check: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """``check()``'s first truthy value, polled until ``timeout``; fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what}: not after {timeout} s")


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    """A tiny HTTP server answering /metrics with ``EXPOSITION``: its host:port."""

    class Metrics(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = EXPOSITION.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Metrics)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def running(target: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    """A real prometheus scraping ``target`` every second, an always-firing alert loaded, once
    it has scraped the target and the alert is out."""
    needs_prometheus()
    workdir = tmp_path_factory.mktemp("prometheus")
    rules = workdir / "always.yml"
    rules.write_text(ALWAYS_FIRING)
    with LocalPrometheus([target], workdir / "run", rule_files=[rules]) as prometheus:
        eventually(lambda: prometheus.query("http_requests_total"), "the target's samples")
        eventually(prometheus.alerts, "the always-firing alert")
        yield prometheus


# configuration and the API's answers


def test_the_configuration_scrapes_the_targets_and_evaluates_the_rules_as_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = configuration(["127.0.0.1:8000", "127.0.0.1:8001"], [Path("rules.yml")], "2s")
    assert config["global"] == {"scrape_interval": "2s", "evaluation_interval": "2s"}
    assert config["rule_files"] == [str(tmp_path.resolve() / "rules.yml")]  # not cwd-relative
    targets = ["127.0.0.1:8000", "127.0.0.1:8001"]
    labels = {APP_LABEL: APP_NAME}  # as the cluster's Prometheus labels the pods
    assert config["scrape_configs"] == [
        {"job_name": JOB, "static_configs": [{"targets": targets, "labels": labels}]}
    ]
    assert "alerting" not in config


def test_without_rule_files_the_configuration_names_none() -> None:
    assert configuration([], [], "1s")["rule_files"] == []


def test_the_alerts_go_to_the_alertmanagers_named() -> None:
    config = configuration(["127.0.0.1:8000"], [], "1s", alertmanagers=["127.0.0.1:9093"])
    assert config["alerting"] == {
        "alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9093"]}]}]
    }


def test_a_successful_answer_gives_its_data() -> None:
    answer = {"status": "success", "data": {"resultType": "vector", "result": []}}
    assert result_of(httpx.Response(200, json=answer), "up") == answer["data"]


def test_an_error_answer_names_the_expression_and_prometheus_s_error() -> None:
    answer = {"status": "error", "errorType": "bad_data", "error": "1:5: parse error: oops"}
    with pytest.raises(PrometheusError, match=r"'sum\(' \(HTTP 400\): 1:5: parse error: oops"):
        result_of(httpx.Response(400, json=answer), "sum(")


def test_an_answer_of_200_that_is_not_a_success_is_refused() -> None:
    answer = {"status": "error", "error": "query timed out"}
    with pytest.raises(PrometheusError, match=r"refused 'up' \(HTTP 200\): query timed out"):
        result_of(httpx.Response(200, json=answer), "up")


def test_an_answer_without_a_body_is_a_prometheus_error() -> None:
    with pytest.raises(PrometheusError, match="refused 'up'"):
        result_of(httpx.Response(502), "up")


def test_a_500_answer_that_is_not_json_is_a_prometheus_error_with_its_text() -> None:
    # A proxy or a crashing Prometheus answers in plain text: the caller should learn which
    # expression failed and what came back, not meet a JSONDecodeError.
    response = httpx.Response(500, text="Internal Server Error")
    with pytest.raises(PrometheusError, match=r"refused 'up' \(HTTP 500\): Internal Server Error"):
        result_of(response, "up")


# missing binaries and promtool


def test_without_prometheus_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(PrometheusError) as raised:
        prometheus_binary()
    assert str(raised.value).startswith(PROMETHEUS_MISSING)
    assert "prometheus.io/download" in str(raised.value)
    local = LocalPrometheus([], tmp_path)
    with pytest.raises(PrometheusError, match="prometheus is not installed"):
        local.start()
    assert local.process is None


def test_without_promtool_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(PrometheusError) as raised:
        promtool("--version")
    assert str(raised.value).startswith(PROMTOOL_MISSING)


def test_promtool_names_a_path_under_the_project_relative_to_it() -> None:
    needs_promtool()
    output = promtool("check", "rules", RULES_DIR / RULES_NAME)
    assert f"Checking configuration/prometheus/{RULES_NAME}" in output
    assert "SUCCESS" in output
    assert str(module.PROJECT_ROOT) not in output


def test_a_failing_promtool_raises_with_its_output_naming_the_file_from_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_promtool()
    monkeypatch.setattr(module, "PROJECT_ROOT", tmp_path)  # promtool runs there
    (tmp_path / "rules").mkdir()
    broken = tmp_path / "rules" / "broken.yml"
    broken.write_text(BROKEN_RULES)
    with pytest.raises(PrometheusError) as raised:
        promtool("check", "rules", broken)
    message = str(raised.value)
    assert message.startswith("promtool check rules rules/broken.yml failed:\n")
    assert "could not parse expression" in message
    assert str(tmp_path) not in message


def test_a_path_outside_the_project_is_named_in_full(tmp_path: Path) -> None:
    needs_promtool()
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_RULES)
    with pytest.raises(PrometheusError, match=re.escape(f"promtool check rules {broken} failed:")):
        promtool("check", "rules", broken)


# the process, without prometheus


def test_waiting_gives_up_stops_the_process_and_shows_the_log(tmp_path: Path) -> None:
    local = LocalPrometheus([], tmp_path)
    (tmp_path / "prometheus.log").write_text("".join(f"line {n}\n" for n in range(30)))
    local.process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(PrometheusError, match=r"not ready after 0\.5 s:\nline 10\n") as raised:
        local.wait_until_ready(timeout=0.5)
    assert str(raised.value).endswith("line 29")
    assert local.process.poll() is not None


def test_the_log_tail_is_empty_before_there_is_a_log(tmp_path: Path) -> None:
    assert LocalPrometheus([], tmp_path).log_tail() == ""


# a real prometheus


def test_it_scrapes_the_target(running: LocalPrometheus, target: str) -> None:
    assert running.targets_up() == 1
    [series] = running.query("http_requests_total")
    assert series["value"] == 5.0
    assert series["labels"] == {
        "__name__": "http_requests_total", "route": "/p", "method": "POST", "status": "200",
        "instance": target, "job": JOB, APP_LABEL: APP_NAME,
    }  # fmt: skip


def test_scalar_gives_the_one_value_or_nan(running: LocalPrometheus) -> None:
    assert running.scalar('sum(http_requests_total{route="/p"})') == 5.0
    assert running.scalar(
        "histogram_quantile(0.5, sum by (le) (http_request_duration_seconds_bucket))"
    ) == pytest.approx(0.01 + (2.5 - 2) / 2 * 0.09)
    assert math.isnan(running.scalar('sum(http_requests_total{route="/elsewhere"})'))
    assert running.scalar("vector(time())", at=1_000) == 1_000


def test_scalar_of_an_expression_of_scalar_type(running: LocalPrometheus) -> None:
    # PromQL's scalar() answers with resultType "scalar", [time, value], not a list of series.
    assert running.scalar("scalar(sum(http_requests_total))") == 5.0


def test_query_range_gives_one_series_over_time(running: LocalPrometheus) -> None:
    end = time.time()
    series = running.query_range("sum(http_requests_total)", end - 2, end, "1s")
    assert series.name == "sum(http_requests_total)"
    assert set(series) == {5.0}
    assert all(end - 2.001 <= moment <= end + 0.001 for moment in series.index)  # ms precision
    empty = running.query_range('http_requests_total{route="/elsewhere"}', end - 2, end, "1s")
    assert empty.empty


def test_an_always_firing_alert_is_pending_or_firing(running: LocalPrometheus) -> None:
    [alert] = running.alerts()
    assert alert["labels"]["alertname"] == "AlwaysFiring"
    assert alert["state"] in {"pending", "firing"}


def test_a_bad_expression_is_refused_with_prometheus_s_error(running: LocalPrometheus) -> None:
    with pytest.raises(PrometheusError, match=r"refused 'sum\(' \(HTTP 400\): .*parse error"):
        running.query("sum(")
    with pytest.raises(PrometheusError, match=r"refused 'rate\(up\)'"):
        running.query_range("rate(up)", time.time() - 2, time.time(), "1s")


def test_a_start_that_fails_carries_the_log_tail(tmp_path: Path) -> None:
    needs_prometheus()
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_RULES)
    local = LocalPrometheus([], tmp_path / "run", rule_files=[broken])
    with pytest.raises(PrometheusError, match="prometheus exited at start:\n") as raised:
        local.start()
    assert "could not parse expression" in str(raised.value)
    assert local.process.poll() is not None


def test_a_rule_file_that_does_not_exist_is_an_error_naming_it(tmp_path: Path) -> None:
    # Prometheus reads rule_files as globs and ignores one that matches nothing: a run with a
    # misspelt rule file would have no alerts at all, and say nothing.
    needs_prometheus()
    missing = tmp_path / "missing.yml"
    local = LocalPrometheus([], tmp_path / "run", rule_files=[missing])
    try:
        with pytest.raises(PrometheusError, match=r"missing\.yml"):
            local.start()
    finally:
        local.stop()


def test_stop_leaves_no_process_and_frees_the_port(tmp_path: Path) -> None:
    needs_prometheus()
    with LocalPrometheus([], tmp_path) as local:
        assert httpx.get(f"{local.url}/-/ready", timeout=2).status_code == 200
        assert local.process.poll() is None
    assert local.process.poll() is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{local.url}/-/ready", timeout=2)
    local.stop()  # stopping again is harmless


def test_a_start_clears_what_a_previous_run_scraped(tmp_path: Path) -> None:
    stale = tmp_path / "run" / "data" / "chunks_head" / "000001"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old series")
    prometheus = LocalPrometheus(["127.0.0.1:1"], tmp_path / "run")
    prometheus.clear_data()
    assert not (tmp_path / "run" / "data").exists()
    assert (tmp_path / "run").is_dir()


def test_without_promtool_the_rules_check_is_skipped_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    skipped = checked_rules(Path("rules.yml"), Path("rules_test.yml"))
    assert isinstance(skipped, Skipped)
    assert str(skipped).startswith("Skipped: the rules' check by promtool, since promtool is not")


def test_the_committed_rules_are_checked_and_their_tests_pass() -> None:
    if missing("promtool"):
        pytest.skip(missing("promtool"))
    output = checked_rules(RULES_DIR / RULES_NAME, RULES_DIR / "rules_test.yml")
    assert "SUCCESS" in output
