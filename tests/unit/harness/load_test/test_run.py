import argparse
import itertools
import shlex
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from common.paths import PROJECT_ROOT
from load_test import run as run_module
from load_test.run import LOCUSTFILE, LoadTest, LoadTestResult, main, service_view_report
from load_test.summary import LoadSettings, LoadTestSummary
from load_test.verdicts import Measurements
from service_runner.process import free_port


def test_the_locust_command_is_headless_with_history_html_and_overrides(tmp_path: Path) -> None:
    test = LoadTest(reports=tmp_path, users=16, duration="30s", slo_overrides=("p99_ms=50",))
    command = test.locust_command("http://service:8000")
    assert command[command.index("--locustfile") + 1] == str(LOCUSTFILE)
    assert LOCUSTFILE.exists()
    assert {"--headless", "--csv-full-history", "--only-summary"} <= set(command)
    pairs = dict(itertools.pairwise(command))
    assert pairs["--host"] == "http://service:8000"
    assert pairs["--users"] == "16"
    assert pairs["--run-time"] == "30s"
    assert pairs["--csv"] == str(tmp_path / "locust")
    assert pairs["--summary"] == str(tmp_path / "summary.json")
    assert pairs["--slo"] == "p99_ms=50"


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--slo", "p95_ms=1"], "'p95_ms=1' is not NAME=VALUE"),
        (["--slo", "p99_ms=-1"], "invalid SLO override"),
        (["--slo-file", "missing.yaml"], "cannot read the SLO file"),
    ],
)
def test_bad_slos_stop_the_run_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture, arguments: list[str], problem: str
) -> None:
    reports = tmp_path / "reports"
    code = main(["--reports", str(reports), "--config", "nowhere.yaml", *arguments])
    assert code == 2
    assert problem in capsys.readouterr().err
    assert not (reports / "service.log").exists()  # no service was started


def test_a_service_that_cannot_start_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(["--reports", str(tmp_path), "--config", str(tmp_path / "nowhere.yaml")])
    assert code == 2
    assert "the service exited before it was ready" in capsys.readouterr().err


def test_the_service_view_says_what_it_could_not_see() -> None:
    summary = LoadTestSummary(
        settings=LoadSettings(
            host="http://x", shape="constant", users=1, spawn_rate=1, duration_s=1
        ),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1,
        measurements=Measurements(
            requests=1000, failures=0, rps=1000, p50_ms=1, p90_ms=1, p99_ms=1
        ),
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    )
    text = service_view_report(LoadTestResult(exit_code=0, summary=summary, charts=[]))
    assert "Locust counted 1000 requests." in text
    assert "No counters were read from /metrics" in text
    assert "ran elsewhere" in text


def test_a_host_that_does_not_answer_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    host = f"http://127.0.0.1:{free_port()}"
    code = main(["--reports", str(tmp_path), "--host", host])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "summary.json").exists()  # Locust never ran


def test_replicas_behind_one_port_are_not_scraped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scraped = []
    monkeypatch.setattr(run_module, "scrape", lambda host: scraped.append(host) or "")
    monkeypatch.setattr(run_module, "run_locust", lambda command, log: (0, False))
    test = LoadTest(reports=tmp_path, host="http://x", scrape_metrics=False)
    with pytest.raises(RuntimeError, match="wrote no"):
        run_module.drive(test, test.host)
    assert scraped == []


def summary_of(requests: int, failures: int = 0) -> LoadTestSummary:
    return LoadTestSummary(
        settings=LoadSettings(
            host="http://x", shape="constant", users=1, spawn_rate=1, duration_s=1
        ),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1,
        measurements=Measurements(
            requests=requests, failures=failures, rps=requests, p50_ms=1, p90_ms=1, p99_ms=1
        ),
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    )


OK_200 = 'http_requests_total{method="POST",route="/p",status="200"}'


@pytest.mark.parametrize(("served", "says_so"), [(600, True), (1000, False), (1003, False)])
def test_counters_below_what_locust_counted_are_explained(served: int, says_so: bool) -> None:
    result = LoadTestResult(
        exit_code=0, summary=summary_of(1000), charts=[], counter_changes={OK_200: served}
    )
    assert ("several replicas answer this host" in service_view_report(result)) is says_so


def test_no_metrics_leaves_the_counters_out() -> None:
    parsed = run_module.parse_arguments(["--no-metrics"])
    assert parsed.scrape_metrics is False
    assert run_module.parse_arguments([]).scrape_metrics is True


def test_one_process_is_a_lone_locust(tmp_path: Path) -> None:
    command = LoadTest(reports=tmp_path).locust_command("http://service:8000")
    assert "--headless" in command
    assert not {"--processes", "--master", "--worker", "--master-bind-port"} & set(command)


def test_processes_run_locusts_own_master_and_workers_on_a_free_loopback_port(
    tmp_path: Path,
) -> None:
    command = LoadTest(reports=tmp_path, processes=3).locust_command("http://service:8000")
    pairs = dict(itertools.pairwise(command))
    assert pairs["--processes"] == "3"  # Locust forks the workers and makes itself the master
    assert "--master" not in command  # which Locust refuses beside --processes
    assert pairs["--master-bind-host"] == "127.0.0.1"
    assert pairs["--master-bind-port"] == pairs["--master-port"]  # the workers find the master
    assert pairs["--master-port"] != "5557"  # not Locust's default, which another run may hold
    assert {"--headless", "--csv-full-history", "--summary", "--shape"} <= set(command)


def test_the_ui_replaces_headless_with_the_same_settings_as_defaults(tmp_path: Path) -> None:
    test = LoadTest(reports=tmp_path, users=16, duration="30s", shape="stages", ui=True)
    command = test.locust_command("http://service:8000")
    pairs = dict(itertools.pairwise(command))
    assert not {"--headless", "--autostart", "--only-summary"} & set(command)
    assert (pairs["--web-host"], pairs["--web-port"]) == ("127.0.0.1", "8089")
    assert test.web_url == "http://127.0.0.1:8089"
    assert (pairs["--users"], pairs["--run-time"], pairs["--shape"]) == ("16", "30s", "stages")
    assert pairs["--host"] == "http://service:8000"
    assert pairs["--summary"] == str(tmp_path / "summary.json")


def test_the_options_reach_the_load_test() -> None:
    parsed = run_module.parse_arguments(["--processes", "2", "--ui", "--web-port", "9000"])
    assert (parsed.processes, parsed.ui, parsed.web_port) == (2, True, 9000)
    defaults = run_module.parse_arguments([])
    assert (defaults.processes, defaults.ui, defaults.web_port) == (1, False, 8089)


@pytest.mark.parametrize("option", ["--processes", "--web-port"])
def test_a_count_below_one_is_a_usage_error(option: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        run_module.parse_arguments([option, "0"])
    assert "'0' is not a whole number above 0" in capsys.readouterr().err


def test_a_busy_web_port_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        code = main(["--reports", str(tmp_path), "--ui", "--web-port", str(port)])
    assert code == 2
    assert f"port {port} is in use: choose another with LOCUST_PORT" in capsys.readouterr().err
    assert not (tmp_path / "service.log").exists()  # no service was started


RUN = "-m load_test.run"


def make_load_test(*variables: str) -> argparse.Namespace:
    """The options `make load-test` passes to load_test.run, read from `make -n`."""
    done = subprocess.run(
        ["make", "-n", "load-test", "HOST=http://service", *variables],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    [line] = [line for line in done.stdout.replace("\\\n", " ").splitlines() if RUN in line]
    words = shlex.split(line)
    return run_module.parse_arguments(words[words.index("load_test.run") + 1 :])


def test_make_passes_processes_ui_and_the_port() -> None:
    parsed = make_load_test("PROCESSES=2", "UI=1", "LOCUST_PORT=9000")
    assert (parsed.processes, parsed.ui, parsed.web_port) == (2, True, 9000)
    defaults = make_load_test()
    assert (defaults.processes, defaults.ui, defaults.web_port) == (1, False, 8089)
    assert make_load_test("UI=0").ui is False


class Locust:
    """A Locust process as run.py waits for it: interrupted once by Ctrl-C."""

    def __init__(self, takes_s: float) -> None:
        self.takes_s, self.signals, self.waits = takes_s, [], 0

    def wait(self, timeout: float | None = None) -> int:
        self.waits += 1
        if self.waits == 1:
            raise KeyboardInterrupt
        if timeout is not None and self.takes_s > timeout:
            raise subprocess.TimeoutExpired("locust", timeout)
        return 1

    def send_signal(self, number: int) -> None:
        self.signals.append(number)


@pytest.mark.parametrize(("takes_s", "signals"), [(1, []), (60, [signal.SIGINT])])
def test_ctrl_c_lets_locust_write_its_reports(takes_s: float, signals: list[int]) -> None:
    """Ctrl-C reaches Locust too: wait for it, and SIGINT it only when it got none."""
    locust = Locust(takes_s)
    assert run_module.wait_for_locust(locust) == (1, True)
    assert locust.signals == signals


def test_the_metrics_are_scraped_where_they_are_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scraped = []
    monkeypatch.setattr(run_module, "scrape", lambda url: scraped.append(url) or "")
    monkeypatch.setattr(run_module, "run_locust", lambda command, log: (0, False))
    test = LoadTest(reports=tmp_path, host="http://x:8000")
    with pytest.raises(RuntimeError, match="wrote no"):
        run_module.drive(test, test.host, "http://x:9100")
    assert scraped == ["http://x:9100", "http://x:9100"]  # before and after the run


def test_after_ctrl_c_the_stopped_service_is_not_scraped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scraped = []
    monkeypatch.setattr(run_module, "scrape", lambda host: scraped.append(host) or "")
    monkeypatch.setattr(run_module, "run_locust", lambda command, log: (0, True))
    test = LoadTest(reports=tmp_path, host="http://x")
    with pytest.raises(RuntimeError, match="wrote no"):
        run_module.drive(test, test.host)
    assert scraped == ["http://x"]  # before the run only
