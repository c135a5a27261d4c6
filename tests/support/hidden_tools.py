"""A PATH on which some commands are not found: a machine without those tools, for one process."""

import os
from pathlib import Path

from system_tools import TOOLS

# What a machine with only Python and make lacks: every system tool but those the venv brings
SYSTEM_TOOLS = tuple(command for command, tool in TOOLS.items() if not tool.in_venv)


def path_without(hidden: tuple[str, ...], folder: Path, path: str | None = None) -> str:
    """A PATH of one ``folder`` linking every command of ``path`` (this one's by default) but
    ``hidden``: the first of each name, as a shell would find it."""
    folder.mkdir(parents=True, exist_ok=True)
    for directory in (path if path is not None else os.environ["PATH"]).split(os.pathsep):
        for command in sorted(Path(directory).glob("*")) if Path(directory).is_dir() else []:
            link = folder / command.name
            if command.name in hidden or link.exists() or not os.access(command, os.X_OK):
                continue
            link.symlink_to(command)
    return str(folder)
