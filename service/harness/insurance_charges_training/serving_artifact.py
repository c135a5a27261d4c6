"""Compile the fitted pipeline into the serving artifact, and hold it to the pipeline.

``compile_pipeline`` reads the encoding off the fitted ColumnTransformer (its categories, dropped
columns and column order) and turns the estimator into arrays: a linear model's coefficients, or
every tree of an ensemble renumbered breadth first so that a node's children sit side by side.
``check_against_pipeline`` compares the two on the holdout and on random customers; training
refuses to save a serving artifact that differs from the pipeline by a cent on any of them.
"""

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.tree._tree import TREE_LEAF

from insurance_charges_model.schemas import (
    AGE_RANGE,
    BMI_RANGE,
    CATEGORIES,
    CHILDREN_RANGE,
    FEATURE_NAMES,
    InsuranceChargesModelInput,
)
from insurance_charges_model.serving import (
    FeatureEncoder,
    LinearPredictor,
    ServingModel,
    TreeEnsemble,
    float32_at_or_below,
)

CENT = 0.01
RANDOM_CHECKS = 20_000


class UnsupportedPipelineError(TypeError):
    """The pipeline holds a step the serving artifact cannot reproduce exactly."""


class ServingMismatchError(ValueError):
    """The serving artifact's prediction differs from the pipeline's."""


def compile_pipeline(pipeline: Pipeline) -> ServingModel:
    """The serving model of a fitted pipeline of a ColumnTransformer and an estimator."""
    if len(pipeline) != 2 or not isinstance(pipeline[0], ColumnTransformer):
        raise UnsupportedPipelineError(
            "expected a pipeline of a ColumnTransformer and an estimator, "
            f"got steps {[name for name, _ in pipeline.steps]}"
        )
    return ServingModel(compile_encoder(pipeline[0]), compile_estimator(pipeline[-1]))


def compile_encoder(transformer: ColumnTransformer) -> FeatureEncoder:
    """Where the fitted ColumnTransformer puts each field and category."""
    numeric: list[tuple[str, int]] = []
    indicators: list[tuple[str, dict[Any, int | None]]] = []
    for name, step, columns in transformer.transformers_:
        start = transformer.output_indices_[name].start
        fields = input_names(transformer, columns)
        if step == "drop" or not fields:
            continue
        if is_identity(step):
            numeric.extend((field, start + offset) for offset, field in enumerate(fields))
        elif isinstance(step, OneHotEncoder):
            indicators.extend(one_hot_columns(step, fields, start))
        else:
            raise UnsupportedPipelineError(f"cannot compile transformer {name!r}: {step!r}")
    n_columns = max(indices.stop for indices in transformer.output_indices_.values())
    return FeatureEncoder(n_columns, tuple(numeric), tuple(indicators))


def is_identity(step: Any) -> bool:
    """True for "passthrough" (fitted, it becomes a FunctionTransformer without a func)."""
    if isinstance(step, str):
        return step == "passthrough"
    return isinstance(step, FunctionTransformer) and step.func is None


def input_names(transformer: ColumnTransformer, columns: Any) -> list[str]:
    """The input column names a ColumnTransformer entry selects (names, indices or a mask)."""
    names = list(transformer.feature_names_in_)
    selected = list(np.atleast_1d(columns))
    if selected and isinstance(selected[0], (bool, np.bool_)):
        return [name for name, keep in zip(names, selected, strict=True) if keep]
    return [names[item] if isinstance(item, (int, np.integer)) else str(item) for item in selected]


def one_hot_columns(
    encoder: OneHotEncoder, fields: list[str], start: int
) -> list[tuple[str, dict[Any, int | None]]]:
    """For each field, the output column of each category (None for a dropped category)."""
    if getattr(encoder, "infrequent_categories_", None) is not None and any(
        categories is not None for categories in encoder.infrequent_categories_
    ):
        raise UnsupportedPipelineError("cannot compile a OneHotEncoder with infrequent categories")
    drop = encoder.drop_idx_ if encoder.drop_idx_ is not None else [None] * len(fields)
    result, column = [], start
    for field, categories, dropped in zip(fields, encoder.categories_, drop, strict=True):
        columns: dict[Any, int | None] = {}
        for index, value in enumerate(categories):
            columns[python_value(value)] = None if index == dropped else column
            column += index != dropped
        result.append((field, columns))
    return result


def python_value(value: Any) -> Any:
    """A category as the schema hands it over: numpy scalars become Python ones."""
    return value.item() if isinstance(value, np.generic) else value


def flatten_tree(tree: Any, offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Renumber a fitted ``tree_`` breadth first so siblings sit side by side (right = left + 1).

    A leaf points to itself with an infinite threshold, so walking past it stays put.
    """
    count = tree.node_count
    feature = np.zeros(count, dtype=np.intp)
    threshold = np.full(count, np.inf)
    left = np.zeros(count, dtype=np.intp)
    value = np.zeros(count)
    new_index = {0: 0}
    queue, next_free = deque([0]), 1
    while queue:
        old = queue.popleft()
        new = new_index[old]
        value[new] = tree.value[old, 0, 0]
        children = tree.children_left[old], tree.children_right[old]
        if children[0] == TREE_LEAF:
            left[new] = offset + new
            continue
        new_index[children[0]], new_index[children[1]] = next_free, next_free + 1
        feature[new], threshold[new], left[new] = (
            tree.feature[old],
            tree.threshold[old],
            offset + next_free,
        )
        next_free += 2
        queue.extend(children)
    return feature, threshold, left, value


def compile_estimator(estimator: Any) -> LinearPredictor | TreeEnsemble:
    """The arrays of a fitted regressor; raises UnsupportedPipelineError otherwise."""
    if isinstance(estimator, GradientBoostingRegressor):
        trees = [stage[0].tree_ for stage in estimator.estimators_]
        return tree_ensemble(trees, estimator.learning_rate, boosting_base(estimator))
    if isinstance(estimator, (RandomForestRegressor, ExtraTreesRegressor)):
        trees = [member.tree_ for member in estimator.estimators_]
        return tree_ensemble(trees, 1.0 / len(trees), 0.0)
    coef = getattr(estimator, "coef_", None)
    if coef is not None and np.ndim(coef) == 1:
        return LinearPredictor(np.asarray(coef, dtype=float), float(estimator.intercept_))
    raise UnsupportedPipelineError(f"cannot compile estimator {type(estimator).__name__}")


def tree_ensemble(trees: Sequence[Any], scale: float, base: float) -> TreeEnsemble:
    """Fitted ``tree_`` objects as one set of flat arrays, leaf values times ``scale``, in the
    smallest types that hold them exactly (the fewer bytes a prediction reads, the fewer it
    waits for)."""
    parts, roots, offset = [], [], 0
    for tree in trees:
        roots.append(offset)
        parts.append(flatten_tree(tree, offset))
        offset += tree.node_count
    feature, threshold, left, value = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    return TreeEnsemble(
        roots=np.asarray(roots, dtype=smallest_integer_type(offset)),
        feature=feature.astype(smallest_integer_type(feature.max())),
        threshold=float32_at_or_below(threshold),
        left=left.astype(smallest_integer_type(offset)),
        value=value * scale,
        depth=max(1, *(tree.max_depth for tree in trees)),
        base=base,
    )


def smallest_integer_type(largest: int) -> np.dtype:
    return np.result_type(np.min_scalar_type(int(largest)), np.int8)


def boosting_base(estimator: GradientBoostingRegressor) -> float:
    """The initial prediction that boosting adds its trees to."""
    if isinstance(estimator.init_, str) and estimator.init_ == "zero":
        return 0.0
    if isinstance(estimator.init_, DummyRegressor):
        return float(np.ravel(estimator.init_.constant_)[0])
    raise UnsupportedPipelineError(f"cannot compile boosting init {estimator.init_!r}")


def random_customers(count: int, seed: int = 0) -> pd.DataFrame:
    """``count`` customers drawn uniformly within the input schema's bounds."""
    generator = np.random.default_rng(seed)
    columns = {
        "age": generator.integers(AGE_RANGE[0], AGE_RANGE[1], count, endpoint=True),
        "bmi": np.round(generator.uniform(*BMI_RANGE, count), 2),
        "children": generator.integers(CHILDREN_RANGE[0], CHILDREN_RANGE[1], count, endpoint=True),
    }
    for field, values in CATEGORIES.items():
        columns[field] = generator.choice(np.array(values, dtype=object), count)
    return pd.DataFrame(columns)[list(FEATURE_NAMES)]


def as_inputs(features: pd.DataFrame) -> list[InsuranceChargesModelInput]:
    return [
        InsuranceChargesModelInput.model_validate(row, strict=False)
        for row in features[list(FEATURE_NAMES)].to_dict("records")
    ]


def largest_difference(
    serving: ServingModel, pipeline: Pipeline, features: pd.DataFrame
) -> tuple[float, int]:
    """The largest absolute difference in dollars between the two, and the row where it is."""
    difference = np.abs(serving.predict(as_inputs(features)) - pipeline.predict(features))
    worst = int(np.argmax(difference))
    return float(difference[worst]), worst


def check_against_pipeline(
    serving: ServingModel,
    pipeline: Pipeline,
    holdout: pd.DataFrame,
    random_count: int = RANDOM_CHECKS,
) -> dict[str, float]:
    """The largest difference on the holdout and on random customers; raises over a cent."""
    checked = {
        "holdout": holdout[list(FEATURE_NAMES)].reset_index(drop=True),
        "random customers": random_customers(random_count),
    }
    differences = {}
    for name, features in checked.items():
        difference, row = largest_difference(serving, pipeline, features)
        if difference >= CENT:
            raise ServingMismatchError(
                f"the serving artifact differs from the pipeline by ${difference:,.4f} on "
                f"{name} row {row}: {features.iloc[row].to_dict()}"
            )
        differences[name] = difference
    return differences
