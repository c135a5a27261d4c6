"""The summary JSON a load test writes beside Locust's CSV and HTML reports."""

from pathlib import Path

from pydantic import BaseModel, Field

from load_test.verdicts import Measurements, Verdict

SUMMARY_NAME = "summary.json"


class LoadSettings(BaseModel):
    """How the load was generated."""

    host: str = Field(description="The service under test.")
    shape: str = Field(description="The load shape: constant or stages.")
    users: int = Field(description="Concurrent users at the peak.")
    spawn_rate: float = Field(description="Users started (or stopped) per second.")
    duration_s: float = Field(description="Planned length of the run, in seconds.")


class LoadTestSummary(BaseModel):
    """Requests, failures, throughput and latency, each SLO and its verdict, and the gate."""

    settings: LoadSettings
    started_at: str = Field(description="When the run started, ISO 8601 UTC.")
    elapsed_s: float = Field(description="Seconds from the first to the last request.")
    measurements: Measurements
    slos: list[Verdict] = Field(description="Each SLO, its measurement and verdict.")
    generator_errors: list[str] = Field(
        description="Exceptions raised by the load generator itself; any fails the gate."
    )
    passed: bool = Field(description="Every SLO met and the load generator raised nothing.")
    breaches: list[str] = Field(description="Why the gate failed, one line each.")

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2) + "\n")
        return path


def read_summary(path: Path) -> LoadTestSummary:
    """The summary a run wrote; FileNotFoundError when the run wrote none."""
    return LoadTestSummary.model_validate_json(path.read_text())
