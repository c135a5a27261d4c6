"""When a feature drifts: the thresholds of ``configuration/drift.yaml``, and per-feature overrides.

A feature drifts when its PSI is at least ``psi`` *and* the chi-square test's p-value is below
``p_value``. With tens of thousands of records the test finds trivial differences significant;
the PSI is the size of the move, and the threshold keeps small moves quiet. Under
``min_records`` records a feature gets no verdict at all.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from common.yaml_files import load_yaml_file

PSI_DESCRIPTION = (
    "Population stability index at and above which a feature may drift: under 0.1 is usually "
    "read as stable, 0.1-0.2 as a moderate shift, above 0.2 as a significant one."
)
P_VALUE_DESCRIPTION = (
    "p-value of the chi-square goodness-of-fit test under which a shift is not chance."
)
MIN_RECORDS_DESCRIPTION = "Records of a feature under which it gets no verdict: not enough data."


class FeatureThresholds(BaseModel):
    """Thresholds for one feature; a field left out takes the file's value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    psi: float | None = Field(None, gt=0, description=PSI_DESCRIPTION)
    p_value: float | None = Field(None, gt=0, lt=1, description=P_VALUE_DESCRIPTION)
    min_records: int | None = Field(None, ge=1, description=MIN_RECORDS_DESCRIPTION)


class Thresholds(BaseModel):
    """The thresholds that apply to one feature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    psi: float = Field(gt=0, description=PSI_DESCRIPTION)
    p_value: float = Field(gt=0, lt=1, description=P_VALUE_DESCRIPTION)
    min_records: int = Field(ge=1, description=MIN_RECORDS_DESCRIPTION)


class DriftThresholds(Thresholds):
    """``configuration/drift.yaml``: the thresholds of every feature, and overrides by feature."""

    features: dict[str, FeatureThresholds] = Field(
        default_factory=dict,
        description="By feature name, thresholds that replace the ones above for that feature.",
    )

    def for_feature(self, name: str) -> Thresholds:
        """The thresholds of ``name``: its overrides, else the file's values."""
        overrides = self.features.get(name, FeatureThresholds())
        return Thresholds(
            **self.model_dump(exclude={"features"}) | overrides.model_dump(exclude_none=True)
        )


def load_thresholds(path: str | Path) -> DriftThresholds:
    """The thresholds file; ConfigurationError names the file and the fields that are wrong."""
    return load_yaml_file(path, DriftThresholds, "drift thresholds file")
