"""Saving charts, one size and resolution for every figure of the post, and showing them."""

from pathlib import Path
from typing import TYPE_CHECKING

from system_tools import Skipped

if TYPE_CHECKING:  # matplotlib is there whenever a figure is; the image has neither
    from matplotlib.figure import Figure

FIGURE_DPI = 110


def save_figure(figure: "Figure", path: Path) -> Path:
    """Save as PNG (creating the folder) and close the figure."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(figure)
    return path


def show_chart(chart: Path | Skipped, title: str = "") -> None:
    """Show a saved chart in a notebook by a markdown link to its file, a path that works from
    ``notebooks/`` and ``blog_post/`` alike, ``title`` (or the file's name) as its text; or say
    why there is none."""
    from IPython.display import Markdown, display

    if isinstance(chart, Skipped):
        display(chart)
        return
    display(Markdown(f"![{title or chart.stem.replace('_', ' ')}]({chart.as_posix()})"))


def show_figure(figure: "Figure", path: Path) -> None:
    """Save a figure to ``path`` and show it, its first chart's title as the link's text."""
    title = figure.axes[0].get_title() if figure.axes else ""
    show_chart(save_figure(figure, path), title)
