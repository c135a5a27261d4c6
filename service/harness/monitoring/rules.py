"""The SLOs of ``configuration/slo.yaml`` as Prometheus rules, and promtool's tests of them.

    python -m monitoring.rules          # write configuration/prometheus/rules.yml, rules_test.yml
    python -m monitoring.rules --check  # exit 1, naming each file that is not what it would write

Two sets are written: the production rules (``rules.yml``), and the same rules with every window
and wait divided by 60 (``demonstration/rules.yml``), so that notebook 06 can show an alert fire
and reach Alertmanager in seconds. Every file is generated (``make rules``) and committed;
``make test`` checks that they are up to date, and runs ``promtool check rules`` and
``promtool test rules`` on both sets.
"""

import argparse
import sys
from pathlib import Path

from common.paths import CONFIGURATION_DIR, PROJECT_ROOT
from common.yaml_files import ConfigurationError
from monitoring import rule_tests
from monitoring.availability import AVAILABILITY_ALERTS, availability_rules
from monitoring.burn_rates import (
    DEMONSTRATION,
    PREDICTIONS,
    PRODUCTION,
    REQUEST_DURATION,
    REQUESTS,
    BurnRateAlert,
    RulesError,
    Sli,
    Timescale,
    annotations,
    burn_rate_alerts,
    percent,
    period_in_words,
    slis,
    windows,
)
from monitoring.rule_files import AlertingRule, RecordingRule, RuleFile, RuleGroup, to_yaml
from service_levels.objectives import SLO_FILE, ServiceLevelObjectives, load_objectives

RULES_DIR = CONFIGURATION_DIR / "prometheus"
RULES_NAME, TESTS_NAME = "rules.yml", "rules_test.yml"
DEMONSTRATION_DIR = "demonstration"  # under RULES_DIR: the rules at the DEMONSTRATION timescale
DEMONSTRATION_RULES = f"{DEMONSTRATION_DIR}/{RULES_NAME}"
DEMONSTRATION_TESTS = f"{DEMONSTRATION_DIR}/{TESTS_NAME}"
FILE_NAMES = {  # by timescale: its rules, its tests, named from RULES_DIR
    PRODUCTION: (RULES_NAME, TESTS_NAME),
    DEMONSTRATION: (DEMONSTRATION_RULES, DEMONSTRATION_TESTS),
}
COMMAND = "make rules"
PROG = "python -m monitoring.rules"
GROUP_PREFIX = "insurance-charges-model"


def recording_rules(sli: Sli, timescale: Timescale) -> list[RecordingRule]:
    """The SLI's bad share over every window the alerts read."""
    return [
        RecordingRule(record=sli.record(window), expr=sli.ratio(window))
        for window in windows(burn_rate_alerts(timescale))
    ]


def alerting_rule(sli: Sli, row: BurnRateAlert) -> AlertingRule:
    threshold = f"({row.burn_rate:g} * {sli.budget:g})"
    return AlertingRule(
        alert=sli.alert(row),
        expr=(
            f"{sli.record(row.long_window)} > {threshold}\n"
            f"and\n{sli.record(row.short_window)} > {threshold}"
        ),
        for_=row.for_,
        labels={"severity": row.severity, "sli": sli.name},
        annotations=annotations(sli, row),
    )


def slo_group(sli: Sli, timescale: Timescale) -> RuleGroup:
    """An SLI's recordings, then its alerts: in one group, an alert reads this evaluation's."""
    return RuleGroup(
        name=f"{GROUP_PREFIX}-slo-{sli.name}",
        rules=[
            *recording_rules(sli, timescale),
            *(alerting_rule(sli, row) for row in sli.alerts(timescale)),
        ],
    )


def availability_group(timescale: Timescale) -> RuleGroup:
    """The alerts for a service that answers no scrape: the SLIs have nothing to count then."""
    return RuleGroup(name=f"{GROUP_PREFIX}-availability", rules=availability_rules(timescale))


def quantile(level: float) -> RecordingRule:
    return RecordingRule(
        record=f"route:{REQUEST_DURATION}:p{level * 100:g}_5m",
        expr=(
            f"histogram_quantile({level:g}, "
            f"sum by (route, le) (rate({REQUEST_DURATION}_bucket[5m])))"
        ),
    )


def dashboard_group() -> RuleGroup:
    """For charts: requests by route and status, latency quantiles, predictions by status."""
    return RuleGroup(
        name=f"{GROUP_PREFIX}-dashboard",
        rules=[
            RecordingRule(
                record="route_status:http_requests:rate5m",
                expr=f"sum by (route, status) (rate({REQUESTS}[5m]))",
            ),
            quantile(0.5),
            quantile(0.99),
            RecordingRule(
                record="model_status:predictions:rate5m",
                expr=f"sum by (model, status) (rate({PREDICTIONS}[5m]))",
            ),
        ],
    )


def rule_file(indicators: list[Sli], timescale: Timescale = PRODUCTION) -> RuleFile:
    """The SLO groups and the availability group; production adds the dashboard's recordings."""
    groups = [*(slo_group(sli, timescale) for sli in indicators), availability_group(timescale)]
    return RuleFile(groups=[*groups, *([dashboard_group()] if timescale == PRODUCTION else [])])


def shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def provenance(slo_file: Path, schema: str) -> str:
    return (
        f"Generated from {shown(slo_file)} by `{COMMAND}` ({PROG}):\n"
        "edit the SLOs there, not this file; `make test` checks that it is up to date.\n"
        f"Schema: {schema}.\n"
    )


def table_row(row: BurnRateAlert) -> str:
    return (
        f"  {row.severity:<6}  burn rate >= {row.burn_rate:<4g} over {row.long_window:>2} and "
        f"{row.short_window:>3}, for {row.for_:>3}: {percent(row.budget_spent())} of the budget"
    )


def out_of_reach(indicators: list[Sli], rows: tuple[BurnRateAlert, ...]) -> list[str]:
    return [
        f"{sli.name} has no {row.burn_rate:g}x alert: its budget of {percent(sli.budget)} "
        f"cannot burn that fast (over 100 % bad).\n"
        for sli in indicators
        for row in rows
        if not sli.can_burn(row)
    ]


def timescale_note(timescale: Timescale) -> str:
    if timescale == PRODUCTION:
        return ""
    return (
        "\nFOR A DEMONSTRATION ONLY: every window and wait of the production rules\n"
        f"({RULES_NAME}) divided by {timescale.divisor}, a minute becoming a second, so that an "
        "alert fires\nin seconds.\n"
    )


def availability_rows(timescale: Timescale) -> list[str]:
    return [
        f"  {row.severity:<6}  {row.alert}: {row.expr}, for {timescale.duration(row.for_)}\n"
        for row in AVAILABILITY_ALERTS
    ]


def rules_header(
    slo_file: Path, objectives: ServiceLevelObjectives, indicators: list[Sli], timescale: Timescale
) -> str:
    budgets = [f"  {sli.name}: {sli.bad}; budget {percent(sli.budget)}\n" for sli in indicators]
    rows = burn_rate_alerts(timescale)
    return "".join([
        provenance(slo_file, "Prometheus's rule file (monitoring.rule_files.RuleFile)"),
        timescale_note(timescale),
        "\nThe SLIs of the prediction route, each the share of bad requests, against the share\n"
        "its SLO allows (the error budget); a 4xx is the client's error, not the service's:\n",
        *budgets,
        f"min_rps ({objectives.min_rps:g} req/s) is a load-test target, not something to page on:\n"
        "production traffic follows demand. Nothing is generated for it.\n",
        f"\nslo:<sli>:ratio_rate<window> records each SLI over {', '.join(windows(rows))}.\n"
        "The alerts are the SRE workbook's multi-window, multi-burn-rate alerts, for a "
        f"{period_in_words(rows[0].budget_period)}\n"
        "budget (a burn rate of 1 spends it in exactly that time):\n",
        *(table_row(row) + "\n" for row in rows),
        *out_of_reach(indicators, rows),
        "With no target up, the SLIs have nothing to count; these alerts read `up` instead:\n",
        *availability_rows(timescale),
        f"Prometheus must keep more than {rows[-1].long_window} of samples for the "
        f"{rows[-1].long_window} windows.",
    ])  # fmt: skip


def tests_header(slo_file: Path, timescale: Timescale) -> str:
    rules_name, tests_name = FILE_NAMES[timescale]
    evaluation = rule_tests.duration(rule_tests.EVALUATION, timescale)
    return (
        provenance(slo_file, "promtool's rule test file (monitoring.rule_files.RuleTestFile)")
        + f"\npromtool's unit tests of {rules_name}, their series and times computed from the\n"
        + f"SLOs, the rules evaluated every {evaluation}:\n"
        + f"  promtool test rules {shown(RULES_DIR / tests_name)}"
    )


def generated_set(
    slo_file: Path, objectives: ServiceLevelObjectives, timescale: Timescale
) -> dict[str, str]:
    """The rules and their tests at ``timescale``, by file name under RULES_DIR."""
    indicators = slis(objectives)
    rules_name, tests_name = FILE_NAMES[timescale]
    rules = rule_file(indicators, timescale)
    tests = rule_tests.rule_test_file(indicators, RULES_NAME, timescale)
    unknown = tests.unknown_names(rules)
    if unknown:
        raise RulesError(f"the tests check alerts that {rules_name} does not define: {unknown}")
    return {
        rules_name: to_yaml(rules, rules_header(slo_file, objectives, indicators, timescale)),
        tests_name: to_yaml(tests, tests_header(slo_file, timescale)),
    }


def generated(slo_file: Path) -> dict[str, str]:
    """The text of each file, by name; RulesError or ConfigurationError say what stops it."""
    objectives = load_objectives(slo_file)
    files: dict[str, str] = {}
    for timescale in FILE_NAMES:
        files |= generated_set(slo_file, objectives, timescale)
    return files


def stale(files: dict[str, str], directory: Path) -> list[Path]:
    """The files in ``directory`` that are missing or differ from ``files``."""
    return [
        directory / name
        for name, text in files.items()
        if not (directory / name).is_file() or (directory / name).read_text() != text
    ]


def write(files: dict[str, str], directory: Path) -> list[Path]:
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return [directory / name for name in files]


def rule_text(name: str, path: Path = RULES_DIR / RULES_NAME) -> str:
    """The lines of the committed rule ``name`` (a record or an alert), as the file has them."""
    lines = path.read_text().splitlines()
    starts = [
        i for i, line in enumerate(lines) if line.lstrip().startswith(("- record:", "- alert:"))
    ]
    ends = [i for i, line in enumerate(lines) if line.lstrip().startswith("- ")]
    for start in starts:
        if lines[start].split(":", 1)[-1].strip() == name:
            end = next((i for i in ends if i > start), len(lines))
            return "\n".join(lines[start:end]).rstrip()
    raise RulesError(f"{path} has no rule {name}: run `{COMMAND}`?")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--slo-file", type=Path, default=SLO_FILE, help="the SLOs")
    parser.add_argument("--output", type=Path, default=RULES_DIR, help="where the files go")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        files = generated(arguments.slo_file)
    except (ConfigurationError, RulesError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not arguments.check:
        for path in write(files, arguments.output):
            print(f"wrote {shown(path)}")
        return 0
    out_of_date = stale(files, arguments.output)
    for path in out_of_date:
        print(f"error: {shown(path)} is out of date: run `{COMMAND}`", file=sys.stderr)
    return 1 if out_of_date else 0


if __name__ == "__main__":
    sys.exit(main())
