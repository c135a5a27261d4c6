"""The service's SLIs as Prometheus sees them: PromQL over the metrics it scraped.

Over time, each SLI is a rate over a short window (``WINDOW``), since a run lasts seconds; in
production the recording rules of ``configuration/prometheus/rules.yml`` give the same ratios over
the SRE workbook's windows. Over a whole run, the counters and histogram buckets read at its end
give the totals, since a run starts a fresh service whose counters start at zero.

Where the two clocks start and stop: Locust times a request from before it sends it to after it
has read the answer, so its latency holds both network trips and the time a request waits in the
kernel's and uvicorn's queues; the service's histogram times it from its middleware's first call
to the response's last byte handed to the server. A quantile from the histogram is interpolated
within its bucket (``LATENCY_BUCKETS``), Locust's is rounded to its own steps.
"""

from dataclasses import dataclass

import pandas as pd

from monitoring.burn_rates import PREDICTIONS, REQUEST_DURATION, REQUESTS
from monitoring.prometheus import LocalPrometheus

WINDOW = "10s"


@dataclass(frozen=True)
class Selectors:
    """Which series are the service's predictions: the route and the model labels."""

    route: str
    model: str

    @property
    def requests(self) -> str:
        return f'{REQUESTS}{{route="{self.route}"}}'

    @property
    def errors(self) -> str:
        return f'{REQUESTS}{{route="{self.route}",status=~"5.."}}'

    @property
    def buckets(self) -> str:
        return f'{REQUEST_DURATION}_bucket{{route="{self.route}"}}'

    @property
    def predictions(self) -> str:
        return f'{PREDICTIONS}{{model="{self.model}"}}'


def over_time(selectors: Selectors, window: str = WINDOW) -> dict[str, str]:
    """PromQL for each SLI as a rate over ``window``: the columns of the charts."""
    requests = f"sum(rate({selectors.requests}[{window}]))"
    return {
        "requests per second": requests,
        "error ratio": f"(sum(rate({selectors.errors}[{window}])) or vector(0)) / {requests}",
        "p50 ms": quantile(0.5, f"rate({selectors.buckets}[{window}])"),
        "p90 ms": quantile(0.9, f"rate({selectors.buckets}[{window}])"),
        "p99 ms": quantile(0.99, f"rate({selectors.buckets}[{window}])"),
        "predictions per second": f"sum(rate({selectors.predictions}[{window}]))",
    }


def whole_run(selectors: Selectors) -> dict[str, str]:
    """PromQL for each SLI over a whole run, read at its end (the counters started at zero)."""
    return {
        "requests": f"sum({selectors.requests})",
        "errors": f"sum({selectors.errors}) or vector(0)",
        "p50 ms": quantile(0.5, selectors.buckets),
        "p99 ms": quantile(0.99, selectors.buckets),
        "predictions": f"sum({selectors.predictions})",
    }


def quantile(q: float, buckets: str) -> str:
    """The ``q`` quantile of a histogram's buckets, in milliseconds."""
    return f"1000 * histogram_quantile({q}, sum by (le) ({buckets}))"


def slis_over_time(
    prometheus: LocalPrometheus, selectors: Selectors, start: float, end: float, step: str = "2s"
) -> pd.DataFrame:
    """Each SLI over ``start``-``end``, one row per step, indexed by seconds from ``start``."""
    columns = {
        name: prometheus.query_range(expression, start, end, step)
        for name, expression in over_time(selectors).items()
    }
    frame = pd.DataFrame(columns)
    frame.index = frame.index - start
    frame.index.name = "seconds"
    return frame


def slis_of_run(prometheus: LocalPrometheus, selectors: Selectors, end: float) -> dict[str, float]:
    """Each SLI over a whole run, from the counters and buckets at ``end``."""
    return {
        name: prometheus.scalar(expression, at=end)
        for name, expression in whole_run(selectors).items()
    }
