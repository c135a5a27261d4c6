"""Locust load test of the insurance-charges service, gated by the SLOs in configuration/slo.yaml.

    locust -f service/harness/load_test/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --users 32 --spawn-rate 8 --run-time 60s --shape stages --summary summary.json

`make load-test` runs it for you (``python -m load_test.run``). At test stop the gate holds the
measurements against the SLOs, writes the summary JSON, names every breached SLO, and makes
Locust exit with 1 when any SLO failed.

It runs alone or distributed (``--processes N``, or ``--master`` and ``--worker``). Each process
plays a role: the users run where requests are sent (alone, or on each worker), and the shape and
the gate run where the statistics meet (alone, or on the master), once per test.
"""

import logging
import os
import random
from pathlib import Path
from typing import ClassVar

from locust import FastHttpUser, LoadTestShape, constant, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from load_test.customers import customer_bodies
from load_test.gate import Gate
from load_test.populations import TRAINING
from load_test.request_log import RequestLog, remove_request_logs, worker_log_path
from load_test.shapes import SHAPES, users_at
from model_service.configuration import API_KEY_ENV_VAR, AuthenticationConfiguration
from model_service.guards import JSON_MEDIA_TYPE
from model_service.routes import PREDICTION_ROUTE
from service_levels.objectives import SLO_FILE, load_objectives, with_overrides

JSON_HEADERS = {"Content-Type": JSON_MEDIA_TYPE}
API_KEY_HEADER = AuthenticationConfiguration().header
logger = logging.getLogger(__name__)


class InsuranceChargesUser(FastHttpUser):
    """A client asking for quotes as fast as it gets answers: no think time."""

    wait_time = constant(0)
    bodies: ClassVar[list[bytes]] = []  # filled once per process by ``prepare``
    headers: ClassVar[dict[str, str]] = JSON_HEADERS  # with the API key when one is set
    request_log: ClassVar[RequestLog | None] = None  # set by ``--request-log``

    @task
    def predict(self) -> None:
        body = random.choice(self.bodies)
        headers, request_id = self.headers, ""
        if self.request_log is not None:
            request_id = self.request_log.new_id()
            headers = {**headers, "X-Request-ID": request_id}
        with self.client.post(
            PREDICTION_ROUTE,
            data=body,
            headers=headers,
            name=PREDICTION_ROUTE,
            catch_response=True,
        ) as response:
            if response.status_code == 200 and b'"charges"' not in response.content:
                response.failure(f"200 without charges: {response.text[:200]}")
        if self.request_log is not None:
            self.request_log.add(
                request_id, response.status_code, response.request_meta["exception"]
            )


class ConfiguredShape(LoadTestShape):
    """The shape chosen by ``--shape``, scaled to ``--users`` and ``--run-time``."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options
        progress = self.get_run_time() / options.run_time
        if progress >= 1:
            return None
        return users_at(options.shape, progress, options.num_users), options.spawn_rate


def request_headers(api_key: str | None) -> dict[str, str]:
    """JSON, and the API key when the service wants one (``SERVICE_API_KEY``)."""
    return {**JSON_HEADERS, API_KEY_HEADER: api_key} if api_key else JSON_HEADERS


@events.init_command_line_parser.add_listener
def add_arguments(parser) -> None:
    parser.add_argument("--shape", choices=sorted(SHAPES), default="constant", help="load shape")
    parser.add_argument("--slo-file", default=str(SLO_FILE), help="the SLOs")
    parser.add_argument(
        "--slo", action="append", default=[], help="override an SLO: NAME=VALUE, repeatable"
    )
    parser.add_argument("--summary", default="", help="where to write the summary JSON")
    parser.add_argument("--data", default="", help="customers CSV; default: the training data")
    parser.add_argument(
        "--population", default=TRAINING, help="who the users are (configuration/populations.yaml)"
    )
    parser.add_argument(
        "--request-log", default="", help="write each request's id and outcome to this CSV"
    )


def sends_requests(environment: Environment) -> bool:
    """Whether users run in this process: alone or a worker, not a master."""
    return not isinstance(environment.runner, MasterRunner)


def judges(environment: Environment) -> bool:
    """Whether the statistics meet in this process: alone or the master, not a worker."""
    return not isinstance(environment.runner, WorkerRunner)


def install_request_log(environment: Environment, path: Path) -> None:
    """Each request's id and outcome, written when Locust quits; a worker writes its own share."""
    request_log = RequestLog(path if judges(environment) else worker_log_path(path))
    InsuranceChargesUser.request_log = request_log
    environment.events.quit.add_listener(lambda **_: request_log.write())


def prepare_users(environment: Environment) -> None:
    """The customers, the API key and the request log, where the users run."""
    options = environment.parsed_options
    InsuranceChargesUser.bodies = customer_bodies(
        Path(options.data) if options.data else None, options.population
    )
    InsuranceChargesUser.headers = request_headers(os.environ.get(API_KEY_ENV_VAR))
    if options.request_log:
        install_request_log(environment, Path(options.request_log))


def prepare_gate(environment: Environment) -> None:
    """The SLOs and the gate, once per test, where the statistics meet."""
    options = environment.parsed_options
    if not options.run_time:
        raise SystemExit("error: set --run-time: the load shapes are scaled to it")
    if options.request_log:
        remove_request_logs(Path(options.request_log))  # an earlier run's, before any is written
    objectives = with_overrides(load_objectives(options.slo_file), options.slo)
    Gate(objectives, Path(options.summary) if options.summary else None).install(environment)


@events.init.add_listener
def prepare(environment: Environment, **_) -> None:
    """Before any user starts: the users' data where they run, the gate where statistics meet."""
    if environment.parsed_options is None:  # run as a library, without a command line
        return
    if judges(environment):
        prepare_gate(environment)
    if sends_requests(environment):
        prepare_users(environment)
