"""Would a cache of predictions pay? The hit rate it would get, and what a hit would save.

    python -m load_test.caching [--requests N]

A cache keyed by a request's validated input answers a repeated request without the model. It
pays when requests repeat and when a lookup costs much less than the prediction. This module
measures both: the share of requests whose input came earlier in a stream (the hit rate of a
cache with room for every input, from a cold start), for the training data's rows as requests
would present them and for a load run's draw from them, and the time of a prediction against
an in-process lookup and against one round trip to another process over loopback TCP, the least
that a cache server such as Redis costs.
"""

import argparse
import random
import socket
import subprocess
import sys
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from load_test.customers import customer_bodies
from load_test.predict_timing import latencies_us
from load_test.run import positive_int

SEED = 11
KEY_BYTES = 64  # about a request's key, as a cache server would receive it
PREDICTION, LOOKUP, ROUND_TRIP = (
    "a prediction: InsuranceChargesModel.predict",
    "an in-process cache hit: the key, then a dict lookup",
    "a loopback TCP round trip to another process",
)
ECHO_SERVER = """
import socket
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
connection, _ = server.accept()
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while data := connection.recv(4096):
    connection.sendall(data)
"""


def cache_key(record: InsuranceChargesModelInput) -> tuple:
    """What a cache would key a prediction by: the validated input's values, in field order."""
    return tuple(record.model_dump().values())


def request_keys(bodies: Iterable[bytes]) -> list[tuple]:
    """The cache key of each request body, validated as the service validates it."""
    return [cache_key(InsuranceChargesModelInput.model_validate_json(body)) for body in bodies]


def repeat_share(keys: Iterable[Hashable]) -> float:
    """The share of ``keys`` seen earlier in the stream: an unbounded cache's hit rate."""
    seen: set[Hashable] = set()
    hits = total = 0
    for key in keys:
        total += 1
        hits += key in seen
        seen.add(key)
    return hits / total if total else 0.0


def load_run_draw(keys: list[tuple], requests: int, seed: int = SEED) -> list[tuple]:
    """``requests`` keys drawn at random with replacement, as Locust's users pick bodies."""
    chooser = random.Random(seed)
    return [chooser.choice(keys) for _ in range(requests)]


def hit_rates(requests: int | None = None, data_path: Path | None = None) -> pd.DataFrame:
    """The hit rate of an unbounded cache on the training data's rows, in their order, and on
    a load run of ``requests`` drawn from them (None: the rows alone); with the distinct inputs
    of each."""
    rows = request_keys(customer_bodies(data_path))
    streams = {"the training data's rows, each once": rows}
    if requests is not None:
        streams[f"a load run: {requests:,} draws from those rows"] = load_run_draw(rows, requests)
    return pd.DataFrame(
        [
            {
                "requests": name,
                "count": len(keys),
                "distinct inputs": len(set(keys)),
                "hit rate": repeat_share(keys),
            }
            for name, keys in streams.items()
        ]
    )


@contextmanager
def echo_connection() -> Iterator[socket.socket]:
    """A TCP connection over loopback to an echo server in a process of its own."""
    server = subprocess.Popen(
        [sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(server.stdout.readline())
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            yield connection
    finally:
        server.kill()
        server.wait()


def round_trip(connection: socket.socket, message: bytes) -> bytes:
    """Send ``message`` and read back as many bytes."""
    connection.sendall(message)
    received = b""
    while len(received) < len(message):
        received += connection.recv(len(message) - len(received))
    return received


def cache_costs(model: InsuranceChargesModel, repeat: int = 5000) -> pd.DataFrame:
    """p50 and p99 (µs) of a prediction, of an in-process cache hit (the key made from the
    validated input, then a dict lookup in a cache holding every training customer), and of a
    loopback TCP round trip to another process; timed in the same run, one after the other."""
    record = InsuranceChargesModelInput(**EXAMPLE_INPUT)
    cache = {key: 0.0 for key in request_keys(customer_bodies())}
    cache[cache_key(record)] = model.predict(record).charges
    message = b"k" * KEY_BYTES
    with echo_connection() as connection:
        paths = {
            "a prediction: InsuranceChargesModel.predict": lambda: model.predict(record),
            "an in-process cache hit: the key, then a dict lookup": lambda: cache[
                cache_key(record)
            ],
            "a loopback TCP round trip to another process": lambda: round_trip(connection, message),
        }
        samples = {name: latencies_us(call, repeat) for name, call in paths.items()}
    return pd.DataFrame(
        [
            {
                "path": name,
                "calls": repeat,
                "p50 (µs)": float(np.median(times)),
                "p99 (µs)": float(np.percentile(times, 99)),
            }
            for name, times in samples.items()
        ]
    )


def break_even(cost_us: float, predict_us: float) -> float | None:
    """The hit rate above which a cache whose every lookup costs ``cost_us`` saves time: a hit
    saves a prediction, every request pays the lookup. None: no hit rate, since a lookup costs
    a prediction or more."""
    return cost_us / predict_us if cost_us < predict_us else None


def server_text(cost_us: float, predict_us: float) -> str:
    needed = break_even(cost_us, predict_us)
    if needed is None:
        return "never with a cache server, whose round trip costs more than a prediction"
    return f"above {needed:.0%} with a cache server"


def p50s(costs: pd.DataFrame) -> tuple[float, float, float]:
    """The p50 of a prediction, an in-process lookup and a round trip, from ``cache_costs``."""
    p50 = dict(zip(costs["path"], costs["p50 (µs)"], strict=True))
    return p50[PREDICTION], p50[LOOKUP], p50[ROUND_TRIP]


def caching_sentence(rates: pd.DataFrame, costs: pd.DataFrame) -> str:
    """What ``hit_rates`` and ``cache_costs`` say about a cache, in words: the costs, the hit
    rate each kind of cache needs to pay, and the hit rates measured."""
    predict, lookup, trip = p50s(costs)
    rows, run = rates.iloc[0], rates.iloc[1]
    in_process = break_even(lookup, predict)
    pays = cache_pays(rates, costs)
    return (
        f"A hit saves a prediction of {predict:,.0f} µs (p50), and every request pays the "
        f"lookup: {lookup:,.1f} µs in an in-process dict, {trip:,.0f} µs for a round trip over "
        "loopback TCP to another process, the least that a cache server such as Redis costs. "
        f"So a cache pays only {in_process_text(in_process)}, and "
        f"{server_text(trip, predict)}. The training data's rows, each a customer as a request "
        f"presents one, repeat {rows['hit rate']:.1%} of the time; a load run's "
        f"{run['count']:,} draws from them repeat {run['hit rate']:.1%}, but only because "
        f"Locust replays the same {run['distinct inputs']:,} customers. On customers like the "
        f"training data's, an in-process cache {'would' if pays else 'would not'} pay."
    )


def in_process_text(needed: float | None) -> str:
    if needed is None:
        return "never in process"
    return f"above a hit rate of {needed:.0%} in process"


def cache_pays(rates: pd.DataFrame, costs: pd.DataFrame) -> bool:
    """Whether an in-process cache would save time on the training data's customers: their hit
    rate (``hit_rates``' first row) above the break-even of a lookup against a prediction."""
    predict, lookup, _ = p50s(costs)
    needed = break_even(lookup, predict)
    return needed is not None and rates["hit rate"].iloc[0] > needed


def caching_in_brief(rates: pd.DataFrame, costs: pd.DataFrame) -> str:
    """``caching_sentence`` in one sentence, for a summary."""
    predict, lookup, trip = p50s(costs)
    rows, in_process = rates["hit rate"].iloc[0], break_even(lookup, predict)
    pays = cache_pays(rates, costs)
    return (
        f"A cache of predictions {'would' if pays else 'would not'} pay: the training data's "
        f"customers repeat {rows:.1%} of the time, and a cache pays only "
        f"{in_process_text(in_process)}, {server_text(trip, predict)}."
    )


def caching_verdict(rates: pd.DataFrame, costs: pd.DataFrame, details: str) -> str:
    """Whether a cache would pay on the training data's customers, in one sentence that leaves
    the timings to the page ``details`` links to."""
    rows, pays = rates["hit rate"].iloc[0], cache_pays(rates, costs)
    return (
        f"A cache of predictions {'would' if pays else 'would not'} pay: the training data's "
        f"customers repeat {rows:.1%} of the time, {'above' if pays else 'below'} the hit rate "
        f"at which a cache saves more than its lookups cost ({details} times both)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=positive_int, default=100_000, help="the load run's draws"
    )
    parser.add_argument("--repeat", type=positive_int, default=5000, help="timed calls of each")
    arguments = parser.parse_args(argv)
    print(hit_rates(arguments.requests).to_string(index=False))
    print(cache_costs(InsuranceChargesModel(), arguments.repeat).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
