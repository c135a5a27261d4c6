"""``make reliability``: run the checks against local services, print every figure.

    python -m reliability --checks fuzz,bad-input,auth,tamper,faults

Writes ``summary.json`` and each check's files under ``--reports``; exits 1 when a check fails.
"""

import argparse
import sys
from pathlib import Path

from common.yaml_files import ConfigurationError
from insurance_charges_model.model import default_artifact_path
from load_test.defaults import DEFAULTS
from reliability.checks import CHECKS, report_lines, run_checks
from service_runner.process import ServiceError

SUMMARY_NAME = "summary.json"


def check_names(text: str) -> set[str]:
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(CHECKS)
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown checks {sorted(unknown)}; choose from {', '.join(CHECKS)}"
        )
    return names


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=check_names, default=set(CHECKS), help=",".join(CHECKS))
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument("--model", type=Path, default=default_artifact_path())
    parser.add_argument("--reports", type=Path, default=Path("reports/reliability"))
    parser.add_argument("--max-examples", type=int, default=1_000, help="schemathesis cases")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    arguments.reports.mkdir(parents=True, exist_ok=True)
    try:
        report = run_checks(
            arguments.checks, arguments.config, arguments.model.resolve(), arguments.reports,
            arguments.max_examples,
        )  # fmt: skip
    except (ServiceError, ConfigurationError, RuntimeError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    (arguments.reports / SUMMARY_NAME).write_text(report.model_dump_json(indent=2))
    print("\n".join(report_lines(report)))
    return 1 if report.failed_checks else 0


if __name__ == "__main__":
    sys.exit(main())
