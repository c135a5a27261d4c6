"""The load test's defaults: one home, read by LoadTest, the command line and the Makefile."""

import itertools
import subprocess
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR, PROJECT_ROOT
from load_test.defaults import DEFAULTS, describe, main
from load_test.run import LoadTest, parse_arguments
from service_levels.objectives import SLO_FILE

# The defaults make load-test used to pass itself, before it passed only what the user set.
MAKE_LOAD_TEST = {
    "users": 32,
    "spawn_rate": 8,
    "duration": "60s",
    "shape": "constant",
    "workers": 2,
}
OPTIONS = ("--users", "--spawn-rate", "--duration", "--shape", "--workers", "--population",
           "--processes", "--web-port", "--reports", "--slo-file")  # fmt: skip


def test_the_defaults_are_the_ones_make_load_test_ran_with() -> None:
    assert asdict(DEFAULTS).items() >= MAKE_LOAD_TEST.items()
    assert DEFAULTS.service_config == CONFIGURATION_DIR / "local.yaml"
    assert DEFAULTS.slo_file == SLO_FILE


def test_load_test_and_the_command_line_default_to_them() -> None:
    test, arguments = LoadTest(reports=Path()), parse_arguments([])
    for field in fields(DEFAULTS):
        default = getattr(DEFAULTS, field.name)
        if field.name != "reports":  # LoadTest needs one
            assert getattr(test, field.name) == default, field.name
        argument = {"service_config": "config"}.get(field.name, field.name)
        assert getattr(arguments, argument) == default, field.name


def test_describe_lists_every_default_or_prints_one() -> None:
    assert describe(["workers"]) == "2"
    lines = describe([]).splitlines()
    assert lines[0] == "users=32"
    assert len(lines) == len(fields(DEFAULTS))


def test_an_unknown_default_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spawn-rate"]) == 0
    assert capsys.readouterr().out == "8\n"
    assert main(["user"]) == 2
    assert "error: no default user; there are users, spawn_rate" in capsys.readouterr().err


def make_dry_run(target: str, *variables: str) -> str:
    """What ``make -n TARGET`` runs with an installed venv and a trained model, on one line."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target, *variables, "--assume-old=.venv/.installed",
         "--assume-old=models/insurance_charges_model.skops"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.replace("\\\n", " ").split())


def test_make_load_test_passes_only_what_is_set_so_the_defaults_apply() -> None:
    command = make_dry_run("load-test")
    assert not [option for option in OPTIONS if option in command.split()]
    chosen = make_dry_run("load-test", "USERS=5", "WORKERS=3", "UI=1", "LOCUST_PORT=9000").split()
    pairs = dict(itertools.pairwise(chosen))
    assert (pairs["--users"], pairs["--workers"], pairs["--web-port"]) == ("5", "3", "9000")


def test_make_serve_runs_the_default_workers_unless_told() -> None:
    assert "$(.venv/bin/python -m load_test.defaults workers)" in make_dry_run("serve")
    assert "workers=4;" in make_dry_run("serve", "WORKERS=4")
