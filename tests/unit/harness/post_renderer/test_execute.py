import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from common.paths import CONFIGURATION_DIR, PROJECT_ROOT
from common.yaml_files import ConfigurationError
from post_renderer.execute import (
    CellProgress,
    ExecutionError,
    NotebookProfile,
    check_profile,
    execute_all,
    execute_one,
    format_duration,
    load_profile,
    main,
    progress_line,
)

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9]*.ipynb"))
# What ipykernel prints on stderr when its TCP sockets carry no CurveZMQ keys.
TCP_WARNING = "Kernel is running over TCP without encryption"
# A change of the kernel's folder that outlives its cell: os.chdir, a bare chdir (contextlib's
# goes back when its block ends), and IPython's %cd, %pushd and %popd, with or without the %.
CHANGES_FOLDER = re.compile(
    r"\bos\.chdir\(|(?<!contextlib\.)(?<![\w.])chdir\(|^\s*%?(cd|pushd|popd)\b", re.MULTILINE
)


def write_notebook(directory: Path, name: str, *sources: str) -> Path:
    """A notebook whose first cell is the papermill parameters cell."""
    cells = [new_code_cell(source) for source in sources]
    cells[0].metadata["tags"] = ["parameters"]
    path = directory / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), path)
    return path


@pytest.mark.parametrize("name", ["ci", "full"])
def test_the_project_profiles_fit_the_notebooks(name: str) -> None:
    profile = load_profile(CONFIGURATION_DIR / "profiles" / f"{name}.yaml")
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
    output = capsys.readouterr().out
    assert "[1/3] 01_ok done in" in output
    assert "[2/3] 02_fails  cell 3/3  0s  raise ValueError('too big')" in output


def test_main_reports_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("description: x\n")
    code = main(
        ["--profile", str(profile), "--notebooks", str(tmp_path), "--output", str(tmp_path)]
    )
    assert code == 1
    printed = capsys.readouterr()
    assert "no numbered notebooks in" in printed.err
    assert printed.out.startswith("system tools:\n  podman: ")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0s"), (59.9, "59s"), (60, "1m 00s"), (185, "3m 05s"), (3725, "1h 02m 05s")],
)
def test_durations_read_as_hours_minutes_and_seconds(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_a_progress_line_names_the_cell_the_time_and_the_first_line_of_code() -> None:
    line = progress_line("[5/6] 05_load_test", 12, 44, 185, "\n  # the sweep\ntail = sweep(x)")
    assert line == "[5/6] 05_load_test  cell 12/44  3m 05s  # the sweep"
    assert progress_line("01_x", 1, 1, 0, "y" * 100).endswith("  " + "y" * 59 + "…")


def test_after_a_block_header_the_progress_line_shows_the_line_below() -> None:
    assert progress_line("03", 2, 9, 5, "if engine:\n\n    size = build()\n    x = 1").endswith(
        "  5s  if engine: size = build()"
    )
    assert progress_line("03", 2, 9, 5, "try:").endswith("  5s  try:")


def test_progress_counts_only_the_code_cells_that_run(capsys: pytest.CaptureFixture) -> None:
    times = iter([0.0, 10.0, 12.0, 75.0])
    progress = CellProgress("[1/2] 01_x", clock=lambda: next(times))
    cells = [new_markdown_cell("# x"), new_code_cell("a = 1"), new_code_cell("  \n")]
    cells += [new_code_cell("b = a\nprint(b)")]
    progress.on_notebook_start(notebook=new_notebook(cells=cells))
    progress.on_cell_execute(cell=cells[1], cell_index=1)
    progress.on_cell_execute(cell=cells[3], cell_index=3)
    assert capsys.readouterr().out.splitlines() == [
        "[1/2] 01_x  cell 1/2  2s  a = 1",
        "[1/2] 01_x  cell 2/2  1m 05s  b = a",
    ]


def test_a_real_run_prints_a_line_per_code_cell_and_no_kernel_warning(
    tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    notebook = write_notebook(
        tmp_path, "01_tiny", "size = 1", "doubled = 2 * size", "print(doubled)"
    )
    execute_one(notebook, tmp_path / "out.ipynb", {"size": 3})
    captured = capfd.readouterr()  # the kernel's own stderr too: it inherits this process's
    lines = [line for line in captured.out.splitlines() if line.startswith("01_tiny  cell ")]
    assert [line.split("  ")[1] for line in lines] == [f"cell {rank}/4" for rank in range(1, 5)]
    assert lines[1].endswith("# Parameters")  # papermill's injected cell runs, and counts
    assert TCP_WARNING not in captured.err
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0].text == "6\n"


@pytest.mark.parametrize(
    ("source", "changes"),
    [
        ('os.chdir("..")', True),
        ("from os import chdir\nchdir(root)", True),
        ("%cd ..", True),
        ("x = 1\n  cd notebooks", True),
        ("%pushd /tmp", True),
        ("with contextlib.chdir(PROJECT_ROOT):\n    build()", False),
        ("!cd .. && ls", False),
        ("cwd = Path.cwd()\nrecord(cd=1)", False),
    ],
)
def test_a_change_of_folder_is_recognised(source: str, changes: bool) -> None:
    assert bool(CHANGES_FOLDER.search(source)) is changes


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebooks_never_leave_their_folder(notebook: Path) -> None:
    """Each cell's paths are relative to notebooks/, where papermill and JupyterLab run it: a
    notebook that changed folder would find nothing when run a second time in one kernel."""
    cells = nbformat.read(notebook, as_version=4).cells
    offending = [
        cell.source.splitlines()[0]
        for cell in cells
        if cell.cell_type == "code" and CHANGES_FOLDER.search(cell.source)
    ]
    assert not offending, f"{notebook.name} changes folder in the cells starting {offending}"
