"""The promtool scenarios are computed from the SLOs: each keeps its meaning when an SLO changes."""

import pytest

from monitoring.burn_rates import RulesError, slis
from monitoring.rule_tests import (
    EARLY,
    PER_MINUTE,
    START,
    counter,
    duration,
    quiet_history,
    rule_test_file,
    window_share,
)
from service_levels.objectives import ServiceLevelObjectives

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=75, errors_per_10k=10, min_rps=500)


def scenario_names(objectives: ServiceLevelObjectives) -> list[str]:
    return [group.name for group in rule_test_file(slis(objectives), "rules.yml").tests]


def test_counter_values_grow_phase_after_phase_one_value_a_minute() -> None:
    assert counter([(3, 10), (2, 0)]) == f"{START} {START + 10}+10x2 {START + 30}+0x1"
    # promtool expands a+bxn into n+1 values: 1 + 3 + 2 values, minutes 0 to 5.


def test_durations_read_as_promtool_writes_them() -> None:
    assert [duration(m) for m in (45, 60, 390)] == ["45m", "1h", "6h30m"]


def test_a_window_holds_the_history_until_the_burn_fills_it() -> None:
    assert window_share(0.01, "1h", history=360, burning=30) == pytest.approx(0.005)
    assert window_share(0.01, "1h", history=360, burning=90) == pytest.approx(0.01)
    assert window_share(0.01, "3d", history=360, burning=30) == pytest.approx(0.01 * 30 / 390)


@pytest.mark.parametrize("sli", ["errors", "latency_p99"])
def test_there_is_a_healthy_run_a_page_and_a_slow_burn_for(sli: str) -> None:
    names = scenario_names(OBJECTIVES)
    assert names[0].startswith("healthy: every SLI at half its budget")
    assert any(name.startswith(f"{sli}: a steady burn at 18x fires") for name in names)
    assert any(
        name.startswith(f"{sli}: after 6h healthy, a burn at 10.2x fires nothing for {EARLY}m")
        for name in names
    )


def test_the_scenarios_follow_the_slos() -> None:
    looser = OBJECTIVES.model_copy(update={"errors_per_10k": 50})
    tests = rule_test_file(slis(looser), "rules.yml").tests
    [fires] = [t for t in tests if t.name.startswith("errors: a steady burn at 18x fires")]
    failed, at = fires.input_series[0], int(fires.alert_rule_test[0].eval_time.removesuffix("m"))
    bad = PER_MINUTE * 18 * 50 // 10_000  # 18 times a budget of 0.5 %: 900 a minute
    assert failed.series.endswith('status="500"}')
    assert failed.values == counter([(at, bad)])
    assert fires.promql_expr_test[0].exp_samples[0].value == bad


def test_a_burn_no_history_can_hide_is_an_error() -> None:
    errors = slis(OBJECTIVES)[0]
    with pytest.raises(
        RulesError, match=r"errors: no healthy history keeps a burn at 100\.00% bad"
    ):
        quiet_history(errors, 1.0)
