"""The drift monitor ships in the image and knows nothing of insurance: what it may import."""

import ast
import sys
from pathlib import Path

import drift_monitor

ALLOWED = {"numpy", "pydantic", "yaml", "common", "drift_monitor"}


def imported_packages(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


def test_it_imports_only_numpy_pydantic_yaml_and_common() -> None:
    folder = Path(drift_monitor.__file__).parent
    for path in sorted(folder.glob("*.py")):
        outside = imported_packages(path) - ALLOWED - set(sys.stdlib_module_names)
        assert not outside, f"{path.name} imports {sorted(outside)}"
