"""The locustfile's roles in a distributed run: the users' data where users run, the gate once,
where the statistics meet. Locust is imported in a child process, since it patches the process
with gevent; there the locustfile prepares one Environment per kind of runner."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from load_test.request_log import WORKER_INFIX

PREPARE_EACH_ROLE = """
import json, sys
from pathlib import Path
from locust.argument_parser import get_parser
from locust.env import Environment
from locust.event import Events
from locust.runners import LocalRunner, MasterRunner, WorkerRunner
from load_test.locustfile import InsuranceChargesUser, prepare

def prepare_as(runner_class, reports):
    options = get_parser().parse_args([
        "--headless", "--run-time", "5", "--summary", str(reports / "summary.json"),
        "--request-log", str(reports / "requests.csv"),
    ])
    if runner_class is WorkerRunner:
        options.run_time = None  # as Locust leaves it in the workers it forks
    InsuranceChargesUser.bodies, InsuranceChargesUser.request_log = [], None
    environment = Environment(
        user_classes=[InsuranceChargesUser], events=Events(), parsed_options=options
    )
    environment.runner = runner_class.__new__(runner_class)  # its kind is its role; not started
    environment.runner.exceptions = {}
    prepare(environment)
    environment.events.quitting.fire(environment=environment)
    log = InsuranceChargesUser.request_log
    return {
        "bodies": len(InsuranceChargesUser.bodies),
        "gates": len(environment.events.quitting._handlers),
        "request_log": log.path.name if log else None,
    }

roles = {"alone": LocalRunner, "master": MasterRunner, "worker": WorkerRunner}
reports = Path(sys.argv[1])
print(json.dumps({role: prepare_as(kind, reports / role) for role, kind in roles.items()}))
"""
ROLES = ("alone", "master", "worker")
STALE = ("requests.csv", f"requests{WORKER_INFIX}1.csv")  # an earlier run's, in master/


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, insurance_csv: Path) -> dict:
    """What the locustfile prepared in each role, and the reports folder of each."""
    reports = tmp_path_factory.mktemp("roles")
    for role in ROLES:
        (reports / role).mkdir()
    for name in STALE:
        (reports / "master" / name).write_text("request_id,status,error\n")
    done = subprocess.run(
        [sys.executable, "-c", PREPARE_EACH_ROLE, str(reports)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"reports": reports, **json.loads(done.stdout.splitlines()[-1])}


@pytest.mark.parametrize(
    ("role", "sends", "judges"),
    [("alone", True, True), ("master", False, True), ("worker", True, False)],
)
def test_each_role_prepares_what_it_does(
    prepared: dict, role: str, sends: bool, judges: bool
) -> None:
    assert (prepared[role]["bodies"] == 1338) is sends
    assert prepared[role]["gates"] == (1 if judges else 0)  # the gate runs once, not per worker
    assert (prepared["reports"] / role / "summary.json").exists() is judges


def test_a_worker_writes_its_own_share_of_the_request_log(prepared: dict) -> None:
    assert prepared["alone"]["request_log"] == "requests.csv"
    share = prepared["worker"]["request_log"]
    assert share.startswith(f"requests{WORKER_INFIX}")
    assert share.endswith(".csv")


def test_the_master_clears_an_earlier_run_s_request_logs(prepared: dict) -> None:
    assert [(prepared["reports"] / "master" / name).exists() for name in STALE] == [False, False]
