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


def tick_texts(figure: Figure) -> list[str]:
    figure.canvas.draw()
    return [
        label.get_text()
        for axes in figure.axes
        for label in axes.get_xticklabels() + axes.get_yticklabels()
    ]


@pytest.mark.parametrize("name", ["distribution", "age", "bmi", "predicted", "residuals"])
def test_dollar_axes_have_a_dollar_sign_and_thousands_separators(
    name: str, insurance_frame: pd.DataFrame, training_result: TrainingResult
) -> None:
    texts = tick_texts(CHARTS[name](insurance_frame, training_result))
    assert any(text.startswith("$") and "," in text for text in texts), texts
    assert not any(text.isdigit() and len(text) > 4 for text in texts)  # no bare 12000


def test_bmi_is_labelled_with_its_unit(
    insurance_frame: pd.DataFrame, training_result: TrainingResult
) -> None:
    figure = CHARTS["bmi"](insurance_frame, training_result)
    assert figure.axes[0].get_xlabel() == "BMI (kg/m²)"


@pytest.mark.parametrize(("value", "text"), [(12000, "$12,000"), (-5000.4, "-$5,000"), (0, "$0")])
def test_a_dollar_amount_reads_as_money(value: float, text: str) -> None:
    assert plots.dollar_text(value) == text
