from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from common.yaml_files import ConfigurationError
from post_renderer.execute import (
    ExecutionError,
    NotebookProfile,
    check_profile,
    execute_all,
    load_profile,
    main,
)

PROJECT = Path(__file__).resolve().parents[3]
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("[0-9]*.ipynb"))


def write_notebook(directory: Path, name: str, *sources: str) -> Path:
    """A notebook whose first cell is the papermill parameters cell."""
    cells = [new_code_cell(source) for source in sources]
    cells[0].metadata["tags"] = ["parameters"]
    path = directory / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), path)
    return path


@pytest.mark.parametrize("name", ["ci", "full"])
def test_the_project_profiles_fit_the_notebooks(name: str) -> None:
    profile = load_profile(PROJECT / "configuration" / "profiles" / f"{name}.yaml")
    check_profile(profile, NOTEBOOKS)
    assert profile.parameters["05_load_test"]["duration"]


def test_a_profile_for_a_missing_notebook_or_parameter_is_refused(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path, "01_first", "size = 1", "print(size)")
    profile = NotebookProfile(
        description="typos", parameters={"01_first": {"sise": 2}, "02_second": {}}
    )
    with pytest.raises(ExecutionError) as raised:
        check_profile(profile, [notebook])
    assert "01_first has no parameter 'sise' (it has size)" in str(raised.value)
    assert "no notebook '02_second' (there are 01_first)" in str(raised.value)


def test_a_profile_that_does_not_fit_the_schema_is_named(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text("description: x\nparameter: {}\n")
    with pytest.raises(ConfigurationError, match="parameter: Extra inputs are not permitted"):
        load_profile(path)


@pytest.mark.slow
def test_notebooks_run_in_order_with_the_profile_and_stop_at_the_first_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    notebooks = [
        write_notebook(tmp_path, "01_ok", "size = 1", "assert size == 2, size"),
        write_notebook(tmp_path, "02_fails", "limit = 1", "x = 1", "raise ValueError('too big')"),
        write_notebook(tmp_path, "03_never", "y = 1", "print(y)"),
    ]
    profile = NotebookProfile(description="test", parameters={"01_ok": {"size": 2}})
    with pytest.raises(ExecutionError) as raised:
        execute_all(notebooks, tmp_path / "out", profile)
    message = str(raised.value)
    assert message.startswith('02_fails.ipynb failed in cell In [3], which starts with "raise')
    assert "ValueError: too big" in message
    assert "raise ValueError('too big')" in message
    assert (tmp_path / "out" / "01_ok.ipynb").exists()
    assert not (tmp_path / "out" / "03_never.ipynb").exists()
    assert "[1/3] 01_ok.ipynb done in" in capsys.readouterr().out


def test_main_reports_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("description: x\n")
    code = main(
        ["--profile", str(profile), "--notebooks", str(tmp_path), "--output", str(tmp_path)]
    )
    assert code == 1
    assert "no numbered notebooks in" in capsys.readouterr().err
