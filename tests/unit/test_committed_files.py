"""Committed files quote no figure from a run: the manifests, the Dockerfile, the README and the
configuration hold settings, and a run's results live in the post, where a cell computes them.

A *figure from a run* is a number followed by a unit that only a measurement gives: a rate
("1,346 req/s", "3,050 predictions a second", "900 requests per second", "1200 rps"), a
latency or a duration below a second ("14 ms", "43 µs", "9.3 milliseconds"), CPU ("0.56
cores", "35% CPU"), or memory in bytes ("148 MiB", "205 MB"). It counts where a reader reads
prose: a comment (``#`` in YAML, shell, Python, the Dockerfile and ``.conf`` files) and the
markdown outside code blocks. Settings are not figures from a run:

- values: ``memory: 320Mi`` or ``cpu: 500m``, and ``max_wait_ms: 0``, which names its unit in
  the key;
- bounds, a figure after a comparison ("took longer than 100 ms", "p99 under 100 ms", "≤ 75 ms");
- a setting's value quoted after its name ("min_rps (500 req/s) is a load-test target").
"""

import re
from pathlib import Path

import pytest

from common.paths import PROJECT_ROOT

NUMBER = r"(?<![\w.,])\d[\d,]*(?:\.\d+)?"
RUN_UNIT = (
    r"(?:[Rr]eq(?:uest)?s?/s\b|rps\b|RPS\b"
    r"|(?:requests|predictions|responses) (?:a|per) second\b"
    r"|ms\b|µs\b|us\b|milliseconds?\b|microseconds?\b"
    r"|cores?\b|% (?:of (?:a |one )?)?(?:CPU|core)\b|%CPU\b"
    r"|[KMG]iB\b|[kMG]B\b)"
)
RUN_FIGURE = re.compile(rf"{NUMBER}[ \u00a0\u202f]?{RUN_UNIT}")
COMPARISON = r"(?:\b(?:than|under|below|within|at most|at least|up to)|≤|≥|<=|>=|<|>)"
SETTING_NAME = r"[a-z][a-z0-9]*[_.][\w.]*"  # a configuration key: snake_case or dotted
BOUND_OR_SETTING = re.compile(rf"(?:{COMPARISON}|{SETTING_NAME}\s*[(:=])\s*$")
COMMENTED = {".yaml", ".yml", ".conf", ".sh", ".py"}
# A comment: a `#` at the line's start or after a space, outside a quoted string
COMMENT_START = re.compile(r"""^(?:[^#'"]|'[^']*'|"[^"]*")*?(?:^|\s)#""")


def committed_files() -> list[Path]:
    """The files the rule covers: the manifests, the configuration, the Dockerfile, the README."""
    found = [PROJECT_ROOT / "Dockerfile", PROJECT_ROOT / "README.md"]
    for folder in ("kubernetes", "configuration"):
        found += sorted(
            path
            for path in (PROJECT_ROOT / folder).rglob("*")
            if path.is_file() and (path.suffix in COMMENTED or path.suffix == ".md")
        )
    return found


def comment_of(line: str) -> str:
    """The comment on a line of YAML, shell, Python or a .conf file; empty when there is none."""
    start = COMMENT_START.match(line)
    return line[start.end() :] if start else ""


def dockerfile_comment(line: str) -> str:
    """A Dockerfile's comments take a whole line."""
    return line.strip()[1:] if line.strip().startswith("#") else ""


def markdown_prose(lines: list[str]) -> list[str]:
    """The lines outside fenced code blocks; the others empty, so line numbers still match."""
    prose, fenced = [], False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            prose.append("")
        else:
            prose.append("" if fenced else line)
    return prose


def prose_lines(path: Path) -> list[str]:
    """Each line's prose (its comment, or the markdown outside code), by line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".md":
        return markdown_prose(lines)
    if path.name == "Dockerfile":
        return [dockerfile_comment(line) for line in lines]
    return [comment_of(line) for line in lines]


def is_setting(prose: str, figure: re.Match) -> bool:
    """A bound (after a comparison) or a setting's value quoted after its name."""
    return bool(BOUND_OR_SETTING.search(prose[: figure.start()]))


def run_figures(path: Path) -> list[str]:
    """``file:line: figure: the line`` for each figure from a run that the file's prose quotes."""
    found = []
    for number, prose in enumerate(prose_lines(path), start=1):
        for figure in RUN_FIGURE.finditer(prose):
            if is_setting(prose, figure):
                continue
            where = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
            found.append(f"{where}:{number}: {figure.group()!r} in: {prose.strip()}")
    return found


def test_the_rule_covers_the_manifests_configuration_dockerfile_and_readme() -> None:
    covered = {path.relative_to(PROJECT_ROOT).parts[0] for path in committed_files()}
    assert covered == {"Dockerfile", "README.md", "kubernetes", "configuration"}


@pytest.mark.parametrize(
    "path", committed_files(), ids=lambda path: str(path.relative_to(PROJECT_ROOT))
)
def test_no_committed_file_quotes_a_figure_from_a_run(path: Path) -> None:
    assert run_figures(path) == []


@pytest.mark.parametrize(
    "comment",
    [
        "# sized from a run at 3,496 req/s",
        "# about 3,050 predictions a second",
        "# 1200 requests per second",
        "# p99 was 14 ms",
        "# the model takes 43 µs",
        "# most of 9.3 milliseconds",
        "# 0.56 cores under load",
        "# 35% CPU",
        "# peak 148 MiB",
        "# an image of 205 MB",
    ],
)
def test_a_figure_from_a_run_in_a_comment_is_found(comment: str, tmp_path: Path) -> None:
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(f"resources:\n  limits:\n    memory: 320Mi  {comment}\n")
    [found] = run_figures(manifest)
    assert found.startswith(f"{manifest}:3: ")
    assert comment.removeprefix("# ") in found


@pytest.mark.parametrize(
    "text",
    [
        "memory: 320Mi\ncpu: 500m\n",
        "max_wait_ms: 0   # take what is queued at once\n",
        'description: "p99 above 100 ms"\n',
        "image: insurance-charges-model:0.1.0  # two workers, one per core\n",
        "target: 0.999  # 99.9% of the requests\n",
        "url: http://host:8000/#anchor\n",
        "rules: []  # latency_p99: took longer than 100 ms; budget 1 %\n",
        "slo: {}  # p90 under 75 ms, p99 ≤ 100 ms, at least 500 req/s\n",
        "slo: {}  # min_rps (500 req/s) is a load-test target\n",
    ],
)
def test_settings_and_values_are_not_figures_from_a_run(text: str, tmp_path: Path) -> None:
    manifest = tmp_path / "service.yaml"
    manifest.write_text(text)
    assert run_figures(manifest) == []


def test_in_markdown_the_prose_counts_and_code_blocks_do_not(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("Run it:\n\n```bash\ncurl # 12 ms\n```\n\nIt serves 1,346 req/s.\n")
    assert run_figures(readme) == [f"{readme}:7: '1,346 req/s' in: It serves 1,346 req/s."]


def test_a_dockerfile_comment_counts_and_its_instructions_do_not(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("# two workers did best: 1,511 req/s\nENV WORKERS=2 PORT=8000\n")
    assert [found.split(": ", 1)[0] for found in run_figures(dockerfile)] == [f"{dockerfile}:1"]
