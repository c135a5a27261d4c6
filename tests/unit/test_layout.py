"""The tree: what ships apart from the harness, layers that point one way, tests that mirror it."""

import ast
from pathlib import Path

import pytest

from common.paths import PROJECT_ROOT

SERVICE = PROJECT_ROOT / "service"
TESTS = PROJECT_ROOT / "tests"
FOLDERS = ("runtime", "harness")


def folders_of_tests(kind: str, folder: str) -> set[str]:
    """The folders of tests under tests/KIND/FOLDER (Python's caches aside)."""
    found = (TESTS / kind / folder).iterdir()
    return {path.name for path in found if path.is_dir() and not path.name.startswith("__")}


def packages(folder: str) -> set[str]:
    return {path.parent.name for path in (SERVICE / folder).glob("*/__init__.py")}


def imported_packages(package_dir: Path) -> set[str]:
    """The top-level names every module of the package imports."""
    names = set()
    for module in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_service_holds_the_two_folders_and_nothing_else() -> None:
    assert sorted(path.name for path in SERVICE.iterdir() if path.is_dir()) == sorted(FOLDERS)


def test_no_package_is_in_both_folders() -> None:
    assert packages("runtime") & packages("harness") == set()


@pytest.mark.parametrize("package", sorted(packages("runtime")))
def test_what_ships_imports_nothing_of_the_harness(package: str) -> None:
    assert imported_packages(SERVICE / "runtime" / package) & packages("harness") == set()


def test_the_import_check_sees_a_harness_import(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("from load_test.run import LoadTest\nimport os\n")
    assert imported_packages(tmp_path) == {"load_test", "os"}


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_package_has_unit_tests_of_its_own(folder: str) -> None:
    assert folders_of_tests("unit", folder) == packages(folder)


@pytest.mark.parametrize("folder", FOLDERS)
def test_integration_tests_mirror_packages_that_exist(folder: str) -> None:
    assert folders_of_tests("integration", folder) <= packages(folder)
