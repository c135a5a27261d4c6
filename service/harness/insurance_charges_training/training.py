"""Train the insurance-charges model: compare candidates by cross-validation, test once.

The split is fixed and documented: 20% of the rows, stratified by smoker (smokers drive most of
the variance, so both parts get the same share), with a seed. Candidates are compared by 5-fold
cross-validation on the training part only, and the one with the lowest mean absolute error
wins: MAE is the error a typical customer's price carries, in dollars, while R² is dominated by
a few very expensive customers whom these six features cannot explain. The holdout is scored
once, for the chosen candidate.

Training saves the pipeline (skops) and the serving artifact compiled from it, which the service
loads, after checking that the two agree. Beside them, it saves the drift baseline: the
distributions of the rows the model learned from (the training part) and of its predictions on
them, which the drift monitor compares with the prediction logs.
"""

import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import KFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from drift_monitor.baseline import BASELINE_NAME, Baseline, build_baseline, save_baseline
from insurance_charges_model.artifact import (
    ARTIFACT_NAME,
    METRICS_NAME,
    TrainingMetrics,
    save_artifact,
)
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import (
    CATEGORIES,
    FEATURE_NAMES,
    TARGET_NAME,
    InsuranceChargesModelOutput,
)
from insurance_charges_training.pipeline_artifact import PIPELINE_NAME, save_pipeline
from insurance_charges_training.serving_artifact import check_against_pipeline, compile_pipeline

DEFAULT_SEED = 42
HOLDOUT_FRACTION = 0.2
CV_FOLDS = 5
STRATIFY_BY = "smoker"
SELECTION_METRIC = "cv_mae_mean"
# Huber loss is linear for residuals beyond this quantile of their absolute values.
HUBER_QUANTILE = 0.9
LIBRARIES = ("scikit-learn", "numpy", "pandas", "skops", "pydantic")
NUMERIC_FEATURES = tuple(name for name in FEATURE_NAMES if name not in CATEGORIES)
# The drift baseline counts children (0 to 5) by value: six shares say more than deciles would.
BASELINE_CATEGORICAL = (*CATEGORIES, "children")
# The prediction, as the output the logs carry names it.
(PREDICTION_NAME,) = InsuranceChargesModelOutput.model_fields


def candidate_estimators(seed: int = DEFAULT_SEED) -> dict[str, RegressorMixin]:
    """The estimators compared. The three boosting runs differ only in their loss."""
    boosting = {
        "n_estimators": 300,
        "learning_rate": 0.05,
        "max_depth": 3,
        "min_samples_leaf": 10,
        "random_state": seed,
    }
    return {
        "ridge": Ridge(alpha=1.0),
        "random_forest": RandomForestRegressor(
            n_estimators=300, min_samples_leaf=5, random_state=seed, n_jobs=1
        ),
        "boosting_squared_error": GradientBoostingRegressor(loss="squared_error", **boosting),
        "boosting_huber": GradientBoostingRegressor(loss="huber", alpha=HUBER_QUANTILE, **boosting),
        "boosting_absolute_error": GradientBoostingRegressor(loss="absolute_error", **boosting),
    }


def build_pipeline(estimator: RegressorMixin) -> Pipeline:
    """One-hot encode the categories (one column for binary ones), pass numbers through."""
    encoder = OneHotEncoder(
        categories=[list(CATEGORIES[name]) for name in CATEGORIES],
        drop="if_binary",
        sparse_output=False,
        handle_unknown="error",
    )
    columns = ColumnTransformer(
        [
            ("categorical", encoder, list(CATEGORIES)),
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
        ],
        remainder="drop",
    )
    return Pipeline([("encode", columns), ("regress", estimator)])


def procedure_settings(seed: int = DEFAULT_SEED) -> dict[str, object]:
    """The split, cross-validation and boosting settings, read from the code that uses them."""
    huber = candidate_estimators(seed)["boosting_huber"].get_params()
    return {
        "holdout_fraction": HOLDOUT_FRACTION,
        "stratified_by": STRATIFY_BY,
        "seed": seed,
        "cv_folds": CV_FOLDS,
        "chosen_by_lowest": SELECTION_METRIC,
        "boosting_trees": huber["n_estimators"],
        "boosting_max_depth": huber["max_depth"],
        "huber_quantile": huber["alpha"],
    }


def split_holdout(
    frame: pd.DataFrame, seed: int = DEFAULT_SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fixed 80/20 split, stratified by smoker."""
    return train_test_split(
        frame, test_size=HOLDOUT_FRACTION, random_state=seed, stratify=frame[STRATIFY_BY]
    )


def features_and_target(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    return frame[list(FEATURE_NAMES)], frame[TARGET_NAME]


def compare_candidates(train: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Cross-validated R², MAE and RMSE of every candidate, lowest MAE (the winner) first."""
    features, target = features_and_target(train)
    folds = KFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    rows = []
    for name, estimator in candidate_estimators(seed).items():
        scores = cross_validate(
            build_pipeline(estimator),
            features,
            target,
            cv=folds,
            scoring=("r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"),
            n_jobs=-1,
        )
        rows.append(cv_summary(name, scores))
    return pd.DataFrame(rows).sort_values(SELECTION_METRIC, ignore_index=True)


def cv_summary(name: str, scores: dict[str, np.ndarray]) -> dict[str, float | str]:
    r2 = scores["test_r2"]
    mae = -scores["test_neg_mean_absolute_error"]
    rmse = -scores["test_neg_root_mean_squared_error"]
    return {
        "candidate": name,
        "cv_r2_mean": r2.mean(),
        "cv_r2_std": r2.std(),
        "cv_mae_mean": mae.mean(),
        "cv_mae_std": mae.std(),
        "cv_rmse_mean": rmse.mean(),
        "fit_seconds": scores["fit_time"].mean(),
    }


def regression_metrics(target: pd.Series, predicted: np.ndarray) -> dict[str, float]:
    return {
        "r2": float(r2_score(target, predicted)),
        "mae": float(mean_absolute_error(target, predicted)),
        "rmse": float(root_mean_squared_error(target, predicted)),
    }


@dataclass
class TrainingResult:
    """Everything a training run produced, for saving and for the notebook's charts."""

    chosen: str
    pipeline: Pipeline
    comparison: pd.DataFrame
    train: pd.DataFrame
    holdout: pd.DataFrame
    holdout_predictions: np.ndarray
    holdout_metrics: dict[str, float]
    train_rows: int
    seed: int


def train_model(frame: pd.DataFrame, seed: int = DEFAULT_SEED) -> TrainingResult:
    """Split, compare by CV, fit the best candidate on the training part, score the holdout once."""
    train, holdout = split_holdout(frame, seed)
    comparison = compare_candidates(train, seed)
    chosen = str(comparison.loc[0, "candidate"])
    pipeline = build_pipeline(clone(candidate_estimators(seed)[chosen]))
    pipeline.fit(*features_and_target(train))
    features, target = features_and_target(holdout)
    predictions = pipeline.predict(features)
    return TrainingResult(
        chosen=chosen,
        pipeline=pipeline,
        comparison=comparison,
        train=train,
        holdout=holdout,
        holdout_predictions=predictions,
        holdout_metrics=regression_metrics(target, predictions),
        train_rows=len(train),
        seed=seed,
    )


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version()} | {name: version(name) for name in LIBRARIES}


def training_baseline(result: TrainingResult) -> Baseline:
    """The drift baseline: the training part's features, and the model's predictions on them."""
    features, _ = features_and_target(result.train)
    columns = {name: features[name].to_numpy() for name in FEATURE_NAMES}
    columns[PREDICTION_NAME] = result.pipeline.predict(features)
    return build_baseline(
        columns,
        categorical=BASELINE_CATEGORICAL,
        outputs=(PREDICTION_NAME,),
        model_qualified_name=InsuranceChargesModel.qualified_name,
        model_version=InsuranceChargesModel.version,
    )


def save_training(
    result: TrainingResult, output_dir: Path, data_sha256: str, data_rows: int
) -> TrainingMetrics:
    """Write the pipeline, the serving artifact (once it equals the pipeline on the holdout and
    on random customers), the drift baseline and their metrics JSON into ``output_dir``."""
    serving = compile_pipeline(result.pipeline)
    serving_checks = check_against_pipeline(serving, result.pipeline, result.holdout)
    pipeline_sha256 = save_pipeline(result.pipeline, output_dir / PIPELINE_NAME)
    artifact_sha256 = save_artifact(serving, output_dir / ARTIFACT_NAME)
    baseline_sha256 = save_baseline(training_baseline(result), output_dir / BASELINE_NAME)
    best = result.comparison.iloc[0]
    metrics = TrainingMetrics(
        estimator=result.chosen,
        **result.holdout_metrics,
        cv_r2_mean=best.cv_r2_mean,
        cv_r2_std=best.cv_r2_std,
        cv_mae_mean=best.cv_mae_mean,
        cv_mae_std=best.cv_mae_std,
        cv_folds=CV_FOLDS,
        candidates=result.comparison.to_dict(orient="records"),
        split={
            "holdout_fraction": HOLDOUT_FRACTION,
            "stratified_by": STRATIFY_BY,
            "seed": result.seed,
            "train_rows": result.train_rows,
            "holdout_rows": len(result.holdout),
        },
        data_sha256=data_sha256,
        data_rows=data_rows,
        artifact_file=ARTIFACT_NAME,
        artifact_sha256=artifact_sha256,
        pipeline_file=PIPELINE_NAME,
        pipeline_sha256=pipeline_sha256,
        serving_checks=serving_checks,
        baseline_file=BASELINE_NAME,
        baseline_sha256=baseline_sha256,
        versions=library_versions(),
        trained_at=datetime.now(UTC),
    )
    (output_dir / METRICS_NAME).write_text(metrics.model_dump_json(indent=2) + "\n")
    return metrics
