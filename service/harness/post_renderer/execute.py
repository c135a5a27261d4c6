"""Execute the notebooks in order with papermill, with the parameters of a profile.

    python -m post_renderer.execute --profile configuration/profiles/ci.yaml --output build/nb

It starts by saying which system tools it found (``system_tools``): a notebook whose
tool is missing skips what needs it and says so. A profile (``configuration/profiles/*.yaml``)
sets notebook parameters by notebook name. A name
that matches no notebook, or a parameter that a notebook's ``parameters`` cell does not define,
is an error before anything runs. The run stops at the first failing notebook and names it and
the cell.

Each notebook prints a line when it starts and when it is done, and one line as each of its code
cells starts, with the time since the notebook started, so that a long cell shows what runs:

    [5/6] 05_load_test  cell 12/44  3m 05s  tail = sweep(
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import papermill
from nbformat import NotebookNode
from papermill.exceptions import PapermillExecutionError
from pydantic import BaseModel, ConfigDict, Field
from traitlets.config import Config

from common.yaml_files import ConfigurationError, load_yaml_file
from post_renderer.sync import cell_start
from system_tools import inventory


class ExecutionError(Exception):
    """A notebook failed, or the profile does not fit the notebooks."""


class NotebookProfile(BaseModel):
    """The schema of ``configuration/profiles/*.yaml``."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(description="What the profile is for.")
    parameters: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Parameters by notebook name (without .ipynb); unnamed ones keep defaults.",
    )


def load_profile(path: Path) -> NotebookProfile:
    return load_yaml_file(path, NotebookProfile, "notebook profile")


def check_profile(profile: NotebookProfile, notebooks: list[Path]) -> None:
    """ExecutionError naming each notebook or parameter the profile sets that does not exist."""
    by_name = {notebook.stem: notebook for notebook in notebooks}
    problems = []
    for name, parameters in profile.parameters.items():
        if name not in by_name:
            problems.append(f"no notebook {name!r} (there are {', '.join(by_name)})")
            continue
        defined = papermill.inspect_notebook(str(by_name[name]))
        problems += [
            f"{name} has no parameter {parameter!r} (it has {', '.join(defined)})"
            for parameter in parameters
            if parameter not in defined
        ]
    if problems:
        raise ExecutionError("the profile does not fit the notebooks:\n  " + "\n  ".join(problems))


def format_duration(seconds: float) -> str:
    """``42s``, ``3m 05s`` or ``1h 02m 05s``."""
    minutes, whole_seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {whole_seconds:02d}s"
    if minutes:
        return f"{minutes}m {whole_seconds:02d}s"
    return f"{whole_seconds}s"


def cell_summary(source: str) -> str:
    """The cell's first line with text, cut short; after a block's header (``if engine:``), with
    the line below it, which says more."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return cell_start(" ".join(lines[:2]) if lines[0].endswith(":") else lines[0])


def progress_line(label: str, rank: int, total: int, elapsed: float, source: str) -> str:
    """The line printed as a code cell starts: its rank, the time so far, what it runs."""
    return f"{label}  cell {rank}/{total}  {format_duration(elapsed)}  {cell_summary(source)}"


def runs(cell: NotebookNode) -> bool:
    """Whether nbclient executes the cell: a code cell with some code."""
    return cell.cell_type == "code" and bool(cell.source.strip())


class CellProgress:
    """nbclient hooks that print one line as each code cell starts (``progress_line``)."""

    def __init__(self, label: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.clock = label, clock
        self.started = clock()
        self.ranks: dict[int, int] = {}

    def on_notebook_start(self, notebook: NotebookNode) -> None:
        """Number the cells that will run, papermill's injected parameters included."""
        self.started = self.clock()
        indexes = [index for index, cell in enumerate(notebook.cells) if runs(cell)]
        self.ranks = {index: rank for rank, index in enumerate(indexes, start=1)}

    def on_cell_execute(self, cell: NotebookNode, cell_index: int) -> None:
        elapsed = self.clock() - self.started
        rank, total = self.ranks.get(cell_index, 0), len(self.ranks)
        print(progress_line(self.label, rank, total, elapsed, cell.source), flush=True)

    def hooks(self) -> dict[str, Callable[..., None]]:
        """The keyword arguments that give papermill (and so nbclient) these hooks."""
        return {
            "on_notebook_start": self.on_notebook_start,
            "on_cell_execute": self.on_cell_execute,
        }


def kernel_config() -> Config:
    """The kernel manager's settings: CurveZMQ keys for the kernel's TCP sockets.

    ipykernel warns on stderr, for every kernel it starts, that its TCP traffic is not encrypted,
    unless the kernel manager hands it CurveZMQ keys. With ``auto`` the manager does so for a
    kernel whose kernelspec declares ``curve`` support, as ipykernel's ``python3`` does: the
    traffic is encrypted, and the warning has no cause any more.
    """
    return Config({"KernelManager": {"transport_encryption": "auto"}})


def execute_one(notebook: Path, output: Path, parameters: dict[str, Any], label: str = "") -> None:
    """Run one notebook from its own folder, printing a line per code cell (``label``, by default
    the notebook's name, starts it); ExecutionError names the failing cell."""
    progress = CellProgress(label or notebook.stem)
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
            progress_bar=False, kernel_name="python3", config=kernel_config(), **progress.hooks(),
        )  # fmt: skip
    except PapermillExecutionError as error:
        first_line = cell_start(error.source) if error.source.strip() else ""
        raise ExecutionError(
            f"{notebook.name} failed in cell In [{error.exec_count}], which starts with "
            f"{first_line!r}:\n"
            f"{error.ename}: {error.evalue}\nThe executed copy, with the traceback: {output}"
        ) from error


def execute_all(notebooks: list[Path], output_dir: Path, profile: NotebookProfile) -> None:
    """Run every notebook in order, printing progress; stop at the first failure."""
    check_profile(profile, notebooks)
    output_dir.mkdir(parents=True, exist_ok=True)
    for number, notebook in enumerate(notebooks, start=1):
        step = f"[{number}/{len(notebooks)}] {notebook.stem}"
        print(f"{step} ...", flush=True)
        started = time.monotonic()
        parameters = profile.parameters.get(notebook.stem, {})
        execute_one(notebook, output_dir / notebook.name, parameters, label=step)
        print(f"{step} done in {format_duration(time.monotonic() - started)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, required=True, help="profile YAML")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    parser.add_argument("--output", type=Path, required=True, help="folder for executed copies")
    arguments = parser.parse_args(argv)
    notebooks = sorted(arguments.notebooks.glob("[0-9]*.ipynb"))
    print(f"system tools:\n{inventory()}", flush=True)
    try:
        if not notebooks:
            raise ExecutionError(f"no numbered notebooks in {arguments.notebooks}")
        execute_all(notebooks, arguments.output, load_profile(arguments.profile))
    except (ExecutionError, ConfigurationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
