"""Pair what the clients were answered with what the service logged, by prediction id."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from load_test.request_log import SentRequest
from ml_model_logging.decorator import CREATED, REQUESTED


class Pairing(BaseModel):
    """Requests the clients sent, beside the prediction records the service wrote for them."""

    sent: int = Field(description="Requests the clients sent.")
    succeeded: int = Field(description="Requests answered with 200.")
    requested_records: int = Field(description="'Prediction requested' records in the log.")
    created_records: int = Field(description="'Prediction created' records in the log.")
    failures_by_error: dict[str, int] = Field(
        description="Requests without a 200, by what went wrong: an HTTP status or an exception."
    )
    succeeded_without_record: int = Field(
        description="200s whose 'Prediction created' record is missing: lost records."
    )
    records_without_success: int = Field(
        description="'Prediction created' records of requests the client got no 200 for."
    )
    requested_not_created: int = Field(
        description="Predictions the service began and never finished: dropped in flight."
    )
    duplicate_records: int = Field(description="Prediction ids logged more than once.")

    @property
    def complete(self) -> bool:
        """Every 200 has its two records, and every record a 200."""
        return (
            self.succeeded == self.requested_records == self.created_records
            and not self.succeeded_without_record
            and not self.records_without_success
            and not self.requested_not_created
            and not self.duplicate_records
        )


def ids_of(records: Iterable[dict[str, Any]], message: str) -> Counter:
    """How often each prediction id appears in records with ``message``."""
    return Counter(
        record.get("prediction_id") for record in records if record.get("message") == message
    )


def failure_kind(request: SentRequest) -> str:
    return request.error or f"HTTP {request.status}"


def pair(sent: list[SentRequest], records: list[dict[str, Any]]) -> Pairing:
    """Match the requests sent with the prediction records logged, id by id."""
    requested, created = ids_of(records, REQUESTED), ids_of(records, CREATED)
    succeeded = {request.request_id for request in sent if request.succeeded}
    return Pairing(
        sent=len(sent),
        succeeded=len(succeeded),
        requested_records=sum(requested.values()),
        created_records=sum(created.values()),
        failures_by_error=dict(
            Counter(failure_kind(request) for request in sent if not request.succeeded)
        ),
        succeeded_without_record=len(succeeded - created.keys()),
        records_without_success=len(created.keys() - succeeded),
        requested_not_created=len(requested.keys() - created.keys()),
        duplicate_records=sum(
            1 for counts in (requested, created) for count in counts.values() if count > 1
        ),
    )
