"""Tables for notebook 01 and the post: the data, the schema's bounds and the losses compared."""

import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

from insurance_charges_model.schemas import CATEGORIES, TARGET_NAME, InsuranceChargesModelInput
from insurance_charges_training.plots import OBESITY_BMI
from insurance_charges_training.training import NUMERIC_FEATURES, candidate_estimators

REFERENCE_LOSS = "boosting_squared_error"


def display_number(value: float) -> str:
    """Fewer decimals for larger numbers: 0.8562, 30.66, 13,270; whole numbers without any."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    digits = 4 if abs(value) < 10 else 2 if abs(value) < 1_000 else 0
    return f"{value:,.{digits}f}"


def numeric_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Count, mean, spread and quartiles of the numeric features and the charges, one row each."""
    return frame[[*NUMERIC_FEATURES, TARGET_NAME]].describe().T


def category_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Customers and their percentage for each value of each categorical feature."""
    rows = [
        (feature, value, count, 100 * count / len(frame))
        for feature, values in CATEGORIES.items()
        for value, count in frame[feature].value_counts().reindex(values, fill_value=0).items()
    ]
    table = pd.DataFrame(rows, columns=["feature", "value", "customers", "percent"])
    return table.set_index("feature")


def charges_by_obesity(frame: pd.DataFrame) -> pd.DataFrame:
    """Median charges of smokers and non-smokers, below and from the obesity BMI on."""
    bands = {False: f"BMI < {OBESITY_BMI:g}", True: f"BMI ≥ {OBESITY_BMI:g}"}
    band = frame.bmi.ge(OBESITY_BMI).map(bands).rename(None)
    smoker = frame.smoker.map({False: "non-smoker", True: "smoker"}).rename("median charges")
    return frame[TARGET_NAME].groupby([smoker, band]).median().unstack()


def schema_bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """The input schema's bounds, as its JSON Schema publishes them, beside the data's range."""
    properties = InsuranceChargesModelInput.model_json_schema()["properties"]
    rows = {
        name: {
            "schema_minimum": properties[name]["minimum"],
            "data_minimum": frame[name].min(),
            "data_maximum": frame[name].max(),
            "schema_maximum": properties[name]["maximum"],
        }
        for name in NUMERIC_FEATURES
    }
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


def boosting_candidates() -> list[str]:
    return [
        name
        for name, estimator in candidate_estimators().items()
        if isinstance(estimator, GradientBoostingRegressor)
    ]


def loss_comparison(comparison: pd.DataFrame, reference: str = REFERENCE_LOSS) -> pd.DataFrame:
    """Each boosting loss against ``reference``: the change of CV MAE in percent, and of CV R²
    also in units of the folds' standard deviation of R² (the larger of the two candidates')."""
    if reference not in boosting_candidates():
        raise ValueError(f"{reference!r} is not a boosting candidate: {boosting_candidates()}")
    scores = comparison.set_index("candidate").loc[boosting_candidates()]
    base = scores.loc[reference]
    r2_change = scores.cv_r2_mean - base.cv_r2_mean
    spread = scores.cv_r2_std.clip(lower=base.cv_r2_std)
    return pd.DataFrame(
        {
            "cv_mae_mean": scores.cv_mae_mean,
            "mae_change_percent": 100 * (scores.cv_mae_mean / base.cv_mae_mean - 1),
            "cv_r2_mean": scores.cv_r2_mean,
            "r2_change": r2_change,
            "r2_change_in_fold_stds": r2_change / spread,
        }
    )
