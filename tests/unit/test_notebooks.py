"""The notebooks call the packages: no cell branches on where it runs, and none defines code."""

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# A branch on the deployment target, by the names the notebooks used before targets chose once
TARGET_BRANCH = re.compile(
    r"\b(if|elif)\b[^\n]*\b(engine|where|on_pods|target|cluster|deployment\.name)\b"
)


def code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def target_branches(source: str) -> list[str]:
    return [line for line in source.splitlines() if TARGET_BRANCH.search(line)]


def definitions(source: str) -> list[str]:
    tree = ast.parse(source)
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [type(node).__name__ for node in ast.walk(tree) if isinstance(node, kinds)]


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_cell_branches_on_the_deployment_target(notebook: Path) -> None:
    found = [line for source in code_cells(notebook) for line in target_branches(source)]
    assert found == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_cell_defines_a_function_or_class(notebook: Path) -> None:
    found = [kind for source in code_cells(notebook) for kind in definitions(source)]
    assert found == []


@pytest.mark.parametrize(
    ("source", "branches"),
    [
        ("if engine:\n    build()", 1),
        ('if where == "podman":\n    deploy()', 1),
        ("x = run() if on_pods else None", 1),
        ('elif deployment.name == "cluster":', 1),
        ("deployment = choose(target, among=('pods', 'local'))", 0),
    ],
)
def test_the_branch_count_sees_each_form(source: str, branches: int) -> None:
    assert len(target_branches(source)) == branches


def test_the_definition_count_sees_functions_and_classes() -> None:
    assert definitions("def show(x):\n    pass\nclass A:\n    pass\nprint(1)") == [
        "FunctionDef",
        "ClassDef",
    ]
