from pathlib import Path

import IPython.display
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from notebook_support.figures import FIGURE_DPI, save_figure, show_chart, show_figure
from system_tools import Skipped

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_figure_is_saved_as_png_in_a_new_folder_and_closed(tmp_path: Path) -> None:
    figure, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    path = save_figure(figure, tmp_path / "nested" / "chart.png")
    assert path == tmp_path / "nested" / "chart.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert figure.number not in plt.get_fignums()


def test_a_figure_is_saved_sharp_enough_for_high_resolution_screens(tmp_path: Path) -> None:
    figure = plt.figure(figsize=(4, 2))
    figure.add_subplot().plot([1, 2], [3, 4])
    with Image.open(save_figure(figure, tmp_path / "chart.png")) as image:
        dpi = image.info["dpi"][0]
    assert FIGURE_DPI >= 150
    assert round(dpi) == FIGURE_DPI


def displayed(monkeypatch: pytest.MonkeyPatch) -> list:
    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *items: shown.extend(items))
    return shown


def test_a_chart_is_shown_by_an_image_that_works_from_the_notebooks_and_the_post(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = displayed(monkeypatch)
    show_chart(Path("../images/06_drift.png"), "age and charges drifted, sex did not")
    [link] = shown
    assert link.data == "![age and charges drifted, sex did not](../images/06_drift.png)"


def test_the_alt_text_is_kept_on_one_line_and_inside_the_image_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = displayed(monkeypatch)
    show_chart(Path("chart.png"), "p99 [ms]\n under the SLO")
    assert shown[0].data == "![p99 (ms) under the SLO](chart.png)"


def test_a_chart_without_alt_text_is_refused() -> None:
    with pytest.raises(ValueError, match="alt text"):
        show_chart(Path("chart.png"), "  ")


def test_a_skipped_chart_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = displayed(monkeypatch)
    skipped = Skipped("the SLI chart", "prometheus is not installed")
    show_chart(skipped, "the SLIs over the run")
    assert shown == [skipped]


def test_a_figure_is_saved_and_shown_with_its_alt_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = displayed(monkeypatch)
    figure, axes = plt.subplots()
    axes.set_title("Charges by age")
    show_figure(figure, tmp_path / "01_charges_by_age.png", "charges rise with age, in 3 bands")
    [link] = shown
    path = (tmp_path / "01_charges_by_age.png").as_posix()
    assert link.data == f"![charges rise with age, in 3 bands]({path})"
    assert (tmp_path / "01_charges_by_age.png").read_bytes().startswith(PNG_SIGNATURE)
