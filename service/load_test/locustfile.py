"""Locust load test of the insurance-charges service, gated by the SLOs in configuration/slo.yaml.

    locust -f service/load_test/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --users 32 --spawn-rate 8 --run-time 60s --shape stages --summary summary.json

`make load-test` runs it for you (``python -m load_test.run``). At test stop the gate holds the
measurements against the SLOs, writes the summary JSON, names every breached SLO, and makes
Locust exit with 1 when any SLO failed.
"""

import logging
import random
from pathlib import Path
from typing import ClassVar

from locust import FastHttpUser, LoadTestShape, constant, events, task
from locust.env import Environment

from insurance_charges_model.paths import PROJECT_ROOT
from load_test.customers import customer_bodies
from load_test.gate import Gate
from load_test.shapes import SHAPES, users_at
from load_test.slo import load_objectives, with_overrides

SLO_FILE = PROJECT_ROOT / "configuration" / "slo.yaml"
PREDICTION_ROUTE = "/api/models/insurance_charges_model/prediction"
JSON_HEADERS = {"Content-Type": "application/json"}
logger = logging.getLogger(__name__)


class InsuranceChargesUser(FastHttpUser):
    """A client asking for quotes as fast as it gets answers: no think time."""

    wait_time = constant(0)
    bodies: ClassVar[list[bytes]] = []  # filled once per process by ``prepare``

    @task
    def predict(self) -> None:
        body = random.choice(self.bodies)
        with self.client.post(
            PREDICTION_ROUTE,
            data=body,
            headers=JSON_HEADERS,
            name=PREDICTION_ROUTE,
            catch_response=True,
        ) as response:
            if response.status_code == 200 and b'"charges"' not in response.content:
                response.failure(f"200 without charges: {response.text[:200]}")


class ConfiguredShape(LoadTestShape):
    """The shape chosen by ``--shape``, scaled to ``--users`` and ``--run-time``."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options
        progress = self.get_run_time() / options.run_time
        if progress >= 1:
            return None
        return users_at(options.shape, progress, options.num_users), options.spawn_rate


@events.init_command_line_parser.add_listener
def add_arguments(parser) -> None:
    parser.add_argument("--shape", choices=sorted(SHAPES), default="constant", help="load shape")
    parser.add_argument("--slo-file", default=str(SLO_FILE), help="the SLOs")
    parser.add_argument(
        "--slo", action="append", default=[], help="override an SLO: NAME=VALUE, repeatable"
    )
    parser.add_argument("--summary", default="", help="where to write the summary JSON")
    parser.add_argument("--data", default="", help="customers CSV; default: the training data")


@events.init.add_listener
def prepare(environment: Environment, **_) -> None:
    """Load the customers and the SLOs once, before any user starts; install the gate."""
    options = environment.parsed_options
    if options is None:  # run as a library, without a command line
        return
    if not options.run_time:
        raise SystemExit("error: set --run-time: the load shapes are scaled to it")
    InsuranceChargesUser.bodies = customer_bodies(Path(options.data) if options.data else None)
    objectives = with_overrides(load_objectives(options.slo_file), options.slo)
    Gate(objectives, Path(options.summary) if options.summary else None).install(environment)
