"""The serving artifact: the fitted encoding and the estimator as plain arrays, read with numpy.

Training compiles the scikit-learn pipeline into this form (``insurance_charges_training.
serving_artifact``) and checks it against the pipeline; the service loads only this file, so the
image needs neither scikit-learn nor skops. The file is an ``.npz`` archive read with
``allow_pickle=False``: it holds numbers and one JSON manifest, and loading it builds no object a
file could choose. Every array is checked before the model answers a request, so a damaged file
is refused at start-up rather than failing a prediction.

- The encoding puts each numeric field in its column and sets the column of each category.
- A linear model is ``X @ coef + intercept``.
- A tree ensemble is every tree's nodes in flat arrays, numbered so that a node's children sit
  side by side: ``next = left[node] + (x[feature[node]] > threshold[node])``. A leaf points to
  itself with an infinite threshold, so walking past it stays put. All trees are walked at once,
  one level at a time; leaf values are already scaled (learning rate, or 1/n for a forest), and
  ``base`` is added to their sum.

Trees compare float32 inputs with their thresholds, as scikit-learn's trees do; the thresholds
are stored as float32 too (training rounds each down, which keeps every comparison exact).
"""

import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.yaml_files import describe_errors

FORMAT_VERSION = 1
MANIFEST_KEY = "manifest"
TREE_ARRAYS = {
    "roots": np.integer,
    "feature": np.integer,
    "threshold": np.floating,
    "left": np.integer,
    "value": np.floating,
}
LINEAR_ARRAYS = {"coef": np.floating}


class ServingArtifactError(ValueError):
    """The serving artifact cannot be read, or its arrays do not make a model."""


Category = str | bool


class EncoderManifest(BaseModel):
    """Where each input field goes in the encoded row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_columns: int = Field(ge=1, description="Columns of the encoded row.")
    numeric: list[tuple[str, Annotated[int, Field(ge=0)]]] = Field(
        description="Numeric fields, each with the column it is copied into."
    )
    indicators: list[tuple[str, list[tuple[Category, Annotated[int, Field(ge=0)] | None]]]] = Field(
        description="Categorical fields: each category with the column it sets to 1 "
        "(null for a dropped category, which sets none)."
    )


class ServingManifest(BaseModel):
    """The JSON inside the archive: the encoding, and the estimator's kind and scalars."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: Literal[1] = Field(description="The layout of this file.")
    encoder: EncoderManifest
    estimator: Literal["trees", "linear"] = Field(description="Which arrays the file holds.")
    depth: int = Field(default=0, ge=0, description="Levels to walk: the deepest tree's depth.")
    base: float = Field(default=0.0, description="Added to the sum of the trees' leaves.")
    intercept: float = Field(default=0.0, description="The linear model's intercept.")


class Predictor(Protocol):
    def predict(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class FeatureEncoder:
    """Turns records into the matrix the fitted ColumnTransformer would produce."""

    n_columns: int
    numeric: tuple[tuple[str, int], ...]
    indicators: tuple[tuple[str, dict[Any, int | None]], ...]

    @classmethod
    def from_manifest(cls, manifest: EncoderManifest) -> "FeatureEncoder":
        indicators = tuple((field, dict(columns)) for field, columns in manifest.indicators)
        return cls(manifest.n_columns, tuple(manifest.numeric), indicators)

    def manifest(self) -> EncoderManifest:
        return EncoderManifest(
            n_columns=self.n_columns,
            numeric=list(self.numeric),
            indicators=[(field, list(columns.items())) for field, columns in self.indicators],
        )

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


@dataclass(frozen=True)
class LinearPredictor:
    """``features @ coef + intercept``."""

    coef: np.ndarray
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        return features @ self.coef + self.intercept


@dataclass(frozen=True)
class TreeEnsemble:
    """Regression trees as flat node arrays, walked for all trees at once."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    value: np.ndarray
    depth: int
    base: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        # float32, as scikit-learn's trees compare their inputs.
        values = np.asarray(features, dtype=np.float32)
        if len(values) == 1:
            return np.array([self.predict_row(values[0])])
        flat = values.ravel()
        row_starts = np.arange(0, flat.size, values.shape[1])[:, np.newaxis]
        node = self.roots
        for _ in range(self.depth):
            node = self.left[node] + (flat[row_starts + self.feature[node]] > self.threshold[node])
        return self.value[node].sum(axis=1) + self.base

    def predict_row(self, row: np.ndarray) -> float:
        """One row: the same walk, without the rows' offsets.

        Every step works on one node per tree. Under about 500 elements numpy keeps the GIL
        through an operation; above, it lets go and takes it back, and in a service whose log
        writer thread is waiting for the GIL, each hand-over costs both threads CPU time
        (comparing every node at once, thousands of them, cost more than this walk in the
        service, though less in a loop: `make benchmark-hops` against `make benchmark-model`).
        """
        node = self.roots
        for _ in range(self.depth):
            node = self.left[node] + (row[self.feature[node]] > self.threshold[node])
        return float(self.value[node].sum() + self.base)


@dataclass(frozen=True)
class ServingModel:
    """Encoder plus predictor: ``predict(records)`` equals the fitted pipeline's prediction."""

    encoder: FeatureEncoder
    predictor: LinearPredictor | TreeEnsemble

    def predict(self, records: Sequence[Any]) -> np.ndarray:
        return self.predictor.predict(self.encoder.encode(records))


def manifest_of(model: ServingModel) -> ServingManifest:
    predictor = model.predictor
    common = {"format_version": FORMAT_VERSION, "encoder": model.encoder.manifest()}
    if isinstance(predictor, TreeEnsemble):
        return ServingManifest(
            **common, estimator="trees", depth=predictor.depth, base=predictor.base
        )
    return ServingManifest(**common, estimator="linear", intercept=predictor.intercept)


def arrays_of(predictor: LinearPredictor | TreeEnsemble) -> dict[str, np.ndarray]:
    names = TREE_ARRAYS if isinstance(predictor, TreeEnsemble) else LINEAR_ARRAYS
    return {name: np.asarray(getattr(predictor, name)) for name in names}


def save_serving_model(model: ServingModel, path: Path) -> None:
    """Write the arrays and the manifest as an uncompressed ``.npz`` (no pickled object)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = np.array(manifest_of(model).model_dump_json())
    with open(path, "wb") as stream:
        np.savez(stream, **{MANIFEST_KEY: manifest}, **arrays_of(model.predictor))


def read_serving_model(path: Path) -> ServingModel:
    """The model in ``path``, after checking every array; ServingArtifactError otherwise."""
    arrays = read_arrays(path)
    manifest = read_manifest(arrays.pop(MANIFEST_KEY, None))
    encoder = FeatureEncoder.from_manifest(manifest.encoder)
    check_encoder(manifest.encoder)
    if manifest.estimator == "linear":
        check_names(arrays, LINEAR_ARRAYS)
        coef = checked_array(arrays, "coef", np.floating, (manifest.encoder.n_columns,))
        return ServingModel(encoder, LinearPredictor(coef.astype(np.float64), manifest.intercept))
    return ServingModel(encoder, tree_ensemble(arrays, manifest))


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the archive; an object array (which only pickle builds) is refused."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ServingArtifactError("it is a single array, not an .npz archive")
        with loaded:
            return {name: loaded[name] for name in loaded.files}
    except ServingArtifactError:
        raise
    except ValueError as error:
        raise ServingArtifactError(
            f"it needs pickle, or is not an .npz archive: {error}"
        ) from error
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ServingArtifactError(f"it is not a readable .npz archive: {error}") from error


def read_manifest(array: np.ndarray | None) -> ServingManifest:
    if array is None or array.shape != () or array.dtype.kind != "U":
        raise ServingArtifactError(f"it has no {MANIFEST_KEY!r} text")
    try:
        return ServingManifest.model_validate(json.loads(str(array)))
    except json.JSONDecodeError as error:
        raise ServingArtifactError(f"its manifest is not JSON: {error}") from error
    except ValidationError as error:
        raise ServingArtifactError(
            f"its manifest is not valid:\n{describe_errors(error)}"
        ) from error


def check_encoder(encoder: EncoderManifest) -> None:
    columns = [column for _, column in encoder.numeric] + [
        column for _, categories in encoder.indicators for _, column in categories
    ]
    outside = sorted(
        {column for column in columns if column is not None and column >= encoder.n_columns}
    )
    if outside:
        raise ServingArtifactError(
            f"its encoder writes columns {outside}, beyond its {encoder.n_columns} columns"
        )


def check_names(arrays: Mapping[str, np.ndarray], expected: Mapping[str, Any]) -> None:
    if set(arrays) != set(expected):
        raise ServingArtifactError(f"it holds arrays {sorted(arrays)}, expected {sorted(expected)}")


def checked_array(
    arrays: Mapping[str, np.ndarray], name: str, kind: type, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """The named array, 1-D, of ``kind`` (and ``shape``), with no NaN."""
    array = arrays[name]
    if array.ndim != 1 or not np.issubdtype(array.dtype, kind):
        raise ServingArtifactError(
            f"its {name!r} is a {array.ndim}-D {array.dtype} array, expected 1-D {kind.__name__}"
        )
    if shape is not None and array.shape != shape:
        raise ServingArtifactError(f"its {name!r} has shape {array.shape}, expected {shape}")
    if np.issubdtype(kind, np.floating) and np.isnan(array).any():
        raise ServingArtifactError(f"its {name!r} holds NaN")
    return array


def tree_ensemble(arrays: Mapping[str, np.ndarray], manifest: ServingManifest) -> TreeEnsemble:
    check_names(arrays, TREE_ARRAYS)
    roots = checked_array(arrays, "roots", np.integer)
    nodes = (len(arrays["feature"]),)
    feature, threshold, left, value = (
        checked_array(arrays, name, kind, nodes)
        for name, kind in TREE_ARRAYS.items()
        if name != "roots"
    )
    # Indices as numpy's own index type, so no gather converts them first.
    roots, feature, left = (indices.astype(np.intp) for indices in (roots, feature, left))
    threshold, value = float32_at_or_below(threshold), value.astype(np.float64)
    check_tree_structure(roots, feature, threshold, left, manifest)
    return TreeEnsemble(roots, feature, threshold, left, value, manifest.depth, manifest.base)


def check_tree_structure(
    roots: np.ndarray,
    feature: np.ndarray,
    threshold: np.ndarray,
    left: np.ndarray,
    manifest: ServingManifest,
) -> None:
    """Every index in range, and ``depth`` steps from any root end on a leaf."""
    count, leaf = len(feature), np.isposinf(threshold)
    if count == 0 or len(roots) == 0:
        raise ServingArtifactError("it holds no tree")
    if not (in_range(roots, count) and in_range(feature, manifest.encoder.n_columns)):
        raise ServingArtifactError("its roots or features point outside their arrays")
    children_ok = np.where(leaf, left == np.arange(count), (left >= 0) & (left + 1 < count))
    if not children_ok.all():
        raise ServingArtifactError(
            f"its node {int(np.argmin(children_ok))} points outside the nodes, or is a leaf "
            "that does not point to itself"
        )
    reached = roots
    for _ in range(manifest.depth):
        reached = np.unique(np.concatenate([left[reached], left[reached] + ~leaf[reached]]))
    if not leaf[reached].all():
        raise ServingArtifactError(
            f"its trees are deeper than the depth it states, {manifest.depth}"
        )


def float32_at_or_below(thresholds: np.ndarray) -> np.ndarray:
    """Each threshold as the largest float32 at or below it.

    Trees compare float32 inputs: for a float32 ``x``, ``x > t`` exactly when ``x`` is above the
    largest float32 that is not above ``t``. So the comparison stays exact in float32, with half
    the bytes.
    """
    rounded = np.asarray(thresholds).astype(np.float32)
    above = rounded > thresholds
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def in_range(indices: np.ndarray, size: int) -> bool:
    return bool(((indices >= 0) & (indices < size)).all())
