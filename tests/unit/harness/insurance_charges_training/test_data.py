from pathlib import Path

import pandas as pd
import pytest

from insurance_charges_training import data
from insurance_charges_training.data import (
    DATA_ENV_VAR,
    DATA_SHA256,
    DataError,
    load_insurance_data,
    locate_data,
    read_insurance_csv,
    sha256_of,
)

HEADER = "age,sex,bmi,children,smoker,region,charges"
GOOD_ROW = "19,female,27.9,0,yes,southwest,16884.924"


def write_csv(directory: Path, *lines: str) -> Path:
    path = directory / "insurance.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)


@pytest.fixture
def corrupt_copy(tmp_path: Path, insurance_csv: Path) -> Path:
    """The real file with one value changed: same shape, different checksum."""
    path = tmp_path / "corrupt.csv"
    path.write_bytes(insurance_csv.read_bytes().replace(b"16884.924", b"16884.925", 1))
    return path


def test_the_real_file_loads_with_types(insurance_csv: Path) -> None:
    frame = read_insurance_csv(insurance_csv)
    assert len(frame) == 1338
    assert list(frame.columns) == ["age", "sex", "bmi", "children", "smoker", "region", "charges"]
    numeric = frame[["age", "bmi", "children", "charges"]].dtypes.astype(str).to_dict()
    assert numeric == {"age": "int64", "bmi": "float64", "children": "int64", "charges": "float64"}
    assert set(frame.region) == {"northeast", "northwest", "southeast", "southwest"}
    assert sha256_of(insurance_csv) == DATA_SHA256


def test_environment_variable_comes_first(
    monkeypatch: pytest.MonkeyPatch, insurance_csv: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_ENV_VAR, str(insurance_csv))
    assert (
        locate_data(cache_path=tmp_path / "absent.csv", url="file:///nonexistent") == insurance_csv
    )


def test_wrong_checksum_names_both_hashes(
    monkeypatch: pytest.MonkeyPatch, corrupt_copy: Path
) -> None:
    monkeypatch.setenv(DATA_ENV_VAR, str(corrupt_copy))
    with pytest.raises(
        DataError, match=rf"expected sha256 {DATA_SHA256}, found {sha256_of(corrupt_copy)}"
    ):
        locate_data()
    assert corrupt_copy.exists(), "a file the user pointed at is never deleted"


def test_environment_variable_pointing_nowhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "missing.csv"))
    with pytest.raises(DataError, match=r"missing\.csv is not a file.*Download"):
        locate_data()


@pytest.mark.usefixtures("no_env")
def test_verified_cache_is_used(insurance_csv: Path, tmp_path: Path) -> None:
    cache = tmp_path / "data" / "insurance.csv"
    cache.parent.mkdir()
    cache.write_bytes(insurance_csv.read_bytes())
    assert locate_data(cache_path=cache, url="file:///nonexistent") == cache


@pytest.mark.usefixtures("no_env")
def test_download_is_verified_and_cached(insurance_csv: Path, tmp_path: Path) -> None:
    cache = tmp_path / "data" / "insurance.csv"
    assert locate_data(cache_path=cache, url=insurance_csv.as_uri()) == cache
    assert sha256_of(cache) == DATA_SHA256
    assert sorted(path.name for path in cache.parent.iterdir()) == ["insurance.csv"]


@pytest.mark.usefixtures("no_env")
def test_corrupt_cache_is_replaced_by_a_fresh_download(
    insurance_csv: Path, corrupt_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "insurance.csv"
    cache.write_bytes(corrupt_copy.read_bytes())
    assert locate_data(cache_path=cache, url=insurance_csv.as_uri()) == cache
    assert sha256_of(cache) == DATA_SHA256


@pytest.mark.usefixtures("no_env")
def test_download_with_wrong_checksum_keeps_no_file(corrupt_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "data" / "insurance.csv"
    with pytest.raises(DataError, match=f"expected sha256 {DATA_SHA256}"):
        locate_data(cache_path=cache, url=corrupt_copy.as_uri())
    assert list(cache.parent.iterdir()) == []


@pytest.mark.usefixtures("no_env")
def test_failed_download_says_how_to_provide_the_file(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "insurance.csv"
    with pytest.raises(
        DataError, match=rf"Could not download.*save it as {cache}.*point {DATA_ENV_VAR}"
    ):
        locate_data(cache_path=cache, url=(tmp_path / "nowhere.csv").as_uri())
    assert list(cache.parent.iterdir()) == []


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER.replace(",smoker", ""), GOOD_ROW.replace(",yes", ""))
    with pytest.raises(DataError, match=r"missing \['smoker'\], unexpected \[\]"):
        read_insurance_csv(path)


def test_unexpected_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + ",income", GOOD_ROW + ",1000")
    with pytest.raises(DataError, match=r"missing \[\], unexpected \['income'\]"):
        read_insurance_csv(path)


def test_unknown_category_names_line_column_and_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, GOOD_ROW, GOOD_ROW.replace("southwest", "midwest"))
    with pytest.raises(
        DataError, match=r"line 3, column 'region': 'midwest' \(Input should be 'northeast'"
    ):
        read_insurance_csv(path)


def test_missing_value_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, GOOD_ROW.replace("27.9", ""))
    with pytest.raises(DataError, match=r"missing values: line 2, column 'bmi'\."):
        read_insurance_csv(path)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (GOOD_ROW.replace("19,", "nineteen,", 1), r"column 'age': 'nineteen'"),
        (GOOD_ROW.replace("19,", "19.5,", 1), r"column 'age': '19.5'"),
        (
            GOOD_ROW.replace(",16884.924", ",-5"),
            r"column 'charges': '-5' \(Input should be greater than 0",
        ),
        (
            GOOD_ROW.replace(",0,", ",9,"),
            r"column 'children': '9' \(Input should be less than or equal to 5",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, row: str, problem: str) -> None:
    path = write_csv(tmp_path, HEADER, row)
    with pytest.raises(DataError, match=rf"line 2, {problem}"):
        read_insurance_csv(path)


def test_smoker_must_be_yes_or_no(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, GOOD_ROW, GOOD_ROW.replace("yes", "true"))
    with pytest.raises(
        DataError, match=r"line 3, column 'smoker': 'true' \(expected 'yes' or 'no'\)\.$"
    ):
        read_insurance_csv(path)


def test_many_problems_are_counted_not_all_listed(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, *[GOOD_ROW.replace("yes", "maybe")] * 15)
    with pytest.raises(DataError, match=r"line 11, .*; and 5 more\.$"):
        read_insurance_csv(path)


@pytest.mark.parametrize("content", ["", 'age,sex\n"unterminated,male\n'])
def test_unreadable_file_is_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "insurance.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=r"insurance\.csv"):
        read_insurance_csv(path)


def test_load_insurance_data_takes_an_explicit_path(insurance_csv: Path) -> None:
    frame = load_insurance_data(insurance_csv)
    assert isinstance(frame, pd.DataFrame)
    assert frame.smoker.dtype == bool


def test_command_line_reports_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    data.main()
    assert "1338 valid rows" in capsys.readouterr().out


def test_command_line_fails_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "missing.csv"))
    with pytest.raises(SystemExit, match=r"error: .*missing\.csv is not a file"):
        data.main()
