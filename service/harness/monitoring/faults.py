"""A fault to drill the alerts with: a model decorator that fails a share of the predictions.

Put it in a model's ``decorators`` in a service file, as any decorator (notebook 06 writes such
a file for its drill); it is never in a file that ships:

    - class_path: monitoring.faults.FailingShare
      kwargs: {share: 0.1}

The failing calls are spread evenly (a share of 0.1 fails the 10th, the 20th...), so a run fails
the same share whatever its length; a failed batch fails all its requests, as a broken
dependency would.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import ConfigDict, Field, validate_call

from model_contract.servable import ModelDecorator, ServableModel

Share = Annotated[float, Field(gt=0, le=1, description="The share of the calls that fail.")]


class InjectedFaultError(RuntimeError):
    """The failure FailingShare injects; the service answers it with a 500."""


class FailingShare(ModelDecorator):
    """Fails ``share`` of the calls with InjectedFaultError; passes the others down."""

    @validate_call(config=ConfigDict(arbitrary_types_allowed=True))
    def __init__(self, model: ServableModel, share: Share = 0.1) -> None:
        super().__init__(model)
        self.share, self.calls = share, 0

    def fails_now(self) -> bool:
        """Whether this call is one of the failing share: the count of failures due so far
        grows by one."""
        self.calls += 1
        return int(self.calls * self.share) > int((self.calls - 1) * self.share)

    async def predict(self, data: Any) -> Any:
        if self.fails_now():
            raise InjectedFaultError(f"a drill fails {self.share:.0%} of the predictions")
        return await self.model.predict(data)

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        if self.fails_now():
            raise InjectedFaultError(f"a drill fails {self.share:.0%} of the predictions")
        return await self.model.predict_batch(data)
