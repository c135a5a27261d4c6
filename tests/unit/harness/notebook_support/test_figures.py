from pathlib import Path

import IPython.display
import matplotlib.pyplot as plt
import pytest

from notebook_support.figures import save_figure, show_chart, show_figure
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


def test_a_figure_is_saved_and_shown_under_its_title(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = displayed(monkeypatch)
    figure, axes = plt.subplots()
    axes.set_title("Charges by age")
    show_figure(figure, tmp_path / "01_charges_by_age.png")
    [link] = shown
    assert link.data == f"![Charges by age]({(tmp_path / '01_charges_by_age.png').as_posix()})"
    assert (tmp_path / "01_charges_by_age.png").read_bytes().startswith(PNG_SIGNATURE)


def test_an_untitled_figure_is_shown_under_its_file_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = displayed(monkeypatch)
    figure = plt.figure()
    show_figure(figure, tmp_path / "05_pod_kill.png")
    assert shown[0].data.startswith("![05 pod kill](")
