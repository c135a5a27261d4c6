"""Execute the notebooks in order with papermill, with the parameters of a profile.

    python -m post_renderer.execute --profile configuration/profiles/ci.yaml --output build/nb

A profile (``configuration/profiles/*.yaml``) sets notebook parameters by notebook name. A name
that matches no notebook, or a parameter that a notebook's ``parameters`` cell does not define,
is an error before anything runs. The run stops at the first failing notebook and names it and
the cell.
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError
from pydantic import BaseModel, ConfigDict, Field

from common.yaml_files import ConfigurationError, load_yaml_file


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


def execute_one(notebook: Path, output: Path, parameters: dict[str, Any]) -> None:
    """Run one notebook from its own folder; ExecutionError names the failing cell."""
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
            progress_bar=False, kernel_name="python3",
        )  # fmt: skip
    except PapermillExecutionError as error:
        first_line = error.source.strip().splitlines()[0] if error.source.strip() else ""
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
        step = f"[{number}/{len(notebooks)}] {notebook.name}"
        print(f"{step} ...", flush=True)
        started = time.monotonic()
        execute_one(notebook, output_dir / notebook.name, profile.parameters.get(notebook.stem, {}))
        print(f"{step} done in {time.monotonic() - started:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, required=True, help="profile YAML")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    parser.add_argument("--output", type=Path, required=True, help="folder for executed copies")
    arguments = parser.parse_args(argv)
    notebooks = sorted(arguments.notebooks.glob("[0-9]*.ipynb"))
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
