from pathlib import Path

import matplotlib.pyplot as plt

from common.figures import save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_figure_is_saved_as_png_in_a_new_folder_and_closed(tmp_path: Path) -> None:
    figure, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    path = save_figure(figure, tmp_path / "nested" / "chart.png")
    assert path == tmp_path / "nested" / "chart.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert figure.number not in plt.get_fignums()
