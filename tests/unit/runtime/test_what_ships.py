"""What ships imports none of training's libraries: the image check's import test, on this host."""

import json
import os
import subprocess
import sys

from common.paths import CONFIGURATION_DIR
from service_runner.container import SHIPPED_IMPORTS, TRAINING_ONLY_LIBRARIES, runtime_packages

# Makes training's libraries unimportable, as they are in the image, then runs the image's check.
WITHOUT_TRAINING_LIBRARIES = """\
import importlib.abc, sys
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {banned!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Absent())
"""


def shipped_imports(packages: list[str]) -> tuple[int, list[str]]:
    banned = TRAINING_ONLY_LIBRARIES
    code = WITHOUT_TRAINING_LIBRARIES.format(banned=banned) + SHIPPED_IMPORTS.format(
        packages=packages, banned=banned
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        # model_service.main builds the app on import, from the file SERVICE_CONFIG names
        env=os.environ | {"SERVICE_CONFIG": str(CONFIGURATION_DIR / "local.yaml")},
    )
    checked, failures = json.loads(done.stdout.strip().splitlines()[-1])
    return checked, failures


def test_every_module_that_ships_imports_without_trainings_libraries() -> None:
    checked, failures = shipped_imports(runtime_packages())
    assert failures == []
    assert checked > 30


def test_the_check_names_a_module_that_needs_them() -> None:
    checked, failures = shipped_imports(["insurance_charges_training"])
    assert checked > 1
    assert any(failure.startswith("insurance_charges_training.") for failure in failures)
    assert any("No module named 'pandas'" in failure for failure in failures)
