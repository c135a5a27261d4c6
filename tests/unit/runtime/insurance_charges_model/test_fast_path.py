import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from insurance_charges_model.fast_path import CompiledPipeline, UnsupportedPipelineError
from insurance_charges_model.schemas import FEATURE_NAMES, InsuranceChargesModelInput
from insurance_charges_training.training import build_pipeline, candidate_estimators

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
    compiled = CompiledPipeline.from_pipeline(pipeline)
    difference = np.abs(compiled.predict(inputs) - pipeline.predict(features))
    assert difference.max() < CENT


def test_encoding_matches_the_column_transformer(
    insurance_frame: pd.DataFrame, features: pd.DataFrame, inputs: list
) -> None:
    pipeline = fitted(LinearRegression(), insurance_frame)
    compiled = CompiledPipeline.from_pipeline(pipeline)
    np.testing.assert_array_equal(compiled.encoder.encode(inputs), pipeline[0].transform(features))


def test_a_single_record_equals_its_row_in_a_batch(
    insurance_frame: pd.DataFrame, inputs: list
) -> None:
    compiled = CompiledPipeline.from_pipeline(
        fitted(candidate_estimators()["boosting_huber"], insurance_frame)
    )
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
    compiled = CompiledPipeline.from_pipeline(pipeline)
    np.testing.assert_array_equal(
        compiled.encoder.encode(records(features)), pipeline[0].transform(features)
    )
    np.testing.assert_allclose(
        compiled.predict(records(features)), pipeline.predict(features), atol=CENT
    )


def test_unknown_categories_are_reported(insurance_frame: pd.DataFrame) -> None:
    compiled = CompiledPipeline.from_pipeline(fitted(LinearRegression(), insurance_frame))
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
        CompiledPipeline.from_pipeline(fitted(KNeighborsRegressor(), insurance_frame))


def test_unsupported_transformer_is_named(
    insurance_frame: pd.DataFrame, features: pd.DataFrame
) -> None:
    columns = ColumnTransformer([("scaled", StandardScaler(), ["age", "bmi"])])
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())]).fit(
        features, insurance_frame.charges
    )
    with pytest.raises(UnsupportedPipelineError, match="cannot compile transformer 'scaled'"):
        CompiledPipeline.from_pipeline(pipeline)


def test_unexpected_pipeline_shape_is_named(insurance_frame: pd.DataFrame) -> None:
    numeric = insurance_frame[["age", "bmi"]]
    pipeline = Pipeline([("scale", StandardScaler()), ("regress", LinearRegression())]).fit(
        numeric, insurance_frame.charges
    )
    with pytest.raises(UnsupportedPipelineError, match=r"got steps \['scale', 'regress'\]"):
        CompiledPipeline.from_pipeline(pipeline)


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
        CompiledPipeline.from_pipeline(pipeline)
