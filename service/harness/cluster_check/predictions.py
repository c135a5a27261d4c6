"""Predictions through the Service: one that must succeed, and the load the SLO rules measure.

The request is the API's own example (``EXAMPLE_INPUT``); the load is the training customers
that the in-cluster Locust sends (``load_test.cluster_requests``' file), so that the drift Job
that reads their logs has a real population to judge, and more records than it needs for a
verdict.
"""

import json
from collections.abc import Iterator
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import httpx

from cluster_check.outcomes import Outcome
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelOutput
from load_test.cluster_requests import COMPONENT_FILE
from model_service.routes import PREDICTION_ROUTE

Body = dict[str, Any]


def prediction(client: httpx.Client) -> Outcome:
    """The example customer's price, through ``client`` (the forwarded Service)."""
    response = client.post(PREDICTION_ROUTE, json=EXAMPLE_INPUT)
    if response.status_code != 200:
        return Outcome(False, f"HTTP {response.status_code}: {response.text[:300]}")
    charges = InsuranceChargesModelOutput.model_validate(response.json()).charges
    return Outcome(True, f"charges {charges:,.2f} for {json.dumps(EXAMPLE_INPUT)}")


def customers(path: Path = COMPONENT_FILE) -> list[Body]:
    """The request bodies of the in-cluster load test: one per training customer."""
    return json.loads(path.read_text())["bodies"]


def send(client: httpx.Client, bodies: list[Body]) -> list[str]:
    """POST each body; a line for each answer other than 200."""
    failed = []
    for body in bodies:
        response = client.post(PREDICTION_ROUTE, json=body)
        if response.status_code != 200:
            failed.append(f"HTTP {response.status_code}: {response.text[:200]}")
    return failed


def batches(bodies: list[Body], size: int) -> Iterator[list[Body]]:
    """``bodies`` in batches of ``size``, round and round."""
    endless = cycle(bodies)
    while True:
        yield list(islice(endless, size))


def load(client: httpx.Client, bodies: list[Body]) -> Outcome:
    """Every body sent; fails, naming the first failure, unless each got a price."""
    failed = send(client, bodies)
    if failed:
        return Outcome(False, f"{len(failed)} of {len(bodies)} predictions failed: {failed[0]}")
    return Outcome(True, f"{len(bodies)} predictions")
