"""Compiling the pipeline into the serving artifact, held to the pipeline's own predictions."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from insurance_charges_model.schemas import FEATURE_NAMES, InsuranceChargesModelInput
from insurance_charges_model.serving import read_serving_model, save_serving_model
from insurance_charges_training.serving_artifact import (
    RANDOM_CHECKS,
    ServingMismatchError,
    UnsupportedPipelineError,
    check_against_pipeline,
    compile_pipeline,
    random_customers,
)
from insurance_charges_training.training import (
    TrainingResult,
    build_pipeline,
    candidate_estimators,
)

CENT = 0.01


def records(frame: pd.DataFrame) -> list[InsuranceChargesModelInput]:
    return [
        InsuranceChargesModelInput.model_validate(row, strict=False)
        for row in frame.to_dict("records")
    ]


@pytest.fixture(scope="module")
def features(insurance_frame: pd.DataFrame) -> pd.DataFrame:
    return insurance_frame[list(FEATURE_NAMES)]


@pytest.fixture(scope="module")
def inputs(features: pd.DataFrame) -> list[InsuranceChargesModelInput]:
    return records(features)


def fitted(estimator: object, frame: pd.DataFrame) -> Pipeline:
    return build_pipeline(estimator).fit(frame[list(FEATURE_NAMES)], frame.charges)


@pytest.mark.parametrize(
    "estimator",
    [
        *candidate_estimators().values(),
        ExtraTreesRegressor(n_estimators=20, random_state=0),
        LinearRegression(),
    ],
    ids=[*candidate_estimators(), "extra_trees", "linear_regression"],
)
def test_compiled_equals_pipeline_on_every_row(
    estimator: object, insurance_frame: pd.DataFrame, features: pd.DataFrame, inputs: list
) -> None:
    pipeline = fitted(estimator, insurance_frame)
    compiled = compile_pipeline(pipeline)
    difference = np.abs(compiled.predict(inputs) - pipeline.predict(features))
    assert difference.max() < CENT


def test_encoding_matches_the_column_transformer(
    insurance_frame: pd.DataFrame, features: pd.DataFrame, inputs: list
) -> None:
    pipeline = fitted(LinearRegression(), insurance_frame)
    compiled = compile_pipeline(pipeline)
    np.testing.assert_array_equal(compiled.encoder.encode(inputs), pipeline[0].transform(features))


def test_a_single_record_equals_its_row_in_a_batch(
    insurance_frame: pd.DataFrame, inputs: list
) -> None:
    compiled = compile_pipeline(fitted(candidate_estimators()["boosting_huber"], insurance_frame))
    batch = compiled.predict(inputs[:50])
    singles = [compiled.predict([record])[0] for record in inputs[:50]]
    np.testing.assert_array_equal(batch, singles)


def test_encoding_follows_the_fitted_column_order(
    insurance_frame: pd.DataFrame, features: pd.DataFrame
) -> None:
    """Numbers first, categories dropping their first level: derived, not hard-coded."""
    columns = ColumnTransformer(
        [
            ("numeric", "passthrough", ["bmi", "age"]),
            ("categorical", OneHotEncoder(drop="first", sparse_output=False), ["region", "smoker"]),
        ],
        remainder="drop",
    )
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())]).fit(
        features, insurance_frame.charges
    )
    compiled = compile_pipeline(pipeline)
    np.testing.assert_array_equal(
        compiled.encoder.encode(records(features)), pipeline[0].transform(features)
    )
    np.testing.assert_allclose(
        compiled.predict(records(features)), pipeline.predict(features), atol=CENT
    )


def test_unknown_categories_are_reported(insurance_frame: pd.DataFrame) -> None:
    compiled = compile_pipeline(fitted(LinearRegression(), insurance_frame))
    assert compiled.encoder.unknown_categories({"smoker": [True, False], "sex": ["male"]}) == {}
    assert compiled.encoder.unknown_categories(
        {"region": ["north", "southwest"], "sex": ["x"]}
    ) == {
        "region": ["north"],
        "sex": ["x"],
    }


def test_unsupported_estimator_is_named(insurance_frame: pd.DataFrame) -> None:
    with pytest.raises(
        UnsupportedPipelineError, match="cannot compile estimator KNeighborsRegressor"
    ):
        compile_pipeline(fitted(KNeighborsRegressor(), insurance_frame))


def test_unsupported_transformer_is_named(
    insurance_frame: pd.DataFrame, features: pd.DataFrame
) -> None:
    columns = ColumnTransformer([("scaled", StandardScaler(), ["age", "bmi"])])
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())]).fit(
        features, insurance_frame.charges
    )
    with pytest.raises(UnsupportedPipelineError, match="cannot compile transformer 'scaled'"):
        compile_pipeline(pipeline)


def test_unexpected_pipeline_shape_is_named(insurance_frame: pd.DataFrame) -> None:
    numeric = insurance_frame[["age", "bmi"]]
    pipeline = Pipeline([("scale", StandardScaler()), ("regress", LinearRegression())]).fit(
        numeric, insurance_frame.charges
    )
    with pytest.raises(UnsupportedPipelineError, match=r"got steps \['scale', 'regress'\]"):
        compile_pipeline(pipeline)


def test_infrequent_categories_are_refused(
    insurance_frame: pd.DataFrame, features: pd.DataFrame
) -> None:
    columns = ColumnTransformer(
        [("categorical", OneHotEncoder(min_frequency=330, sparse_output=False), ["region"])]
    )
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())]).fit(
        features, insurance_frame.charges
    )
    [infrequent] = pipeline[0].named_transformers_["categorical"].infrequent_categories_
    assert infrequent is not None, "three of the four regions have fewer than 330 rows"
    with pytest.raises(UnsupportedPipelineError, match="infrequent categories"):
        compile_pipeline(pipeline)


def test_the_trained_model_equals_its_pipeline_on_random_customers(
    training_result: TrainingResult, tmp_path: Path
) -> None:
    """At least 20,000 customers drawn across the input schema, through the saved file."""
    customers = random_customers(RANDOM_CHECKS, seed=7)
    assert len(customers) >= 20_000
    save_serving_model(compile_pipeline(training_result.pipeline), tmp_path / "model.npz")
    served = read_serving_model(tmp_path / "model.npz").predict(records(customers))
    difference = np.abs(served - training_result.pipeline.predict(customers))
    assert difference.max() < CENT


def test_random_customers_cover_the_schema() -> None:
    customers = random_customers(5_000)
    assert customers.age.between(18, 65).all()
    assert customers.bmi.between(15, 55).all()
    assert set(customers.children) == set(range(6))
    assert set(customers.smoker) == {True, False}
    assert customers.region.nunique() == 4
    assert len(records(customers)) == 5_000  # every one passes the input schema


def test_the_check_reports_both_sets(training_result: TrainingResult) -> None:
    serving = compile_pipeline(training_result.pipeline)
    differences = check_against_pipeline(
        serving, training_result.pipeline, training_result.holdout, random_count=500
    )
    assert set(differences) == {"holdout", "random customers"}
    assert max(differences.values()) < CENT


def test_a_serving_model_that_differs_is_refused_with_the_row(
    training_result: TrainingResult,
) -> None:
    serving = compile_pipeline(training_result.pipeline)
    shifted = replace(
        serving, predictor=replace(serving.predictor, base=serving.predictor.base + 1)
    )
    with pytest.raises(
        ServingMismatchError, match=r"differs from the pipeline by \$1.0000 on holdout row"
    ):
        check_against_pipeline(shifted, training_result.pipeline, training_result.holdout, 10)
