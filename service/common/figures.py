"""Saving charts: one size and resolution for every figure of the post."""

from pathlib import Path
from typing import TYPE_CHECKING

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
