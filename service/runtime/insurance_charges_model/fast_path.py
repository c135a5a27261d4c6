"""A fast prediction path compiled from a fitted scikit-learn pipeline.

``pipeline.predict`` on one row builds a DataFrame and runs the ColumnTransformer, which costs
milliseconds. Here the encoding is read once off the fitted ColumnTransformer (its categories,
dropped columns and column order), and the estimator is turned into plain numpy arrays:

- a linear model becomes ``X @ coef + intercept``;
- a tree ensemble becomes one set of flat node arrays, walked one level at a time for every
  tree at once, with the children of a node stored side by side so that
  ``next = left[node] + (x > threshold)``.

The result equals ``pipeline.predict`` up to float rounding: trees compare float32 inputs, as
scikit-learn's trees do.
"""

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.tree._tree import TREE_LEAF


class UnsupportedPipelineError(TypeError):
    """The pipeline holds a step the fast path cannot reproduce exactly."""


class Predictor(Protocol):
    def predict(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class FeatureEncoder:
    """Turns records into the matrix the fitted ColumnTransformer would produce."""

    n_columns: int
    numeric: tuple[tuple[str, int], ...]
    indicators: tuple[tuple[str, dict[Any, int | None]], ...]

    @classmethod
    def from_column_transformer(cls, transformer: ColumnTransformer) -> "FeatureEncoder":
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
        return cls(n_columns, tuple(numeric), tuple(indicators))

    def unknown_categories(self, allowed: Mapping[str, Iterable[Any]]) -> dict[str, list[Any]]:
        """Values that ``allowed`` admits but the fitted encoder never saw, by field."""
        known = dict(self.indicators)
        unknown = {
            field: [value for value in values if value not in known.get(field, {})]
            for field, values in allowed.items()
        }
        return {field: values for field, values in unknown.items() if values}

    def encode(self, records: Sequence[Any]) -> np.ndarray:
        """One row per record; a record is anything with the input fields as attributes."""
        matrix = np.zeros((len(records), self.n_columns))
        for row, record in zip(matrix, records, strict=True):
            for field, column in self.numeric:
                row[column] = getattr(record, field)
            for field, columns in self.indicators:
                column = columns.get(getattr(record, field))
                if column is not None:
                    row[column] = 1.0
        return matrix


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


@dataclass(frozen=True)
class LinearPredictor:
    """``features @ coef + intercept``."""

    coef: np.ndarray
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        return features @ self.coef + self.intercept


@dataclass(frozen=True)
class TreeEnsemble:
    """Regression trees flattened into arrays and walked for all trees at once.

    ``scale`` weights every tree's leaf values (the learning rate, or 1/n for a forest), and
    ``base`` is added to the sum (the boosting's initial prediction).
    """

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    value: np.ndarray
    depth: int
    base: float

    @classmethod
    def from_trees(cls, trees: Sequence[Any], scale: float, base: float) -> "TreeEnsemble":
        parts, roots, offset = [], [], 0
        for tree in trees:
            roots.append(offset)
            parts.append(flatten_tree(tree, offset))
            offset += tree.node_count
        feature, threshold, left, value = (
            np.concatenate(column) for column in zip(*parts, strict=True)
        )
        return cls(
            roots=np.asarray(roots, dtype=np.intp),
            feature=feature,
            threshold=threshold,
            left=left,
            value=value * scale,
            depth=max(1, *(tree.max_depth for tree in trees)),
            base=base,
        )

    def predict(self, features: np.ndarray) -> np.ndarray:
        # Round to float32 first: scikit-learn's trees compare float32 inputs with the thresholds.
        values = np.asarray(features, dtype=np.float32).astype(np.float64)
        flat = values.ravel()
        row_starts = np.arange(0, flat.size, values.shape[1])[:, np.newaxis]
        node = self.roots
        for _ in range(self.depth):
            node = self.left[node] + (flat[row_starts + self.feature[node]] > self.threshold[node])
        return self.value[node].sum(axis=1) + self.base


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


def compile_estimator(estimator: Any) -> Predictor:
    """The fast equivalent of a fitted regressor; raises UnsupportedPipelineError otherwise."""
    if isinstance(estimator, GradientBoostingRegressor):
        trees = [stage[0].tree_ for stage in estimator.estimators_]
        return TreeEnsemble.from_trees(trees, estimator.learning_rate, boosting_base(estimator))
    if isinstance(estimator, (RandomForestRegressor, ExtraTreesRegressor)):
        trees = [member.tree_ for member in estimator.estimators_]
        return TreeEnsemble.from_trees(trees, 1.0 / len(trees), 0.0)
    coef = getattr(estimator, "coef_", None)
    if coef is not None and np.ndim(coef) == 1:
        return LinearPredictor(np.asarray(coef, dtype=float), float(estimator.intercept_))
    raise UnsupportedPipelineError(f"cannot compile estimator {type(estimator).__name__}")


def boosting_base(estimator: GradientBoostingRegressor) -> float:
    """The initial prediction that boosting adds its trees to."""
    if isinstance(estimator.init_, str) and estimator.init_ == "zero":
        return 0.0
    if isinstance(estimator.init_, DummyRegressor):
        return float(np.ravel(estimator.init_.constant_)[0])
    raise UnsupportedPipelineError(f"cannot compile boosting init {estimator.init_!r}")


@dataclass(frozen=True)
class CompiledPipeline:
    """Encoder plus predictor: ``predict(records)`` equals ``pipeline.predict(frame)``."""

    encoder: FeatureEncoder
    predictor: Predictor

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> "CompiledPipeline":
        if len(pipeline) != 2 or not isinstance(pipeline[0], ColumnTransformer):
            raise UnsupportedPipelineError(
                "expected a pipeline of a ColumnTransformer and an estimator, "
                f"got steps {[name for name, _ in pipeline.steps]}"
            )
        return cls(
            FeatureEncoder.from_column_transformer(pipeline[0]), compile_estimator(pipeline[-1])
        )

    def predict(self, records: Sequence[Any]) -> np.ndarray:
        return self.predictor.predict(self.encoder.encode(records))
