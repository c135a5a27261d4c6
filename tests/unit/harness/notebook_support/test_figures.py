from pathlib import Path

import IPython.display
import matplotlib.pyplot as plt
import pytest

from notebook_support.figures import save_figure, show_chart
from system_tools import Skipped

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_figure_is_saved_as_png_in_a_new_folder_and_closed(tmp_path: Path) -> None:
    figure, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    path = save_figure(figure, tmp_path / "nested" / "chart.png")
    assert path == tmp_path / "nested" / "chart.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert figure.number not in plt.get_fignums()


def displayed(monkeypatch: pytest.MonkeyPatch) -> list:
    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *items: shown.extend(items))
    return shown


def test_a_chart_is_shown_by_a_link_that_works_from_the_notebooks_and_the_post(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = displayed(monkeypatch)
    show_chart(Path("../images/06_drift.png"))
    [link] = shown
    assert link.data == "![06 drift](../images/06_drift.png)"


def test_a_skipped_chart_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = displayed(monkeypatch)
    skipped = Skipped("the SLI chart", "prometheus is not installed")
    show_chart(skipped)
    assert shown == [skipped]
