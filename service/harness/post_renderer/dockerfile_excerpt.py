"""Excerpts of a Dockerfile: the instructions the post's prose talks about, read from the file.

``dockerfile_excerpt(path, *wanted)`` keeps each instruction (with its continuation lines) that
contains one of the ``wanted`` texts, such as ``"FROM "`` or ``"useradd"``, and returns an
``Excerpt`` as ``post_renderer.excerpts`` makes them: the lines left out show as ``# ...``, and
the notebook shows a link to the whole file under it. A wanted text that no instruction
contains any more is an error, so the excerpt cannot drift from the file.
"""

from pathlib import Path

from post_renderer.excerpts import Excerpt, ExcerptError, excerpt_text, read_lines


def is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def instructions(lines: list[str]) -> list[range]:
    """The lines (0-based) of each instruction: its first line and its continuations.

    Comments and blank lines between instructions belong to none; inside a continued
    instruction they belong to it, as Docker reads past them.
    """
    found: list[range] = []
    start = None
    for index, line in enumerate(lines):
        if start is None and is_comment_or_blank(line):
            continue
        start = index if start is None else start
        if not is_comment_or_blank(line) and not line.rstrip().endswith("\\"):
            found.append(range(start, index + 1))
            start = None
    return found + ([range(start, len(lines))] if start is not None else [])


def dockerfile_excerpt(path: str | Path, *wanted: str) -> Excerpt:
    """The instructions of the Dockerfile that contain any of the ``wanted`` texts, in order;
    ExcerptError names each wanted text that no instruction contains."""
    path = Path(path)
    if not wanted:
        raise ExcerptError(f"name the instructions of {path.name} to show, or use listing()")
    lines = read_lines(path)
    texts = [("\n".join(lines[index] for index in span), span) for span in instructions(lines)]
    missing = [part for part in wanted if not any(part in text for text, _ in texts)]
    if missing:
        raise ExcerptError(f"{path.name} has no instruction with {', '.join(missing)}")
    shown = [
        index for text, span in texts if any(part in text for part in wanted) for index in span
    ]
    return Excerpt(path, excerpt_text(lines, shown), "dockerfile")
