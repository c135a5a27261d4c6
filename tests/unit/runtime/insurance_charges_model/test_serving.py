"""The serving artifact's format: a round trip, and every way a file is refused."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from insurance_charges_model.serving import (
    MANIFEST_KEY,
    FeatureEncoder,
    LinearPredictor,
    ServingArtifactError,
    ServingModel,
    TreeEnsemble,
    float32_at_or_below,
    read_serving_model,
    save_serving_model,
)

EXAMPLE = InsuranceChargesModelInput(**EXAMPLE_INPUT)


@pytest.fixture(scope="module")
def saved(model: InsuranceChargesModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "model.npz"
    save_serving_model(model.serving, path)
    return path


@pytest.fixture
def arrays(saved: Path) -> dict[str, np.ndarray]:
    with np.load(saved, allow_pickle=False) as archive:
        return {name: archive[name].copy() for name in archive.files}


def manifest(arrays: dict[str, np.ndarray]) -> dict:
    return json.loads(str(arrays[MANIFEST_KEY]))


def written(arrays: dict[str, np.ndarray], path: Path, **manifest_changes: object) -> Path:
    if manifest_changes:
        arrays[MANIFEST_KEY] = np.array(json.dumps({**manifest(arrays), **manifest_changes}))
    np.savez(path, **arrays)
    return path


def test_a_saved_model_reads_back_the_same(model: InsuranceChargesModel, saved: Path) -> None:
    loaded = read_serving_model(saved)
    assert loaded.encoder == model.serving.encoder
    assert loaded.predict([EXAMPLE]) == model.serving.predict([EXAMPLE])


def test_a_linear_model_round_trips(tmp_path: Path, model: InsuranceChargesModel) -> None:
    encoder = model.serving.encoder
    linear = ServingModel(encoder, LinearPredictor(np.arange(encoder.n_columns, dtype=float), 5.0))
    save_serving_model(linear, tmp_path / "linear.npz")
    loaded = read_serving_model(tmp_path / "linear.npz")
    assert loaded.predict([EXAMPLE]) == linear.predict([EXAMPLE])


def test_the_file_holds_no_pickle(saved: Path) -> None:
    with np.load(saved, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


inputs = st.builds(
    InsuranceChargesModelInput,
    age=st.integers(18, 65),
    sex=st.sampled_from(["female", "male"]),
    bmi=st.floats(15, 55),
    children=st.integers(0, 5),
    smoker=st.booleans(),
    region=st.sampled_from(["northeast", "northwest", "southeast", "southwest"]),
)


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(inputs, min_size=2, max_size=40))
def test_one_row_walks_to_the_same_leaves_as_a_batch(
    model: InsuranceChargesModel, batch: list[InsuranceChargesModelInput]
) -> None:
    """A single row takes a shorter path through numpy; it must land on the same price."""
    assert isinstance(model.serving.predictor, TreeEnsemble)
    together = model.serving.predict(batch)
    alone = [model.serving.predict([record])[0] for record in batch]
    np.testing.assert_array_equal(together, alone)


def test_unknown_categories_are_reported() -> None:
    encoder = FeatureEncoder(3, (("age", 0),), (("smoker", {False: None, True: 1}),))
    assert encoder.unknown_categories({"smoker": [True, False]}) == {}
    assert encoder.unknown_categories({"smoker": [True, "yes"], "sex": ["x"]}) == {
        "smoker": ["yes"],
        "sex": ["x"],
    }


def test_a_file_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.npz").write_bytes(b"PK\x03\x04 but not a zip")
    with pytest.raises(ServingArtifactError, match=r"not a readable \.npz|needs pickle"):
        read_serving_model(tmp_path / "x.npz")


def test_a_single_array_is_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.zeros(3))
    with pytest.raises(ServingArtifactError, match=r"a single array, not an \.npz archive"):
        read_serving_model(tmp_path / "x.npy")


def test_an_array_that_needs_pickle_is_refused(arrays: dict, tmp_path: Path) -> None:
    arrays["value"] = np.array([print], dtype=object)
    with pytest.raises(ServingArtifactError, match="needs pickle"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_a_missing_manifest_is_refused(arrays: dict, tmp_path: Path) -> None:
    del arrays[MANIFEST_KEY]
    with pytest.raises(ServingArtifactError, match="no 'manifest' text"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_a_manifest_that_is_not_json_is_refused(arrays: dict, tmp_path: Path) -> None:
    arrays[MANIFEST_KEY] = np.array("{not json")
    with pytest.raises(ServingArtifactError, match="manifest is not JSON"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_an_invalid_manifest_names_the_field(arrays: dict, tmp_path: Path) -> None:
    with pytest.raises(ServingArtifactError, match=r"manifest is not valid:\n  depth"):
        read_serving_model(written(arrays, tmp_path / "x.npz", depth=-1))


def test_a_later_format_is_refused(arrays: dict, tmp_path: Path) -> None:
    with pytest.raises(ServingArtifactError, match="format_version"):
        read_serving_model(written(arrays, tmp_path / "x.npz", format_version=2))


def test_an_encoder_column_beyond_the_row_is_refused(arrays: dict, tmp_path: Path) -> None:
    encoder = manifest(arrays)["encoder"]
    encoder["numeric"][0][1] = 99
    with pytest.raises(ServingArtifactError, match=r"writes columns \[99\]"):
        read_serving_model(written(arrays, tmp_path / "x.npz", encoder=encoder))


def test_missing_or_extra_arrays_are_named(arrays: dict, tmp_path: Path) -> None:
    arrays["extra"] = np.zeros(2)
    del arrays["value"]
    with pytest.raises(ServingArtifactError, match=r"holds arrays \[.*'extra'.*\], expected"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


@pytest.mark.parametrize(
    ("name", "replacement", "message"),
    [
        ("feature", lambda a: a.astype(float), "expected 1-D integer"),
        ("threshold", lambda a: a.reshape(1, -1), "2-D"),
        ("value", lambda a: a[:-1], "has shape"),
        ("value", lambda a: np.where(np.arange(a.size) == 3, np.nan, a), "holds NaN"),
        ("roots", lambda a: a + 10**9, "roots or features point outside"),
        ("feature", lambda a: a + 1000, "roots or features point outside"),
        ("left", lambda a: np.where(np.arange(a.size) == 0, -5, a), "node 0 points outside"),
    ],
)
def test_arrays_that_do_not_make_trees_are_refused(
    arrays: dict, tmp_path: Path, name: str, replacement: object, message: str
) -> None:
    arrays[name] = replacement(arrays[name])
    with pytest.raises(ServingArtifactError, match=message):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_a_leaf_that_does_not_point_to_itself_is_refused(arrays: dict, tmp_path: Path) -> None:
    leaf = int(np.flatnonzero(np.isposinf(arrays["threshold"]))[0])
    arrays["left"][leaf] = 0
    with pytest.raises(ServingArtifactError, match=f"node {leaf} .* leaf that does not point"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_trees_deeper_than_stated_are_refused(arrays: dict, tmp_path: Path) -> None:
    depth = manifest(arrays)["depth"]
    with pytest.raises(ServingArtifactError, match=f"deeper than the depth it states, {depth - 1}"):
        read_serving_model(written(arrays, tmp_path / "x.npz", depth=depth - 1))


def test_an_empty_ensemble_is_refused(arrays: dict, tmp_path: Path) -> None:
    for name in ("roots", "feature", "threshold", "left", "value"):
        arrays[name] = arrays[name][:0]
    with pytest.raises(ServingArtifactError, match="holds no tree"):
        read_serving_model(written(arrays, tmp_path / "x.npz"))


def test_a_linear_model_with_the_wrong_width_is_refused(
    tmp_path: Path, model: InsuranceChargesModel
) -> None:
    encoder = model.serving.encoder
    linear = ServingModel(encoder, LinearPredictor(np.zeros(encoder.n_columns + 1), 0.0))
    save_serving_model(linear, tmp_path / "linear.npz")
    with pytest.raises(ServingArtifactError, match="'coef' has shape"):
        read_serving_model(tmp_path / "linear.npz")


@settings(max_examples=500, deadline=None)
@example(
    threshold=0.1, x=float(np.float32(0.1))
)  # float32(0.1) is above 0.1: round down, not to nearest
@given(
    threshold=st.floats(-1e6, 1e6, allow_nan=False),
    x=st.floats(-1e6, 1e6, allow_nan=False, width=32),
)
def test_a_float32_threshold_compares_as_the_float64_one(threshold: float, x: float) -> None:
    """For a float32 input, rounding the threshold down to float32 changes no comparison."""
    [rounded] = float32_at_or_below(np.array([threshold]))
    assert rounded.dtype == np.float32
    assert (np.float32(x) > rounded) == (np.float64(np.float32(x)) > threshold)


def test_an_infinite_threshold_stays_infinite() -> None:
    assert np.isposinf(float32_at_or_below(np.array([np.inf]))).all()
