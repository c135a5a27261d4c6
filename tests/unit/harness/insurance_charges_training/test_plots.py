from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from insurance_charges_training import plots
from insurance_charges_training.training import TrainingResult
from notebook_support.figures import save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


CHARTS = {
    "distribution": lambda frame, result: plots.charges_distribution(frame),
    "age": lambda frame, result: plots.charges_by_age(frame),
    "bmi": lambda frame, result: plots.charges_by_bmi(frame),
    "comparison": lambda frame, result: plots.candidate_comparison(result.comparison),
    "predicted": lambda frame, result: plots.predicted_vs_actual(
        result.holdout.charges, result.holdout_predictions
    ),
    "residuals": lambda frame, result: plots.residuals(
        result.holdout.charges, result.holdout_predictions
    ),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_each_chart_draws_data_and_saves_a_png(
    name: str, tmp_path: Path, insurance_frame: pd.DataFrame, training_result: TrainingResult
) -> None:
    figure: Figure = CHARTS[name](insurance_frame, training_result)
    assert any(axes.collections or axes.patches or axes.lines for axes in figure.axes)
    path = save_figure(figure, tmp_path / "nested" / f"{name}.png")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
