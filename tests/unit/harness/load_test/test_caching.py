import json
import random
import socket

import pandas as pd
import pytest

from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from load_test import caching
from load_test.caching import (
    LOOKUP,
    PREDICTION,
    ROUND_TRIP,
    break_even,
    cache_costs,
    cache_key,
    caching_in_brief,
    caching_sentence,
    caching_verdict,
    echo_connection,
    hit_rates,
    load_run_draw,
    main,
    repeat_share,
    request_keys,
    round_trip,
)


@pytest.mark.parametrize(
    ("keys", "share"),
    [
        ([], 0.0),
        (["a"], 0.0),
        (["a", "a"], 0.5),
        (["a", "b", "a", "c", "b", "a"], 0.5),
        (["a", "b", "c", "d"], 0.0),
    ],
)
def test_the_repeat_share_counts_each_key_seen_before(keys: list[str], share: float) -> None:
    assert repeat_share(keys) == share


def test_equal_inputs_share_a_key_whatever_the_bodys_field_order_or_number_format() -> None:
    reordered = dict(reversed(list(EXAMPLE_INPUT.items())))
    as_float = {**EXAMPLE_INPUT, "age": float(EXAMPLE_INPUT["age"])}
    bodies = [json.dumps(body).encode() for body in (EXAMPLE_INPUT, reordered, as_float)]
    older = json.dumps({**EXAMPLE_INPUT, "age": EXAMPLE_INPUT["age"] + 1}).encode()
    keys = request_keys([*bodies, older])
    assert keys[0] == keys[1] == keys[2] != keys[3]
    assert keys[0] == cache_key(InsuranceChargesModelInput(**EXAMPLE_INPUT))
    assert repeat_share(keys) == 0.5


def test_a_load_run_draws_with_replacement_and_the_same_seed_draws_the_same() -> None:
    keys = [(index,) for index in range(10)]
    draw = load_run_draw(keys, 1000)
    assert len(draw) == 1000
    assert set(draw) == set(keys)
    assert draw == load_run_draw(keys, 1000)
    assert draw != load_run_draw(keys, 1000, seed=12)


@pytest.mark.usefixtures("insurance_csv")
def test_hit_rates_on_the_rows_and_on_a_load_run_drawn_from_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [(index % 40,) for index in range(50)]  # 10 rows repeat one of the first 40
    monkeypatch.setattr(caching, "request_keys", lambda bodies: rows)
    table = hit_rates(2000)
    assert table["count"].tolist() == [50, 2000]
    assert table["distinct inputs"].tolist() == [40, 40]
    assert table["hit rate"].iloc[0] == pytest.approx(10 / 50)
    assert table["hit rate"].iloc[1] == pytest.approx(1 - 40 / 2000)
    assert table["requests"].iloc[1] == "a load run: 2,000 draws from those rows"
    assert hit_rates()["count"].tolist() == [50]


def test_a_round_trip_reaches_another_process_and_comes_back() -> None:
    with echo_connection() as connection:
        assert connection.getpeername()[0] == "127.0.0.1"
        assert round_trip(connection, b"x" * 5000) == b"x" * 5000
        assert round_trip(connection, b"key") == b"key"
    assert connection.fileno() == -1  # closed


def test_the_echo_server_is_gone_after_the_connection() -> None:
    with echo_connection() as connection:
        port = connection.getpeername()[1]
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


@pytest.mark.usefixtures("insurance_csv")
def test_cache_costs_times_the_three_paths(model: InsuranceChargesModel) -> None:
    table = cache_costs(model, repeat=50)
    assert table["path"].tolist() == [
        "a prediction: InsuranceChargesModel.predict",
        "an in-process cache hit: the key, then a dict lookup",
        "a loopback TCP round trip to another process",
    ]
    assert table["calls"].tolist() == [50, 50, 50]
    assert (table["p50 (µs)"] > 0).all()
    assert (table["p99 (µs)"] >= table["p50 (µs)"]).all()


def test_main_prints_both_tables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    asked: list[object] = []
    monkeypatch.setattr(
        caching, "hit_rates", lambda requests: asked.append(requests) or pd.DataFrame({"a": [1]})
    )
    monkeypatch.setattr(caching, "InsuranceChargesModel", lambda: "model")
    monkeypatch.setattr(
        caching,
        "cache_costs",
        lambda model, repeat: (
            asked.append((model, repeat)) or pd.DataFrame({"b": [random.random()]})
        ),
    )
    assert main(["--requests", "300", "--repeat", "20"]) == 0
    assert asked == [300, ("model", 20)]
    out = capsys.readouterr().out
    assert " a" in out
    assert " b" in out


def rates(rows: float = 0.0022, run: float = 0.9866) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "requests": ["rows", "run"],
            "count": [1338, 100_000],
            "distinct inputs": [1335, 1335],
            "hit rate": [rows, run],
        }
    )


def costs(predict: float, lookup: float, trip: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"path": [PREDICTION, LOOKUP, ROUND_TRIP], "p50 (µs)": [predict, lookup, trip]}
    )


def test_the_caching_sentence_weighs_a_hit_against_a_lookup_on_every_request() -> None:
    assert caching_sentence(rates(), costs(12.8, 1.12, 65.1)) == (
        "A hit saves a prediction of 13 µs (p50), and every request pays the lookup: 1.1 µs in "
        "an in-process dict, 65 µs for a round trip over loopback TCP to another process, the "
        "least that a cache server such as Redis costs. So a cache pays only above a hit rate "
        "of 9% in process, and never with a cache server, whose round trip costs more than a "
        "prediction. The training data's rows, each a customer as a request presents one, "
        "repeat 0.2% of the time; a load run's 100,000 draws from them repeat 98.7%, but only "
        "because Locust replays the same 1,335 customers. On customers like the training "
        "data's, an in-process cache would not pay."
    )
    cheap_server = caching_sentence(rates(rows=0.5), costs(100.0, 1.0, 60.0))
    assert "above 60% with a cache server" in cheap_server
    assert cheap_server.endswith("an in-process cache would pay.")


def test_the_brief_caching_sentence_says_whether_a_cache_would_pay() -> None:
    assert caching_in_brief(rates(), costs(12.8, 1.12, 65.1)) == (
        "A cache of predictions would not pay: the training data's customers repeat 0.2% of "
        "the time, and a cache pays only above a hit rate of 9% in process, never with a cache "
        "server, whose round trip costs more than a prediction."
    )
    assert caching_in_brief(rates(rows=0.5), costs(100.0, 1.0, 60.0)) == (
        "A cache of predictions would pay: the training data's customers repeat 50.0% of the "
        "time, and a cache pays only above a hit rate of 1% in process, above 60% with a "
        "cache server."
    )


@pytest.mark.parametrize(
    ("cost", "predict", "needed"), [(1.0, 10.0, 0.1), (10.0, 10.0, None), (65.0, 13.0, None)]
)
def test_a_cache_breaks_even_where_the_hits_savings_cover_every_lookup(
    cost: float, predict: float, needed: float | None
) -> None:
    assert break_even(cost, predict) == needed


def test_the_verdict_leaves_the_timings_to_the_page_it_links() -> None:
    link = "[the page](page.md)"
    assert caching_verdict(rates(), costs(12.8, 1.12, 65.1), link) == (
        "A cache of predictions would not pay: the training data's customers repeat 0.2% of the "
        "time, below the hit rate at which a cache saves more than its lookups cost "
        "([the page](page.md) times both)."
    )
    assert caching_verdict(rates(rows=0.5), costs(100.0, 1.0, 60.0), link).startswith(
        "A cache of predictions would pay: the training data's customers repeat 50.0% of the "
        "time, above the hit rate"
    )
