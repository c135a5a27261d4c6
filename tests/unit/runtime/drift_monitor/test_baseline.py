import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from drift_monitor.baseline import (
    BASELINE_NAME,
    METRICS_NAME,
    SHA256_FIELD,
    Baseline,
    BaselineError,
    CategoricalReference,
    CategoryShare,
    NumericReference,
    build_baseline,
    categorical_reference,
    load_baseline,
    numeric_reference,
    save_baseline,
)
from support.drift_logs import MODEL, PREDICTION, VERSION, customers, toy_baseline


def test_numeric_bins_are_the_deciles_with_infinite_outer_edges() -> None:
    reference = numeric_reference(np.arange(1, 101), "input")
    assert reference.edges == [-math.inf, 10, 20, 30, 40, 50, 60, 70, 80, 90, math.inf]
    # [-inf, 10) holds 1-9; [90, +inf) holds 90-100
    assert reference.shares == pytest.approx([0.09, *[0.1] * 8, 0.11])


def test_equal_edges_are_merged_and_no_bin_is_empty() -> None:
    reference = numeric_reference([0] * 50 + [1] * 30 + [2] * 20, "input")
    assert reference.edges == [-math.inf, 1, 2, math.inf]
    assert reference.shares == pytest.approx([0.5, 0.3, 0.2])


def test_a_constant_column_is_one_bin() -> None:
    reference = numeric_reference([7.0] * 10, "output")
    assert (reference.edges, reference.shares, reference.source) == (
        [-math.inf, math.inf],
        [1.0],
        "output",
    )


def test_a_value_on_an_edge_falls_in_the_bin_above() -> None:
    reference = numeric_reference(np.arange(1, 101), "input")
    assert reference.counts([9.99, 10, 10.5, 95, -1e9]).tolist() == [2, 2, 0, 0, 0, 0, 0, 0, 0, 1]


def test_categorical_shares_keep_booleans_integers_and_strings_apart() -> None:
    reference = categorical_reference(
        [np.True_, True, False, 1, np.int64(1), "a", "a", "a"], "input"
    )
    shares = {(type(c.value), c.value): c.share for c in reference.categories}
    assert shares == {
        (bool, False): 1 / 8,
        (bool, True): 2 / 8,
        (int, 1): 2 / 8,
        (str, "a"): 3 / 8,
    }
    counts, unseen = reference.counts([True, 1, 1, "b", False])
    assert counts.tolist() == [1, 1, 2, 0]
    assert unseen == 1


def test_values_of_another_type_are_not_accepted() -> None:
    numeric = numeric_reference([1.0, 2.0], "input")
    assert [numeric.accepts(v) for v in (3, 2.5, True, "3", None, math.nan, math.inf)] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert not numeric.accepts(10**400)
    booleans = categorical_reference([True, False], "input")
    assert [booleans.accepts(v) for v in (True, 1, "yes", None)] == [True, False, False, False]


def test_a_baseline_has_every_column_with_its_kind_and_source() -> None:
    baseline = toy_baseline()
    assert (baseline.model_qualified_name, baseline.model_version, baseline.rows) == (
        MODEL,
        VERSION,
        2000,
    )
    kinds = {name: (type(f), f.source) for name, f in baseline.features.items()}
    assert kinds == {
        "age": (NumericReference, "input"),
        "smoker": (CategoricalReference, "input"),
        "region": (CategoricalReference, "input"),
        PREDICTION: (NumericReference, "output"),
    }


@pytest.mark.parametrize(
    ("columns", "options", "message"),
    [
        ({"a": [1], "b": [1, 2]}, {}, r"one length, above 0, not \[1, 2\]"),
        ({"a": []}, {}, r"one length, above 0, not \[0\]"),
        ({"a": [1]}, {"categorical": ["c"]}, r"\['c'\] are not among the columns \['a'\]"),
        ({"a": [1]}, {"outputs": ["y"]}, r"\['y'\] are not among the columns"),
        ({"a": [1.0, math.nan]}, {}, "column 'a': .* not finite numbers"),
        ({"a": [1.5]}, {"categorical": ["a"]}, r"column 'a': categories must be .* \['float'\]"),
    ],
)
def test_columns_that_make_no_baseline_are_refused(
    columns: dict, options: dict, message: str
) -> None:
    arguments = {"categorical": (), "outputs": ()} | options
    with pytest.raises(ValueError, match=message):
        build_baseline(columns, model_qualified_name=MODEL, model_version=VERSION, **arguments)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    baseline = toy_baseline()
    path = tmp_path / BASELINE_NAME
    sha256 = save_baseline(baseline, path)
    assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_baseline(path) == baseline
    edges = json.loads(path.read_text())["features"]["age"]["edges"]
    assert (edges[0], edges[-1]) == ("-Infinity", "Infinity")


def test_a_missing_baseline_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"No baseline at .*baseline.json.*make train"):
        load_baseline(tmp_path / BASELINE_NAME)


def test_a_baseline_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / BASELINE_NAME
    path.write_text("{not json")
    with pytest.raises(BaselineError, match=r"baseline.json is not JSON"):
        load_baseline(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.pop("model_version"), r"model_version: Field required"),
        (lambda b: b["features"]["age"]["shares"].pop(), "10 bins, not 9 shares"),
        (lambda b: b["features"]["age"]["edges"].pop(0), "edges must start at -inf"),
        (lambda b: b["features"]["age"]["edges"].insert(2, 30.0), "edges must increase strictly"),
        (lambda b: b["features"]["smoker"]["categories"][0].update(share=0.5), "add up to"),
        (lambda b: b["features"]["smoker"]["categories"][0].update(value=True), "listed twice"),
        (lambda b: b["features"]["age"].update(kind="ordinal"), r"features\.age: Input tag"),
        (lambda b: b.update(features={}), r"features: .*at least 1 item"),
    ],
)
def test_a_baseline_that_does_not_fit_the_schema_names_the_field(
    tmp_path: Path, change: object, message: str
) -> None:
    content = json.loads(toy_baseline().model_dump_json())
    change(content)
    path = tmp_path / BASELINE_NAME
    path.write_text(json.dumps(content))
    with pytest.raises(BaselineError, match=rf"is not a valid baseline:\n(.|\n)*{message}"):
        load_baseline(path)


def saved_with_metrics(tmp_path: Path, metrics: object) -> Path:
    path = tmp_path / BASELINE_NAME
    save_baseline(toy_baseline(), path)
    (tmp_path / METRICS_NAME).write_text(json.dumps(metrics))
    return path


def test_a_baseline_matching_the_metrics_beside_it_loads(tmp_path: Path) -> None:
    path = tmp_path / BASELINE_NAME
    sha256 = save_baseline(toy_baseline(), path)
    (tmp_path / METRICS_NAME).write_text(json.dumps({SHA256_FIELD: sha256, "r2": 0.9}))
    assert isinstance(load_baseline(path), Baseline)


def test_a_baseline_that_differs_from_the_metrics_beside_it_is_refused(tmp_path: Path) -> None:
    recorded = "0" * 64
    path = saved_with_metrics(tmp_path, {SHA256_FIELD: recorded})
    found = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(
        BaselineError, match=rf"its sha256 is {found}, but .*metrics.json records {recorded}"
    ):
        load_baseline(path)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ({"r2": 0.9}, "records no baseline_sha256: .*wrote no baseline"),
        ([1, 2], "records no baseline_sha256"),
        ({SHA256_FIELD: 42}, "records no baseline_sha256"),
    ],
)
def test_metrics_without_the_baseline_sha256_are_refused(
    tmp_path: Path, metrics: object, message: str
) -> None:
    with pytest.raises(BaselineError, match=message):
        load_baseline(saved_with_metrics(tmp_path, metrics))


def test_unreadable_metrics_beside_it_are_refused(tmp_path: Path) -> None:
    path = saved_with_metrics(tmp_path, {})
    (tmp_path / METRICS_NAME).write_text("{broken")
    with pytest.raises(BaselineError, match=r"cannot read the sha256 of .* from .*metrics.json"):
        load_baseline(path)


def test_a_numeric_column_gives_shares_that_add_up(tmp_path: Path) -> None:
    reference = numeric_reference(customers()[PREDICTION], "output")
    assert sum(reference.shares) == pytest.approx(1)
    assert min(reference.shares) > 0


def test_every_field_of_the_baseline_has_a_description() -> None:
    for schema in (Baseline, NumericReference, CategoricalReference, CategoryShare):
        for name, field in schema.model_fields.items():
            assert field.description, f"{schema.__name__}.{name}"


def test_numpy_values_are_counted_as_the_plain_values_logs_hold() -> None:
    reference = categorical_reference([True, False], "input")
    counts, unseen = reference.counts([np.True_, np.False_, np.True_])
    assert (counts.tolist(), unseen) == ([1, 2], 0)
