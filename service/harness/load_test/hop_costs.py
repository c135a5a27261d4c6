"""What each hop of a prediction costs: the app called in process, one variant at a time.

    python -m load_test.hop_costs --requests 20000

Each variant is an ASGI app (ours, with one part taken away at a time or the API key check
added, and a hello-world route: the framework alone, the least a request can cost) driven in
this process with ``CONCURRENCY``
requests in flight, as uvicorn would call it once it has parsed the HTTP. The figure is the CPU
time of the whole process (the log writer's thread included) per request, measured with
``time.process_time``: CPU time, unlike a rate, barely moves when another program shares the
machine. What a variant saves against the full service is what its hop costs. uvicorn's HTTP
parsing and the sockets are not in these figures: they cost every app the same. Log records go
to /dev/null, a little cheaper than a pipe.
"""

import argparse
import asyncio
import contextlib
import copy
import os
import sys
import time
from collections.abc import Callable, Collection, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from common.yaml_files import ConfigurationError, read_self_contained
from insurance_charges_training.data import DataError
from load_test.customers import customer_bodies
from load_test.defaults import DEFAULTS
from load_test.reference_apps import hello_world_app
from load_test.run import positive_int
from model_service.app import create_app
from model_service.configuration import INCLUDED_FILES, ServiceConfiguration
from model_service.guards import JSON_MEDIA_TYPE
from model_service.routes import PREDICTION_ROUTE

CONCURRENCY = 32
CONSTANT_MODEL = "load_test.reference_apps.ConstantModel"
CONSTANT_TREES_MODEL = "load_test.reference_apps.ConstantTreesModel"
HEADERS = [(b"host", b"service"), (b"content-type", JSON_MEDIA_TYPE.encode())]
# The key of the variant with the API key check: any key of the minimum length would do.
DEMO_API_KEY = "hop-costs-demonstration-key"


@dataclass(frozen=True)
class Variant:
    """One app to measure: a name, how to make it from the service's configuration, and the
    headers its requests carry besides ``HEADERS``."""

    name: str
    make: Callable[[dict[str, Any]], Any]
    headers: tuple[tuple[bytes, bytes], ...] = ()


def without_batching(settings: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(settings)
    for model in changed["models"]:
        model["decorators"] = [
            decorator
            for decorator in model.get("decorators", [])
            if not decorator["class_path"].endswith("MicroBatching")
        ]
    return changed


def ours(**changes: Any) -> Callable[[dict[str, Any]], Any]:
    """Our app from the settings, after ``changes`` (a key to a value, or to a function)."""

    def make(settings: dict[str, Any]) -> Any:
        changed = without_batching(settings)
        for key, value in changes.items():
            changed = value(changed) if callable(value) else {**changed, key: value}
        return create_app(ServiceConfiguration.model_validate(changed))

    return make


def without_logging_decorator(settings: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(settings)
    for model in changed["models"]:
        model["decorators"] = []
    return changed


def constant_model(settings: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(settings)
    for model in changed["models"]:
        model["class_path"], model["kwargs"] = CONSTANT_MODEL, {}
    return changed


def constant_trees(settings: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(settings)
    for model in changed["models"]:
        model["class_path"] = CONSTANT_TREES_MODEL
    return changed


def with_api_key(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings with an API key, so the prediction route checks every request's key, as
    the cluster's pods do (their key comes from a Secret)."""
    return {**settings, "authentication": {"api_key": DEMO_API_KEY}}


API_KEY_HEADER = (b"x-api-key", DEMO_API_KEY.encode())
KEY_CHECK = "with the API key check"

VARIANTS = (
    Variant("ours: logging, metrics, every middleware", ours()),
    Variant("without the logging decorator's records", ours(models=without_logging_decorator)),
    Variant("a constant in place of the trees", ours(models=constant_trees)),
    Variant("a constant in place of the model", ours(models=constant_model)),
    Variant(
        "neither records nor model",
        ours(models=lambda s: constant_model(without_logging_decorator(s))),
    ),
    Variant("without metrics", ours(metrics=False)),
    Variant("without connection ageing", ours(max_connection_age_s=None)),
    Variant(KEY_CHECK, ours(authentication=with_api_key), (API_KEY_HEADER,)),
    Variant("hello-world FastAPI: the framework alone", lambda settings: hello_world_app()),
)


async def lifespan(app: Any) -> tuple[asyncio.Queue, asyncio.Task]:
    """Start the app's lifespan; the queue to send its shutdown, and its task."""
    inbox: asyncio.Queue = asyncio.Queue()
    answered: asyncio.Future = asyncio.get_running_loop().create_future()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] in ("lifespan.startup.complete", "lifespan.startup.failed"):
            answered.set_result(message)

    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send)
    )
    await asyncio.wait({answered, task}, return_when=asyncio.FIRST_COMPLETED)
    if not answered.done():  # the app returned, or raised, without answering
        task.result()
        raise RuntimeError("the app does not support the lifespan protocol")
    if answered.result()["type"] == "lifespan.startup.failed":
        raise RuntimeError(f"the app failed to start: {answered.result().get('message', '')}")
    return inbox, task


async def post(app: Any, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> int:
    """One POST of ``body`` to the prediction route, with ``headers`` besides ``HEADERS``; its
    status."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PREDICTION_ROUTE, "raw_path": PREDICTION_ROUTE.encode(),
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "headers": [*HEADERS, *headers, (b"content-length", str(len(body)).encode())],
    }  # fmt: skip
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # no disconnect while the app answers
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(
    app: Any, bodies: list[bytes], requests: int, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> float:
    """CPU seconds per request over ``requests``, ``CONCURRENCY`` in flight, after a warm-up;
    each request with ``headers`` besides ``HEADERS``."""
    inbox, task = await lifespan(app)
    await asyncio.sleep(1)  # the model loads in the background
    for index in range(200):
        await post(app, bodies[index % len(bodies)], headers)
    statuses: list[int] = []
    cpu_before = time.process_time()

    async def client(offset: int) -> None:
        for index in range(offset, requests, CONCURRENCY):
            statuses.append(await post(app, bodies[index % len(bodies)], headers))

    await asyncio.gather(*(client(offset) for offset in range(CONCURRENCY)))
    await asyncio.sleep(0.2)  # the log writer's last batch
    used = time.process_time() - cpu_before
    await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(task, 30)
    failed = [status for status in statuses if status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} requests failed, e.g. with {failed[0]}")
    return used / requests


@contextlib.contextmanager
def records_to_devnull() -> Iterator[None]:
    """stdout, where the service logs, goes to /dev/null while a variant runs."""
    saved, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
    try:
        yield
    finally:
        sys.stdout.close()
        sys.stdout = saved


def measure(variant: Variant, settings: dict[str, Any], requests: int) -> float:
    """CPU microseconds per request of one variant, in a fresh event loop (uvloop, as served)."""
    with records_to_devnull():
        app = variant.make(settings)
        return 1e6 * run_in_fresh_loop(drive(app, customer_bodies(), requests, variant.headers))


def chosen_variants(only: Collection[str] | None) -> list[Variant]:
    """The variants named in ``only``, in ``VARIANTS``' order (all when None); ValueError
    naming a name that is none of them."""
    if only is None:
        return list(VARIANTS)
    unknown = set(only) - {variant.name for variant in VARIANTS}
    if unknown:
        raise ValueError(f"no variant {', '.join(sorted(unknown))}")
    return [variant for variant in VARIANTS if variant.name in only]


def service_cpu_us(requests: int, config: Path = DEFAULTS.service_config) -> float:
    """Our service's CPU µs per request (the first variant), in one round: a quick figure."""
    settings = read_self_contained(config, "service configuration", INCLUDED_FILES)
    return measure(VARIANTS[0], settings, requests)


def run_in_fresh_loop(coroutine: Coroutine[Any, Any, float]) -> float:
    """``coroutine`` run by uvloop; on a thread of its own when this one runs a loop already
    (a notebook's kernel does)."""
    import uvloop

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return uvloop.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(uvloop.run, coroutine).result()


def hop_costs(
    requests: int,
    rounds: int = 5,
    config: Path = DEFAULTS.service_config,
    only: Collection[str] | None = None,
) -> pd.DataFrame:
    """Each variant's (or each named in ``only``'s) least CPU µs per request over ``rounds``,
    in turn; what it saves against the first.

    The least, not the median: what else runs on the machine only ever adds to a variant's CPU
    time (caches it evicts, cores it shares), so the least of several rounds is the closest to
    the variant's own cost.
    """
    settings = read_self_contained(config, "service configuration", INCLUDED_FILES)
    variants = chosen_variants(only)
    samples: dict[str, list[float]] = {variant.name: [] for variant in variants}
    for _ in range(rounds):
        for variant in variants:
            samples[variant.name].append(measure(variant, settings, requests))
    table = pd.DataFrame({"CPU µs per request": pd.DataFrame(samples).min()}).round(1)
    full = table.iloc[0, 0]
    table["saved against ours"] = (full - table["CPU µs per request"]).round(1)
    table["share of ours"] = (table["saved against ours"] / full).map("{:.0%}".format)
    return table


def reader_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A ``hop_costs`` table as the post shows it: the variant a column, units in the headers,
    the share of ours a fraction (negative where a variant costs more than ours)."""
    full = table["CPU µs per request"].iloc[0]
    return pd.DataFrame(
        {
            "variant": table.index,
            "CPU per request (µs)": table["CPU µs per request"].to_numpy(),
            "saved against ours (µs)": table["saved against ours"].to_numpy(),
            "share of ours": (table["saved against ours"] / full).to_numpy(),
        }
    )


def api_key_sentence(table: pd.DataFrame) -> str:
    """What the API key check adds to a request's CPU, from a ``hop_costs`` table holding ours
    and the key check; too little to measure when the difference is under 1 µs."""
    full = table["CPU µs per request"].iloc[0]
    added = table.loc[KEY_CHECK, "CPU µs per request"] - full
    if added < 1:
        return (
            f"The API key check adds too little CPU to measure here ({added:+.1f} µs against the "
            f"service's {full:,.0f} µs a request, within the rounds' spread)."
        )
    return (
        f"The API key check adds {added:,.0f} µs of CPU to each request, {added / full:.0%} of "
        f"the service's {full:,.0f} µs."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=positive_int, default=20_000, help="per variant and round"
    )
    parser.add_argument(
        "--rounds", type=positive_int, default=5, help="rounds, the variants in turn"
    )
    parser.add_argument(
        "--config", type=Path, default=DEFAULTS.service_config, help="the service's file"
    )
    arguments = parser.parse_args(argv)
    try:
        table = hop_costs(arguments.requests, arguments.rounds, arguments.config)
    except (ConfigurationError, DataError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
