"""Find, verify and validate the "Medical Cost Personal" insurance data.

Lookup order: the path in ``INSURANCE_DATA``, then the cached ``data/insurance.csv``, then a
download from the pinned URL. Every one of them must have the pinned sha256.
"""

import logging
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from common.paths import PROJECT_ROOT
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.schemas import FEATURE_NAMES, TARGET_NAME, InsuranceChargesRecord

logger = logging.getLogger(__name__)

DATA_URL = (
    "https://raw.githubusercontent.com/stedy/Machine-Learning-with-R-datasets/"
    "ff933238d9c30da179b7e3ad4b6ca938d67efc53/insurance.csv"
)
DATA_SHA256 = "505c1cbc2e63d0363bac59501563df2530aadf4cdb9cfee226f4ef32f5468281"
DATA_ENV_VAR = "INSURANCE_DATA"
DEFAULT_CACHE_PATH = PROJECT_ROOT / "data" / "insurance.csv"
COLUMNS: tuple[str, ...] = (*FEATURE_NAMES, TARGET_NAME)
MAX_LISTED_PROBLEMS = 10
CSV_BOOLEANS = {"smoker": {"yes": True, "no": False}}
HOW_TO_PROVIDE = (
    f"Download {DATA_URL} yourself and either save it as {{cache}} or point {DATA_ENV_VAR} at it."
)


class DataError(Exception):
    """The data could not be found, verified or validated; the message says what to do."""


def verify_checksum(path: Path, expected: str = DATA_SHA256) -> None:
    """Raise DataError, naming both hashes, when the file is not the pinned dataset."""
    found = sha256_of(path)
    if found != expected:
        raise DataError(
            f"Checksum mismatch for {path}: expected sha256 {expected}, found {found}. "
            "This is not the pinned insurance dataset."
        )


def download(url: str, destination: Path, expected: str = DATA_SHA256, timeout: float = 30) -> Path:
    """Download to a temporary file, verify it, then move it into place: never a corrupt file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial_name = tempfile.mkstemp(dir=destination.parent, suffix=".partial")
    partial = Path(partial_name)
    try:
        with (
            os.fdopen(descriptor, "wb") as stream,
            urllib.request.urlopen(url, timeout=timeout) as response,
        ):
            stream.write(response.read())
        verify_checksum(partial, expected)
        partial.replace(destination)
    except (urllib.error.URLError, OSError) as error:
        raise DataError(
            f"Could not download the insurance data from {url}: {error}. "
            + HOW_TO_PROVIDE.format(cache=destination)
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    return destination


def locate_data(cache_path: Path = DEFAULT_CACHE_PATH, url: str = DATA_URL) -> Path:
    """Return a verified path to the dataset: INSURANCE_DATA, else the cache, else a download."""
    configured = os.environ.get(DATA_ENV_VAR)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise DataError(
                f"{DATA_ENV_VAR}={configured} is not a file. "
                + HOW_TO_PROVIDE.format(cache=cache_path)
            )
        verify_checksum(path)
        return path
    if cache_path.is_file():
        try:
            verify_checksum(cache_path)
            return cache_path
        except DataError as error:
            logger.warning("%s Removing the corrupt cache and downloading again.", error)
            cache_path.unlink()
    logger.info("Downloading the insurance data from %s", url)
    return download(url, cache_path)


def read_insurance_csv(path: Path) -> pd.DataFrame:
    """Read and validate the CSV: columns, missing values, types, ranges and categories."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(f"Cannot read {path} as CSV: {error}") from error
    check_columns(frame, path)
    check_missing_values(frame, path)
    return typed_frame(validate_rows(frame, path))


def check_columns(frame: pd.DataFrame, path: Path) -> None:
    """Raise DataError naming the missing and unexpected columns."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    unexpected = [column for column in frame.columns if column not in COLUMNS]
    if missing or unexpected:
        raise DataError(
            f"{path} has the wrong columns: missing {missing}, unexpected {unexpected}; "
            f"expected exactly {list(COLUMNS)}."
        )


def check_missing_values(frame: pd.DataFrame, path: Path) -> None:
    """Raise DataError naming the rows and columns that have no value."""
    positions = np.argwhere(frame.isna().to_numpy())
    if len(positions):
        problems = [
            f"line {line_number(row)}, column '{frame.columns[column]}'"
            for row, column in positions
        ]
        raise DataError(f"{path} has missing values: " + summarize(problems))


def validate_rows(frame: pd.DataFrame, path: Path) -> list[InsuranceChargesRecord]:
    """Validate every row against the record schema; raise DataError naming each bad value."""
    records, problems = [], []
    for index, row in enumerate(frame[list(COLUMNS)].to_dict(orient="records")):
        bad_booleans = [
            column for column, values in CSV_BOOLEANS.items() if row[column] not in values
        ]
        if bad_booleans:
            problems.extend(describe_bad_booleans(index, row, bad_booleans))
            continue
        decoded = row | {column: values[row[column]] for column, values in CSV_BOOLEANS.items()}
        try:
            records.append(InsuranceChargesRecord.model_validate(decoded, strict=False))
        except ValidationError as error:
            problems.extend(describe_row_errors(index, error))
    if problems:
        raise DataError(f"{path} has invalid values: " + summarize(problems))
    return records


def describe_row_errors(index: int, error: ValidationError) -> list[str]:
    """One line per bad value: row number (as in the file), column, value and what is wrong."""
    return [
        f"line {line_number(index)}, column '{detail['loc'][0]}': "
        f"{detail['input']!r} ({detail['msg']})"
        for detail in error.errors()
    ]


def describe_bad_booleans(index: int, row: dict[str, str], columns: list[str]) -> list[str]:
    """One line per yes/no column holding something else."""
    return [
        f"line {line_number(index)}, column '{column}': {row[column]!r} "
        f"(expected {' or '.join(repr(value) for value in CSV_BOOLEANS[column])})"
        for column in columns
    ]


def typed_frame(records: list[InsuranceChargesRecord]) -> pd.DataFrame:
    """A frame with the right dtypes, built from validated records."""
    frame = pd.DataFrame([record.model_dump() for record in records], columns=list(COLUMNS))
    return frame.astype(
        {"age": "int64", "children": "int64", "bmi": "float64", TARGET_NAME: "float64"}
    )


def line_number(index: int) -> int:
    """The line of the file that holds data row ``index`` (line 1 is the header)."""
    return index + 2


def summarize(problems: list[str]) -> str:
    """Join the first few problems and count the rest."""
    shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    hidden = len(problems) - MAX_LISTED_PROBLEMS
    return shown + (f"; and {hidden} more." if hidden > 0 else ".")


def load_insurance_data(path: Path | None = None) -> pd.DataFrame:
    """The validated dataset, from ``path`` when given, else found by ``locate_data``."""
    return read_insurance_csv(Path(path) if path else locate_data())


def main() -> None:
    """``python -m insurance_charges_training.data``: locate, verify and validate the dataset."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = locate_data()
        frame = read_insurance_csv(path)
    except DataError as error:
        raise SystemExit(f"error: {error}") from error
    print(f"{path}: {len(frame)} valid rows, sha256 {DATA_SHA256}")


if __name__ == "__main__":
    main()
