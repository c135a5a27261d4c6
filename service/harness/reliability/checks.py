"""Run the reliability checks and say what each measured, one line a figure."""

import secrets
from pathlib import Path

from pydantic import BaseModel

from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from model_service.configuration import (
    API_KEY_ENV_VAR,
    NEXT_API_KEY_ENV_VAR,
    load_configuration,
)
from reliability.auth import AuthResult, check_api_key
from reliability.bad_input import BadInputResult, judge, send_bad_requests
from reliability.faults import (
    MAX_ERRORS_PER_10K,
    MIN_REPLACEMENT_SHARE,
    FaultSettings,
    KillResult,
    TerminateResult,
    kill_a_worker,
    terminate_the_server,
)
from reliability.fuzz import MIN_REQUESTS, FuzzResult, fuzz
from reliability.tamper import RefusalResult, check_refusals
from service_runner.process import ServiceProcess

FAST_CHECKS = ("fuzz", "bad-input", "auth", "tamper")
CHECKS = (*FAST_CHECKS, "faults")


class ReliabilityReport(BaseModel):
    """Every check's figures; a check that was not run is None."""

    fuzz: FuzzResult | None = None
    bad_input: list[BadInputResult] | None = None
    auth: list[AuthResult] | None = None
    tamper: list[RefusalResult] | None = None
    kill_worker: KillResult | None = None
    terminate_server: TerminateResult | None = None

    @property
    def failed_checks(self) -> list[str]:
        failed = [
            name
            for name in ("fuzz", "kill_worker", "terminate_server")
            if getattr(self, name) is not None and not getattr(self, name).passed
        ]
        failed += [
            name
            for name in ("bad_input", "auth", "tamper")
            if getattr(self, name) is not None
            and not all(result.passed for result in getattr(self, name))
        ]
        return failed  # fmt: skip


def with_api_key(
    report: ReliabilityReport,
    config: Path,
    model: Path,
    reports: Path,
    checks: set[str],
    max_examples: int,
) -> None:
    """Fuzzing, bad input and the API key, against one local service that wants a key: it
    holds two, the current and the next, as during a rotation; fuzzing and bad input send the
    current one."""
    configuration = load_configuration(config)
    key, next_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    header = configuration.authentication.header
    environment = {
        API_KEY_ENV_VAR: key,
        NEXT_API_KEY_ENV_VAR: next_key,
        MODEL_PATH_ENV_VAR: str(model),
    }
    with ServiceProcess(config, reports / "service.log", environment=environment) as service:
        if "auth" in checks:
            report.auth = check_api_key(
                service.url, header, [key, next_key], metrics_url=service.metrics_url
            )
        if "bad-input" in checks:
            sent = send_bad_requests(service.url, configuration.max_body_bytes, {header: key})
        if "fuzz" in checks:
            report.fuzz = fuzz(
                service.url, reports / "fuzz", max_examples, headers={header: key},
                metrics_url=service.metrics_url,
            )  # fmt: skip
    if "bad-input" in checks:
        report.bad_input = judge(sent, service.log_records())


def run_checks(
    checks: set[str], config: Path, model: Path, reports: Path, max_examples: int = 1_000
) -> ReliabilityReport:
    """Run the chosen checks against local services; the faults last, as they take longest."""
    report = ReliabilityReport()
    if checks & {"fuzz", "bad-input", "auth"}:
        with_api_key(report, config, model, reports, checks, max_examples)
    if "tamper" in checks:
        report.tamper = check_refusals(config, model.parent, reports / "tamper")
    if "faults" in checks:
        settings = FaultSettings(
            reports=reports / "faults", service_config=config, model_path=model
        )
        report.kill_worker = kill_a_worker(settings)
        report.terminate_server = terminate_the_server(settings)
    return report


def mark(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def fuzz_lines(result: FuzzResult) -> list[str]:
    statuses = ", ".join(
        f"{status}: {count}" for status, count in result.requests_by_status.items()
    )
    return [
        f"Fuzzing (schemathesis, every check): {mark(result.passed)}",
        f"  {result.test_cases} test cases; the service answered {result.requests} requests "
        f"(at least {MIN_REQUESTS} wanted)",
        f"  by status: {statuses}",
        f"  responses >= 500: {result.server_errors}; schema or status violations: "
        f"{len(result.failures)}",
        *(f"  {failure}" for failure in result.failures),
    ]


def bad_input_lines(results: list[BadInputResult]) -> list[str]:
    lines = [f"Bad input: {mark(all(result.passed for result in results))}"]
    for result in results:
        lines.append(
            f"  {mark(result.passed)}  {result.name}: {result.status} "
            f"(want {result.expected_status}), {result.prediction_records} prediction records; "
            f"{result.error[:90]}"
        )
    return lines


def auth_lines(results: list[AuthResult]) -> list[str]:
    lines = [f"API key: {mark(all(result.passed for result in results))}"]
    lines += [
        f"  {mark(result.passed)}  {result.request}: {result.status} "
        f"(want {result.expected_status})"
        for result in results
    ]
    return lines


def tamper_lines(results: list[RefusalResult]) -> list[str]:
    lines = [f"Unsafe artifacts: {mark(all(result.passed for result in results))}"]
    for result in results:
        lines += [
            f"  {mark(result.passed)}  an artifact that {result.artifact}: startup probe "
            f"{result.probe_failures}/{result.probe_answers} answers 503 'failed'; "
            f"a prediction: {result.prediction_status}",
            f"      reason: {result.detail[:150]}",
        ]
    return lines


def kill_lines(result: KillResult) -> list[str]:
    pairing = result.pairing
    replaced = f"{result.replacement_s:.1f} s" if result.replacement_s is not None else "never"
    return [
        f"SIGKILL one of two workers under load: {mark(result.passed)}",
        f"  {result.requests} requests, {result.failures} failed: "
        f"{result.errors_per_10k:.1f} per 10,000 (at most {MAX_ERRORS_PER_10K})",
        f"  failures: {result.failures_by_error or 'none'}",
        f"  a new worker ran after {replaced}",
        f"  throughput: {result.rps_before:.0f} req/s before, {result.rps_lowest:.0f} at the "
        f"lowest, {result.rps_after:.0f} at the end ({result.rps_after / result.rps_before:.0%})"
        if result.rps_before
        else "  throughput: no rate before the kill",
        f"  the new worker's share of the CPU at the end: {result.replacement_share:.0%} "
        f"(an even split is 50%, at least {MIN_REPLACEMENT_SHARE:.0%} wanted)",
        f"  log records lost with the killed worker: {pairing.succeeded_without_record} of "
        f"{pairing.succeeded} answered predictions",
    ]


def terminate_lines(result: TerminateResult) -> list[str]:
    pairing = result.pairing
    return [
        f"SIGTERM the server under load: {mark(result.passed)}",
        f"  SIGTERM after {result.served_before_signal} predictions; the server exited with "
        f"{result.exit_code} after {result.shutdown_s:.1f} s",
        f"  failures after the signal: {pairing.failures_by_error or 'none'}",
        f"  in flight and dropped: {pairing.requested_not_created}",
        f"Log completeness: {mark(result.log_complete)}",
        f"  {pairing.succeeded} successful predictions (at least {result.min_logged_predictions:,} "
        f"wanted), {pairing.requested_records} 'Prediction requested' and "
        f"{pairing.created_records} 'Prediction created' records",
        f"  paired by prediction id: {pairing.succeeded_without_record} 200s without records, "
        f"{pairing.records_without_success} records without a 200, "
        f"{pairing.duplicate_records} duplicates",
    ]


def report_lines(report: ReliabilityReport) -> list[str]:
    """Every figure of the checks that ran."""
    sections = [
        (report.fuzz, fuzz_lines),
        (report.bad_input, bad_input_lines),
        (report.auth, auth_lines),
        (report.tamper, tamper_lines),
        (report.kill_worker, kill_lines),
        (report.terminate_server, terminate_lines),
    ]
    lines = []
    for result, describe in sections:
        if result is not None:
            lines += [*describe(result), ""]
    failed = report.failed_checks
    return [*lines, f"Reliability: {'FAILED: ' + ', '.join(failed) if failed else 'passed'}"]


def count_passed(results: list) -> str:
    return f"{sum(result.passed for result in results)} of {len(results)}"


def fuzz_row(result: FuzzResult) -> dict[str, str]:
    return {
        "check": "fuzzing",
        "what was sent": f"{result.test_cases:,} generated test cases, "
        f"{result.requests:,} requests",
        "what the service did": f"{result.server_errors:,} answers of 500 or more, "
        f"{len(result.failures):,} answers outside the schema",
        "verdict": mark(result.passed),
    }


def bad_input_row(results: list[BadInputResult]) -> dict[str, str]:
    records = sum(result.prediction_records for result in results)
    return {
        "check": "bad input",
        "what was sent": f"{len(results)} malformed requests",
        "what the service did": f"{count_passed(results)} refused with the right status and a "
        f"reason; {records:,} prediction records",
        "verdict": mark(all(result.passed for result in results)),
    }


def auth_row(results: list[AuthResult]) -> dict[str, str]:
    return {
        "check": "API key",
        "what was sent": f"{len(results)} predictions: no key, a wrong key, each valid key",
        "what the service did": f"{count_passed(results)} got the status they should",
        "verdict": mark(all(result.passed for result in results)),
    }


def tamper_row(results: list[RefusalResult]) -> dict[str, str]:
    return {
        "check": "unsafe artifacts",
        "what was sent": f"{len(results)} tampered model files",
        "what the service did": f"{count_passed(results)} refused; the startup probe kept failing",
        "verdict": mark(all(result.passed for result in results)),
    }


def kill_row(result: KillResult) -> dict[str, str]:
    replaced = f"{result.replacement_s:.1f} s" if result.replacement_s is not None else "never"
    return {
        "check": "a worker killed",
        "what was sent": f"SIGKILL to one of two workers during {result.requests:,} requests",
        "what the service did": f"{result.errors_per_10k:.1f} errors per 10,000 (budget "
        f"{MAX_ERRORS_PER_10K}); a new worker after {replaced}; "
        f"{result.pairing.succeeded_without_record:,} log records lost",
        "verdict": mark(result.passed),
    }


def terminate_row(result: TerminateResult) -> dict[str, str]:
    pairing = result.pairing
    return {
        "check": "the server stopped",
        "what was sent": f"SIGTERM under load, after {result.served_before_signal:,} predictions",
        "what the service did": f"exited after {result.shutdown_s:.1f} s; "
        f"{pairing.succeeded_without_record:,} of {pairing.succeeded:,} answered predictions "
        "without their records",
        "verdict": mark(result.passed),
    }


def summary_rows(report: ReliabilityReport) -> list[dict[str, str]]:
    """One row a check that ran: what it sent, what the service did, and its verdict."""
    rows = [
        (report.fuzz, fuzz_row),
        (report.bad_input, bad_input_row),
        (report.auth, auth_row),
        (report.tamper, tamper_row),
        (report.kill_worker, kill_row),
        (report.terminate_server, terminate_row),
    ]
    return [describe(result) for result, describe in rows if result is not None]
