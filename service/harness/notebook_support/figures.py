"""Saving charts, one size and resolution for every figure of the post, and showing them."""

from pathlib import Path
from typing import TYPE_CHECKING

from system_tools import Skipped

if TYPE_CHECKING:  # matplotlib is there whenever a figure is; the image has neither
    from matplotlib.figure import Figure

FIGURE_DPI = 150  # sharp on high-resolution screens


def save_figure(figure: "Figure", path: Path) -> Path:
    """Save as PNG (creating the folder) and close the figure."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(figure)
    return path


def show_chart(chart: Path | Skipped, alt: str) -> None:
    """Show a saved chart in a notebook by a markdown image of its file, a path that works from
    ``notebooks/`` and ``blog_post/`` alike, ``alt`` saying what it shows; or say why there is
    none."""
    from IPython.display import Markdown, display

    if isinstance(chart, Skipped):
        display(chart)
        return
    if not alt.strip():
        raise ValueError(f"{chart}: say what the chart shows in its alt text")
    display(Markdown(f"![{alt_text(alt)}]({chart.as_posix()})"))


def alt_text(alt: str) -> str:
    """``alt`` on one line, with no bracket that would end the markdown image's text."""
    return " ".join(alt.split()).replace("[", "(").replace("]", ")")


def show_figure(figure: "Figure", path: Path, alt: str) -> None:
    """Save a figure to ``path`` and show it, ``alt`` saying what it shows."""
    show_chart(save_figure(figure, path), alt)
