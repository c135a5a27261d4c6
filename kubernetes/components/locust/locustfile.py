"""The in-cluster load test: Locust users posting the project's customers to the service.

Self-contained, for the official locustio/locust image, which has none of the project's
packages. What to send (the route, the API key's header, one JSON body per training customer)
is in requests.json beside this file, written from the project's own code by
`make cluster-requests`; the key itself, when the service wants one, comes from SERVICE_API_KEY
(the service's optional Secret). No SLO gate runs here: the web UI shows the figures, and
`make load-test HOST=...` holds a service to the SLOs.
"""

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

REQUESTS_FILE = Path(__file__).with_name("requests.json")
API_KEY_VARIABLE = "SERVICE_API_KEY"


def read_requests(path: Path, api_key: str | None) -> tuple[str, dict[str, str], list[bytes]]:
    """The route, the headers (with the API key when there is one) and the bodies to send."""
    requests = json.loads(path.read_text())
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers[requests["api_key_header"]] = api_key
    return requests["route"], headers, [json.dumps(body).encode() for body in requests["bodies"]]


ROUTE, HEADERS, BODIES = read_requests(REQUESTS_FILE, os.environ.get(API_KEY_VARIABLE))


class InsuranceChargesUser(FastHttpUser):
    """A client asking for quotes as fast as it gets answers: no think time."""

    wait_time = constant(0)

    @task
    def predict(self) -> None:
        with self.client.post(
            ROUTE, data=random.choice(BODIES), headers=HEADERS, name=ROUTE, catch_response=True
        ) as response:
            if response.status_code == 200 and b'"charges"' not in response.content:
                response.failure(f"200 without charges: {response.text[:200]}")
