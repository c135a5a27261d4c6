"""promtool checks the committed rules and runs their tests; a wrong rule makes the tests fail."""

import shutil
from pathlib import Path

import pytest

from monitoring.rules import (
    DEMONSTRATION_RULES,
    DEMONSTRATION_TESTS,
    RULES_DIR,
    RULES_NAME,
    TESTS_NAME,
)
from support.promtool import promtool

RULES, TESTS = RULES_DIR / RULES_NAME, RULES_DIR / TESTS_NAME
SETS = {
    "production": (RULES, TESTS),
    "demonstration": (RULES_DIR / DEMONSTRATION_RULES, RULES_DIR / DEMONSTRATION_TESTS),
}


@pytest.mark.parametrize("rule_set", list(SETS))
def test_promtool_checks_the_rules(rule_set: str) -> None:
    done = promtool("check", "rules", SETS[rule_set][0])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("rule_set", list(SETS))
def test_the_rules_pass_their_tests(rule_set: str) -> None:
    done = promtool("test", "rules", SETS[rule_set][1])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def wrong_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The tests beside a copy of the rules with ``old`` replaced by ``new``."""
    text = RULES.read_text()
    assert old in text
    (tmp_path / RULES_NAME).write_text(text.replace(old, new))
    shutil.copy(TESTS, tmp_path / TESTS_NAME)
    return tmp_path / TESTS_NAME


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("(14.4 * 0.001)", "(10 * 0.001)"),  # pages too soon: the slow burn catches it
        ("(6 * 0.01)", "(12 * 0.01)"),  # pages too late: the burn just above 6x catches it
        ('status=~"5.."', 'status=~"[45].."'),  # 4xx counted as errors: the healthy run
        # a service whose pods are gone has no up series at all: only absent() sees it
        (
            'absent(up{app="insurance-charges-model"} == 1)',
            'up{app="insurance-charges-model"} == 0',
        ),
    ],
)
def test_promtool_fails_on_a_wrong_rule(tmp_path: Path, old: str, new: str) -> None:
    done = promtool("test", "rules", wrong_copy(tmp_path, old, new))
    assert done.returncode == 1, done.stdout
    assert "FAILED" in done.stdout + done.stderr


def test_without_promtool_the_tests_skip_naming_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(pytest.skip.Exception, match="install the Debian package `prometheus`"):
        promtool("--version")
