"""Check the deployed minikube-monitoring overlay; exit 1 when a check fails.

    python -m cluster_check --context minikube           # make cluster-check
    python -m cluster_check --context minikube --status  # make cluster-status

In order: Prometheus rolled out; a prediction through the Service; Prometheus's targets up; the
training customers sent through the Service; the ``slo:`` series recorded; a drift Job from the
CronJob completed.
``--status`` only prints the namespace's pods, Jobs and events, for a look after a failure.
"""

import argparse
import sys
from collections.abc import Callable
from functools import partial

import httpx

from cluster_check.drift_job import DRIFT_CRONJOB, DRIFT_TIMEOUT_S, drift_job_completes
from cluster_check.forwarding import forwarded
from cluster_check.outcomes import Outcome, attempt, reported
from cluster_check.predictions import batches, customers, load, prediction, send
from cluster_check.prometheus_checks import (
    PROMETHEUS,
    PROMETHEUS_PORT,
    SLO_TIMEOUT_S,
    TARGETS_TIMEOUT_S,
    rolled_out,
    scrape_job,
    slo_series_recorded,
    targets_up,
)
from kubernetes_deployment.manifests import (
    NAMESPACE,
    SERVICE_NAME,
    SERVICE_PORT,
    KubectlError,
    context_arguments,
    kubectl,
    positive_seconds,
)

PROG = "python -m cluster_check"
TRICKLE = 20  # predictions sent before each look for the slo: series
HTTP_TIMEOUT_S = 10.0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--context", default=None, help="kubectl context; default: the current")
    parser.add_argument(
        "--status", action="store_true", help="print the namespace's pods, Jobs and events only"
    )
    for option, default, what in [
        ("--targets-timeout", TARGETS_TIMEOUT_S, "for every Prometheus target to be up"),
        ("--slo-timeout", SLO_TIMEOUT_S, "for the slo: series after the load"),
        ("--drift-timeout", DRIFT_TIMEOUT_S, "for the drift Job to end"),
    ]:
        parser.add_argument(option, type=positive_seconds, default=default, help=f"seconds {what}")
    return parser.parse_args(argv)


def client(url: str, transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S, transport=transport)


def http_checks(
    service: httpx.Client, prometheus: httpx.Client, arguments: argparse.Namespace
) -> dict[str, Callable[[], Outcome]]:
    """The checks through the forwarded Services, by the name each is reported under."""
    job, bodies = scrape_job(), customers()
    trickle = batches(bodies, TRICKLE)
    return {
        f"prediction through service/{SERVICE_NAME}": lambda: prediction(service),
        f"Prometheus targets of the job {job} up": lambda: targets_up(
            prometheus, job, arguments.targets_timeout
        ),
        "the training customers through the Service": lambda: load(service, bodies),
        "slo: recording rules' series": lambda: slo_series_recorded(
            prometheus, lambda: send(service, next(trickle)), arguments.slo_timeout
        ),
    }


def run_checks(
    arguments: argparse.Namespace, transport: httpx.BaseTransport | None = None
) -> list[Outcome]:
    """Every check, each reported as it ends; ``transport`` stands in for the network in tests."""
    context = arguments.context
    outcomes = [attempt(f"deployment/{PROMETHEUS} rolled out", partial(rolled_out, context))]
    try:
        with (
            forwarded(SERVICE_NAME, SERVICE_PORT, context) as service_url,
            forwarded(PROMETHEUS, PROMETHEUS_PORT, context) as prometheus_url,
            client(service_url, transport) as service,
            client(prometheus_url, transport) as prometheus,
        ):
            checks = http_checks(service, prometheus, arguments)
            outcomes += [attempt(name, check) for name, check in checks.items()]
    except KubectlError as error:
        outcomes.append(reported("port-forward", Outcome(False, str(error))))
    drift = partial(drift_job_completes, context, arguments.drift_timeout)
    outcomes.append(attempt(f"a Job from cronjob/{DRIFT_CRONJOB}", drift))
    return outcomes


def status(context: str | None) -> str:
    """The namespace's pods, Jobs and CronJobs, and its events, oldest first."""
    where = ["--namespace", NAMESPACE, *context_arguments(context)]
    return kubectl("get", "pods,jobs,cronjobs", "--output", "wide", *where) + kubectl(
        "get", "events", "--sort-by=.lastTimestamp", *where
    )


def run(arguments: argparse.Namespace, transport: httpx.BaseTransport | None = None) -> int:
    if arguments.status:
        print(status(arguments.context))
        return 0
    outcomes = run_checks(arguments, transport)
    failed = sum(not outcome.passed for outcome in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} checks passed")
    return 1 if failed else 0


def main(argv: list[str] | None = None, transport: httpx.BaseTransport | None = None) -> int:
    try:
        return run(parse_arguments(argv), transport)
    except KubectlError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
