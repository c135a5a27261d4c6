"""Who the Locust users are: the training data's customers as they are, or a shifted population.

A population is a list of shifts, each on one feature, applied to the training customers:
``add`` or ``multiply`` a number (kept within the API's bounds), or give a category to a random
subset of the customers until it holds ``share`` of them. A shift changes its own feature and no
other, so a drift monitor that flags anything else is wrong. The populations are named in
``configuration/populations.yaml``; ``make load-test POPULATION=shifted`` picks one.
"""

import random
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError, load_yaml_file
from insurance_charges_model.schemas import AGE_RANGE, BMI_RANGE, CHILDREN_RANGE, FEATURE_NAMES

POPULATIONS_FILE = CONFIGURATION_DIR / "populations.yaml"
TRAINING = "training"
BOUNDS = {"age": AGE_RANGE, "bmi": BMI_RANGE, "children": CHILDREN_RANGE}
SEED = 7


class Shift(BaseModel):
    """One change to one feature of every customer, or of a share of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str = Field(description="The feature shifted: one of the model's inputs.")
    add: float | None = Field(None, description="A number added to a numeric feature.")
    multiply: float | None = Field(None, gt=0, description="A factor for a numeric feature.")
    value: str | bool | None = Field(None, description="The category given to some customers.")
    share: float | None = Field(
        None, gt=0, le=1, description="The share of customers that hold `value` afterwards."
    )

    @model_validator(mode="after")
    def one_kind_of_change(self) -> Self:
        if self.feature not in FEATURE_NAMES:
            raise ValueError(f"feature {self.feature!r} is not one of {list(FEATURE_NAMES)}")
        numeric = self.add is not None or self.multiply is not None
        categorical = self.value is not None or self.share is not None
        if numeric == categorical or (categorical and None in (self.value, self.share)):
            raise ValueError("give `add` or `multiply`, or both `value` and `share`")
        if numeric and self.feature not in BOUNDS:
            raise ValueError(f"{self.feature} is not numeric: give `value` and `share`")
        return self


class Populations(BaseModel):
    """The populations a load test can send, by name; ``training`` is the data as it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    populations: dict[str, list[Shift]] = Field(
        description="Each population's shifts, applied in order to the training customers."
    )

    @model_validator(mode="after")
    def has_training(self) -> Self:
        if self.populations.get(TRAINING) != []:
            raise ValueError(f"`{TRAINING}: []` must be there: the data as it is, unshifted")
        return self


def load_populations(path: Path = POPULATIONS_FILE) -> Populations:
    return load_yaml_file(path, Populations, "populations file")


def shifts_of(name: str, path: Path = POPULATIONS_FILE) -> list[Shift]:
    """The shifts of population ``name``; ConfigurationError naming the ones there are."""
    known = load_populations(path).populations
    if name not in known:
        raise ConfigurationError(f"no population {name!r} in {path}: choose one of {list(known)}")
    return known[name]


def within_bounds(feature: str, value: float) -> float | int:
    low, high = BOUNDS[feature]
    bounded = min(max(value, low), high)
    return round(bounded) if isinstance(low, int) else round(bounded, 2)


def numeric_shift(rows: list[dict[str, Any]], shift: Shift) -> None:
    for row in rows:
        value = row[shift.feature] * (shift.multiply or 1) + (shift.add or 0)
        row[shift.feature] = within_bounds(shift.feature, value)


def categorical_shift(rows: list[dict[str, Any]], shift: Shift, chooser: random.Random) -> None:
    """Give ``shift.value`` to randomly chosen other rows until it holds ``shift.share``."""
    others = [row for row in rows if row[shift.feature] != shift.value]
    wanted = round(shift.share * len(rows)) - (len(rows) - len(others))
    for row in chooser.sample(others, max(0, min(wanted, len(others)))):
        row[shift.feature] = shift.value


def shifted(rows: list[dict[str, Any]], shifts: list[Shift], seed: int = SEED) -> list[dict]:
    """Copies of ``rows`` with every shift applied in order; the same seed, the same rows."""
    copies, chooser = [dict(row) for row in rows], random.Random(seed)
    for shift in shifts:
        if shift.value is None:
            numeric_shift(copies, shift)
        else:
            categorical_shift(copies, shift, chooser)
    return copies
