import json
from pathlib import Path

import pandas as pd

from drift_monitor.baseline import BASELINE_NAME, CategoricalReference, load_baseline
from insurance_charges_model.artifact import ARTIFACT_NAME, METRICS_NAME, TrainingMetrics
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_training.training import (
    CV_FOLDS,
    HOLDOUT_FRACTION,
    HUBER_QUANTILE,
    TrainingResult,
    candidate_estimators,
    procedure_settings,
    split_holdout,
)


def test_holdout_is_a_fixed_stratified_fifth(insurance_frame: pd.DataFrame) -> None:
    train, holdout = split_holdout(insurance_frame)
    assert (len(train), len(holdout)) == (1070, 268)
    assert abs(holdout.smoker.mean() - insurance_frame.smoker.mean()) < 0.005
    again_train, _ = split_holdout(insurance_frame)
    assert train.index.equals(again_train.index)
    assert train.index.intersection(holdout.index).empty


def test_every_candidate_is_compared_and_the_lowest_cv_mae_wins(
    training_result: TrainingResult,
) -> None:
    comparison = training_result.comparison
    assert set(comparison.candidate) == set(candidate_estimators())
    assert comparison.cv_mae_mean.is_monotonic_increasing
    assert training_result.chosen == comparison.candidate.iloc[0]
    assert (
        training_result.pipeline[-1].get_params()
        == candidate_estimators()[training_result.chosen].get_params()
    )


def test_the_holdout_is_scored_once_by_the_chosen_pipeline(training_result: TrainingResult) -> None:
    assert len(training_result.holdout_predictions) == len(training_result.holdout)
    assert set(training_result.holdout_metrics) == {"r2", "mae", "rmse"}
    assert training_result.train_rows + len(training_result.holdout) == 1338


def test_metrics_json_sits_beside_the_artifact(model_dir: Path, insurance_csv: Path) -> None:
    metrics = TrainingMetrics.model_validate_json((model_dir / METRICS_NAME).read_text())
    assert metrics.artifact_sha256 == sha256_of(model_dir / ARTIFACT_NAME)
    assert metrics.baseline_file == BASELINE_NAME
    assert metrics.baseline_sha256 == sha256_of(model_dir / BASELINE_NAME)
    assert metrics.data_sha256 == sha256_of(insurance_csv)
    assert metrics.cv_folds == CV_FOLDS
    assert {"python", "scikit-learn", "numpy", "pandas", "skops"} <= set(metrics.versions)
    raw = json.loads((model_dir / METRICS_NAME).read_text())
    assert {"r2", "mae", "rmse", "cv_r2_mean", "cv_r2_std", "data_sha256", "trained_at"} <= set(raw)


def test_the_drift_baseline_describes_the_training_part_and_its_predictions(
    model_dir: Path, training_result: TrainingResult
) -> None:
    baseline = load_baseline(model_dir / BASELINE_NAME)
    assert (baseline.model_qualified_name, baseline.model_version) == (
        InsuranceChargesModel.qualified_name,
        InsuranceChargesModel.version,
    )
    assert baseline.rows == training_result.train_rows == len(training_result.train)
    kinds = {name: (feature.kind, feature.source) for name, feature in baseline.features.items()}
    assert kinds == {
        "age": ("numeric", "input"),
        "sex": ("categorical", "input"),
        "bmi": ("numeric", "input"),
        "children": ("categorical", "input"),
        "smoker": ("categorical", "input"),
        "region": ("categorical", "input"),
        "charges": ("numeric", "output"),
    }
    train = training_result.train
    smoker = baseline.features["smoker"]
    assert isinstance(smoker, CategoricalReference)
    assert {c.value: c.share for c in smoker.categories}[True] == train.smoker.mean()
    assert [c.value for c in baseline.features["children"].categories] == [0, 1, 2, 3, 4, 5]
    predicted = training_result.pipeline.predict(train.drop(columns="charges"))
    assert baseline.features["charges"].counts(predicted).tolist() == [
        round(share * len(train)) for share in baseline.features["charges"].shares
    ]
    assert len(baseline.features["age"].shares) == 10


def test_the_settings_are_those_the_code_uses() -> None:
    settings = procedure_settings(seed=7)
    assert settings["holdout_fraction"] == HOLDOUT_FRACTION
    assert (settings["cv_folds"], settings["seed"]) == (CV_FOLDS, 7)
    boosting = [candidate_estimators()[f"boosting_{loss}"] for loss in ("squared_error", "huber")]
    assert all(estimator.n_estimators == settings["boosting_trees"] for estimator in boosting)
    assert all(estimator.max_depth == settings["boosting_max_depth"] for estimator in boosting)
    assert candidate_estimators()["boosting_huber"].alpha == HUBER_QUANTILE
    assert settings["huber_quantile"] == HUBER_QUANTILE
