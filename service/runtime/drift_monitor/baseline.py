"""The baseline: each feature's reference distribution, from the rows a model learned from.

A numeric feature is cut into bins at its deciles, with -inf and +inf as the outer edges; each
bin holds the values ``edges[i] <= x < edges[i + 1]``. The cuts are values of the data (no
interpolation), equal cuts are merged and a cut at the minimum is dropped, so no bin of the
reference data is empty. A categorical feature keeps the share of each category. Training saves
the baseline as JSON beside the model and records its sha256 in the training's ``metrics.json``;
loading refuses a baseline that does not match it.
"""

import hashlib
import json
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from common.yaml_files import describe_errors

BASELINE_NAME = "baseline.json"
# The training's record beside the baseline, and its field holding the baseline's sha256.
METRICS_NAME = "metrics.json"
SHA256_FIELD = "baseline_sha256"
DECILES = tuple(tenth / 10 for tenth in range(1, 10))  # exact: linspace gives 0.30000000000000004
SHARES_TOLERANCE = 1e-6
# JSON has no infinity: the outer edges are written "-Infinity" and "Infinity".
JSON_CONFIG = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")

Category = StrictBool | StrictInt | StrictStr
Source = Literal["input", "output"]
Share = Annotated[float, Field(ge=0, le=1)]
SOURCE_DESCRIPTION = "Where a log record carries it: the logged `input`, or the `output`."


class BaselineError(Exception):
    """A baseline is missing, unreadable, altered, or does not fit its schema."""


def check_shares(shares: Iterable[float], what: str) -> None:
    total = sum(shares)
    if abs(total - 1) > SHARES_TOLERANCE:
        raise ValueError(f"the shares of {what} add up to {total}, not 1")


def bin_counts(edges: Sequence[float], values: Collection[float]) -> np.ndarray:
    """How many of ``values`` fall in each bin: ``edges[i] <= x < edges[i + 1]``."""
    bins = np.searchsorted(edges[1:-1], np.asarray(values, dtype=float), side="right")
    return np.bincount(bins, minlength=len(edges) - 1)


def category_key(value: Any) -> tuple[str, Any]:
    """A category with its type: the logged ``1`` is not the category ``True``."""
    return type(value).__name__, value


class NumericReference(BaseModel):
    """A numeric feature: bins and the share of the reference data in each."""

    model_config = JSON_CONFIG

    kind: Literal["numeric"] = Field("numeric", description="Binned at its deciles.")
    source: Source = Field(description=SOURCE_DESCRIPTION)
    edges: list[float] = Field(
        description="Bin edges, increasing from -inf to +inf: bin i holds edges[i] <= x < "
        "edges[i + 1]."
    )
    shares: list[Share] = Field(description="Share of the reference data in each bin.")

    @model_validator(mode="after")
    def consistent(self) -> Self:
        if len(self.edges) < 2 or self.edges[0] != -math.inf or self.edges[-1] != math.inf:
            raise ValueError("edges must start at -inf and end at +inf")
        if any(low >= high for low, high in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("edges must increase strictly")
        if len(self.shares) != len(self.edges) - 1:
            raise ValueError(
                f"{len(self.edges)} edges make {len(self.edges) - 1} bins, not "
                f"{len(self.shares)} shares"
            )
        check_shares(self.shares, "the bins")
        return self

    def accepts(self, value: Any) -> bool:
        """A finite number (a boolean is not one)."""
        if type(value) not in (int, float):
            return False
        try:
            return math.isfinite(value)
        except OverflowError:  # an integer too large for a float
            return False

    def labels(self) -> list[str]:
        return [
            f"[{low:g}, {high:g})" for low, high in zip(self.edges, self.edges[1:], strict=False)
        ]

    def counts(self, values: Collection[float]) -> np.ndarray:
        """How many of ``values`` fall in each bin."""
        return bin_counts(self.edges, values)


class CategoryShare(BaseModel):
    """One category and its share of the reference data."""

    model_config = JSON_CONFIG

    value: Category = Field(description="The category, as the log records carry it.")
    share: Share = Field(description="Its share of the reference data.")


class CategoricalReference(BaseModel):
    """A categorical feature: the share of each category."""

    model_config = JSON_CONFIG

    kind: Literal["categorical"] = Field("categorical", description="Counted by value.")
    source: Source = Field(description=SOURCE_DESCRIPTION)
    categories: list[CategoryShare] = Field(
        min_length=1, description="Every category of the reference data, with its share."
    )

    @model_validator(mode="after")
    def consistent(self) -> Self:
        keys = [category_key(category.value) for category in self.categories]
        if len(set(keys)) != len(keys):
            raise ValueError("a category is listed twice")
        check_shares((category.share for category in self.categories), "the categories")
        return self

    def accepts(self, value: Any) -> bool:
        """A value of a type the categories have: ``"yes"`` is no answer for booleans."""
        return type(value) in {type(category.value) for category in self.categories}

    def labels(self) -> list[str]:
        return [json.dumps(category.value) for category in self.categories]

    def counts(self, values: Iterable[Any]) -> tuple[np.ndarray, int]:
        """How many of ``values`` are each category, and how many are none of them."""
        found = Counter(category_key(python_value(value)) for value in values)
        known = [found.pop(category_key(category.value), 0) for category in self.categories]
        return np.array(known), sum(found.values())


FeatureReference = Annotated[NumericReference | CategoricalReference, Field(discriminator="kind")]


class Baseline(BaseModel):
    """The reference distribution of each feature of one model, saved as JSON."""

    model_config = JSON_CONFIG

    model_qualified_name: str = Field(description="The model whose log records are compared.")
    model_version: str = Field(description="Its version: records of other versions are skipped.")
    rows: int = Field(gt=0, description="Rows of reference data the distributions come from.")
    features: dict[str, FeatureReference] = Field(
        min_length=1, description="By name, each input feature and prediction."
    )


def python_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value a log record would hold."""
    return value.item() if isinstance(value, np.generic) else value


def numeric_reference(values: Collection[float], source: Source) -> NumericReference:
    """Bins at the deciles of ``values`` (see the module's docstring) and their shares."""
    array = np.asarray(values, dtype=float)
    if not np.isfinite(array).all():
        raise ValueError("a numeric feature holds values that are not finite numbers")
    cuts = np.unique(np.quantile(array, DECILES, method="inverted_cdf"))
    cuts = cuts[cuts > array.min()]  # a cut at the minimum would leave the first bin empty
    edges = [-math.inf, *cuts.tolist(), math.inf]
    shares = bin_counts(edges, array) / len(array)
    return NumericReference(source=source, edges=edges, shares=shares.tolist())


def categorical_reference(values: Iterable[Any], source: Source) -> CategoricalReference:
    """The share of each category of ``values``, in a stable order."""
    plain = [python_value(value) for value in values]
    wrong = sorted({type(value).__name__ for value in plain} - {"bool", "int", "str"})
    if wrong:
        raise ValueError(f"categories must be booleans, integers or strings, not {wrong}")
    found = Counter(category_key(value) for value in plain)
    categories = [
        CategoryShare(value=value, share=count / len(plain))
        for (_, value), count in sorted(found.items(), key=lambda item: item[0])
    ]
    return CategoricalReference(source=source, categories=categories)


def build_baseline(
    columns: Mapping[str, Collection[Any]],
    categorical: Collection[str],
    outputs: Collection[str],
    model_qualified_name: str,
    model_version: str,
) -> Baseline:
    """A baseline from plain columns (name -> values, all of one length).

    ``categorical`` names the categorical columns (the others are numeric), and ``outputs`` the
    predictions (the others are inputs).
    """
    lengths = {len(values) for values in columns.values()}
    unknown = sorted((set(categorical) | set(outputs)) - set(columns))
    if unknown:
        raise ValueError(f"{unknown} are not among the columns {list(columns)}")
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"the columns must have one length, above 0, not {sorted(lengths)}")
    features = {}
    for name, values in columns.items():
        source = "output" if name in outputs else "input"
        try:
            make = categorical_reference if name in categorical else numeric_reference
            features[name] = make(values, source)
        except ValueError as error:
            raise ValueError(f"column {name!r}: {error}") from error
    return Baseline(
        model_qualified_name=model_qualified_name,
        model_version=model_version,
        rows=lengths.pop(),
        features=features,
    )


def save_baseline(baseline: Baseline, path: Path) -> str:
    """Write the baseline as JSON and return the file's sha256."""
    content = (baseline.model_dump_json(indent=2) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()


def recorded_sha256(metrics_path: Path, baseline_path: Path) -> str:
    """The baseline's sha256 as the training recorded it in ``metrics_path``."""
    try:
        metrics = json.loads(metrics_path.read_text())
    except (OSError, ValueError) as error:
        raise BaselineError(
            f"cannot read the sha256 of {baseline_path} from {metrics_path} beside it: {error}"
        ) from error
    recorded = metrics.get(SHA256_FIELD) if isinstance(metrics, dict) else None
    if not isinstance(recorded, str):
        raise BaselineError(
            f"{metrics_path} beside {baseline_path} records no {SHA256_FIELD}: it comes from a "
            "training that wrote no baseline. Train the model again (`make train`)."
        )
    return recorded


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sha256(path: Path, content: bytes) -> None:
    """Refuse a baseline whose sha256 differs from the one recorded beside it, if any."""
    metrics_path = path.parent / METRICS_NAME
    if not metrics_path.is_file():
        return
    found = hashlib.sha256(content).hexdigest()
    recorded = recorded_sha256(metrics_path, path)
    if found != recorded:
        raise BaselineError(
            f"Refusing {path}: its sha256 is {found}, but {metrics_path} records {recorded}. "
            "The baseline was altered or comes from another training: train the model again "
            "(`make train`), or use the baseline saved with this metrics.json."
        )


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline, checked against the sha256 in the ``metrics.json`` beside it, if any."""
    path = Path(path)
    if not path.is_file():
        raise BaselineError(
            f"No baseline at {path}. Training writes one beside the model (`make train`)."
        )
    try:
        content = path.read_bytes()
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error}") from error
    check_sha256(path, content)
    try:
        json.loads(content)
    except ValueError as error:
        raise BaselineError(f"{path} is not JSON: {error}") from error
    try:
        return Baseline.model_validate_json(content)
    except ValidationError as error:
        raise BaselineError(f"{path} is not a valid baseline:\n{describe_errors(error)}") from error
