"""FailingShare fails its share of the calls, spread evenly, and nothing else."""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from model_contract.servable import served
from monitoring.faults import FailingShare, InjectedFaultError
from support.stub_models import StubInput, StubModel


def outcomes(decorator: FailingShare, calls: int) -> list[bool]:
    """For each call, whether it failed."""

    async def run() -> list[bool]:
        failed = []
        for _ in range(calls):
            try:
                await decorator.predict(StubInput(x=1))
                failed.append(False)
            except InjectedFaultError:
                failed.append(True)
        return failed

    return asyncio.run(run())


@given(share=st.floats(min_value=0.01, max_value=1), calls=st.integers(1, 400))
def test_the_failures_are_the_share_of_the_calls_rounded_down(share: float, calls: int) -> None:
    failed = outcomes(FailingShare(served(StubModel()), share=share), calls)
    assert sum(failed) == int(calls * share)


def test_a_share_of_a_tenth_fails_every_tenth_call() -> None:
    failed = outcomes(FailingShare(served(StubModel()), share=0.1), 30)
    assert [i + 1 for i, fails in enumerate(failed) if fails] == [10, 20, 30]


def test_a_batch_fails_as_one_call() -> None:
    decorator = FailingShare(served(StubModel()), share=0.5)
    assert asyncio.run(decorator.predict_batch([StubInput(x=1), StubInput(x=2)])) is not None
    with pytest.raises(InjectedFaultError, match="fails 50% of the predictions"):
        asyncio.run(decorator.predict_batch([StubInput(x=1)]))


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_a_share_outside_0_to_1_is_refused(share: float) -> None:
    with pytest.raises(ValidationError, match="share"):
        FailingShare(served(StubModel()), share=share)
