import asyncio
import copy
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError, read_self_contained
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT
from load_test import hop_costs as hop_costs_module
from load_test.defaults import DEFAULTS
from load_test.hop_costs import (
    API_KEY_HEADER,
    CONSTANT_MODEL,
    CONSTANT_TREES_MODEL,
    DEMO_API_KEY,
    KEY_CHECK,
    VARIANTS,
    Variant,
    api_key_sentence,
    constant_model,
    constant_trees,
    hop_costs,
    lifespan,
    main,
    measure,
    ours,
    post,
    reader_rows,
    records_to_devnull,
    service_cpu_us,
    without_batching,
    without_logging_decorator,
)
from load_test.reference_apps import ConstantModel
from model_service.configuration import INCLUDED_FILES, ServiceConfiguration, import_object
from model_service.routes import PREDICTION_ROUTE
from support.services import LOGGING_DECORATOR, MICRO_BATCHING

INSURANCE_MODEL = f"{InsuranceChargesModel.__module__}.{InsuranceChargesModel.__name__}"
CONSTANT = "a constant in place of the model"
CEILING = "hello-world FastAPI: the framework alone"
COLUMNS = ["CPU µs per request", "saved against ours", "share of ours"]


@pytest.fixture
def settings() -> dict[str, Any]:
    """The local service's configuration, its logging file inline, as ``hop_costs`` reads it."""
    return read_self_contained(DEFAULTS.service_config, "service configuration", INCLUDED_FILES)


def decorators_of(settings: dict[str, Any]) -> list[list[str]]:
    return [[d["class_path"] for d in model.get("decorators", [])] for model in settings["models"]]


def variant(name: str) -> Variant:
    return next(variant for variant in VARIANTS if variant.name == name)


def test_the_variants_are_measured_on_the_projects_local_configuration() -> None:
    assert DEFAULTS.service_config == CONFIGURATION_DIR / "local.yaml"
    assert import_object(CONSTANT_MODEL) is ConstantModel


def test_without_batching_drops_only_the_micro_batcher_in_a_copy(settings: dict) -> None:
    original = copy.deepcopy(settings)
    assert decorators_of(settings) == [[MICRO_BATCHING, LOGGING_DECORATOR]]
    changed = without_batching(settings)
    assert decorators_of(changed) == [[LOGGING_DECORATOR]]
    assert changed["models"][0]["class_path"] == INSURANCE_MODEL
    assert settings == original


def test_without_batching_accepts_a_model_with_no_decorators() -> None:
    changed = without_batching({"models": [{"class_path": "m.M"}]})
    assert changed == {"models": [{"class_path": "m.M", "decorators": []}]}


def test_without_logging_decorator_leaves_every_model_bare_in_a_copy(settings: dict) -> None:
    original = copy.deepcopy(settings)
    assert decorators_of(without_logging_decorator(settings)) == [[]]
    assert settings == original


def test_constant_trees_keep_the_models_arguments_and_decorators(settings: dict) -> None:
    original = copy.deepcopy(settings)
    changed = constant_trees(settings)
    model = changed["models"][0]
    assert model["class_path"] == CONSTANT_TREES_MODEL
    assert model["kwargs"] == original["models"][0]["kwargs"]
    assert decorators_of(changed) == decorators_of(original)
    assert settings == original


def test_constant_model_takes_the_models_place_behind_the_same_decorators(
    settings: dict,
) -> None:
    original = copy.deepcopy(settings)
    settings["models"][0]["kwargs"] = {"artifact_path": "models/x.skops"}
    changed = constant_model(settings)
    model = changed["models"][0]
    assert (model["class_path"], model["kwargs"]) == (CONSTANT_MODEL, {})
    assert decorators_of(changed) == decorators_of(original)
    assert settings["models"][0]["class_path"] == INSURANCE_MODEL


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[ServiceConfiguration]:
    """The configurations ``create_app`` is called with; it builds nothing."""
    configurations: list[ServiceConfiguration] = []

    def create_app(configuration: ServiceConfiguration) -> str:
        configurations.append(configuration)
        return "app"

    monkeypatch.setattr(hop_costs_module, "create_app", create_app)
    return configurations


def test_ours_applies_values_and_functions_after_taking_batching_out(
    settings: dict, built: list[ServiceConfiguration]
) -> None:
    make = ours(models=constant_model, metrics=False, max_connection_age_s=None)
    assert make(settings) == "app"
    (configuration,) = built
    model = configuration.models[0]
    assert model.class_path == CONSTANT_MODEL
    assert [decorator.class_path for decorator in model.decorators] == [LOGGING_DECORATOR]
    assert configuration.metrics is False
    assert configuration.max_connection_age_s is None
    assert configuration.title == settings["title"]


def test_ours_rejects_a_change_the_configuration_schema_does_not_know(settings: dict) -> None:
    with pytest.raises(ValueError, match="scrape_interval_s"):
        ours(scrape_interval_s=15)(settings)


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("ours: logging, metrics, every middleware", {}),
        ("without the logging decorator's records", {"decorators": []}),
        (CONSTANT, {"class_path": CONSTANT_MODEL}),
        ("neither records nor model", {"class_path": CONSTANT_MODEL, "decorators": []}),
        ("without metrics", {"metrics": False}),
        ("without connection ageing", {"max_connection_age_s": None}),
    ],
)
def test_each_variant_of_ours_takes_away_one_part(
    settings: dict, built: list[ServiceConfiguration], name: str, changes: dict[str, Any]
) -> None:
    variant(name).make(settings)
    (configuration,) = built
    full = ServiceConfiguration.model_validate(settings)
    assert full.max_connection_age_s is not None  # else taking it away would show nothing
    expected = {
        "class_path": INSURANCE_MODEL,
        "decorators": [LOGGING_DECORATOR],
        "metrics": True,
        "max_connection_age_s": full.max_connection_age_s,
        **changes,
    }
    assert {
        "class_path": configuration.models[0].class_path,
        "decorators": [decorator.class_path for decorator in configuration.models[0].decorators],
        "metrics": configuration.metrics,
        "max_connection_age_s": configuration.max_connection_age_s,
    } == expected


def test_ours_comes_first_and_the_ceiling_is_not_our_service(
    settings: dict, built: list[ServiceConfiguration]
) -> None:
    assert VARIANTS[0].name.startswith("ours")  # hop_costs holds every row against the first
    assert len({variant.name for variant in VARIANTS}) == len(VARIANTS) == 9
    assert variant(CEILING).make(settings).title == "Hello world"
    assert built == []


def run_with_lifespan(app: Any, bodies: list[bytes]) -> list[int]:
    """The statuses of ``bodies`` posted one after the other, between startup and shutdown."""

    async def exchange() -> list[int]:
        inbox, task = await lifespan(app)
        statuses = [await post(app, body) for body in bodies]
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(task, 10)
        return statuses

    with records_to_devnull():
        return asyncio.run(exchange())


def test_post_sends_a_json_body_to_the_prediction_route(settings: dict) -> None:
    app = ours(models=constant_model)(settings)
    good = json.dumps(EXAMPLE_INPUT).encode()
    out_of_range = json.dumps({**EXAMPLE_INPUT, "age": 200}).encode()
    assert run_with_lifespan(app, [good, b"{not json", out_of_range, good]) == [200, 400, 422, 200]


def test_the_api_key_variant_checks_the_key_its_requests_carry(
    settings: dict, built: list[ServiceConfiguration]
) -> None:
    key_check = variant("with the API key check")
    key_check.make(settings)
    (configuration,) = built
    assert [key.get_secret_value() for key in configuration.authentication.keys] == [DEMO_API_KEY]
    assert key_check.headers == (API_KEY_HEADER,)
    assert all(not other.headers for other in VARIANTS if other is not key_check)
    assert ServiceConfiguration.model_validate(settings).authentication.keys == []


def test_a_request_passes_the_key_check_only_with_the_key(settings: dict) -> None:
    app = ours(models=constant_model, authentication={"api_key": DEMO_API_KEY})(settings)
    body = json.dumps(EXAMPLE_INPUT).encode()

    async def exchange() -> list[int]:
        inbox, task = await lifespan(app)
        statuses = [
            await post(app, body, (API_KEY_HEADER,)),
            await post(app, body),
            await post(app, body, ((b"x-api-key", b"not-the-key-at-all-0000"),)),
        ]
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(task, 10)
        return statuses

    with records_to_devnull():
        assert asyncio.run(exchange()) == [200, 401, 401]


@pytest.mark.usefixtures("insurance_csv")
def test_service_cpu_us_measures_the_first_variant_once(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[str, int]] = []

    def measure_once(variant: Variant, settings: dict[str, Any], requests: int) -> float:
        measured.append((variant.name, requests))
        return 123.0

    monkeypatch.setattr(hop_costs_module, "measure", measure_once)
    assert service_cpu_us(300) == 123.0
    assert measured == [(VARIANTS[0].name, 300)]


def counted(variant: Variant, calls: Counter) -> Variant:
    """The variant, counting each HTTP request its app gets by method and path."""

    def make(settings: dict[str, Any]) -> Any:
        app = variant.make(settings)

        async def counting(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                calls[variant.name, scope["method"], scope["path"]] += 1
            await app(scope, receive, send)

        return counting

    return Variant(variant.name, make)


@pytest.mark.usefixtures("insurance_csv")
def test_hop_costs_measures_each_variant_in_turn_on_real_apps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: Counter = Counter()
    monkeypatch.setattr(
        hop_costs_module,
        "VARIANTS",
        (counted(variant(CONSTANT), calls), counted(variant(CEILING), calls)),
    )
    table = hop_costs(requests=40, rounds=1)  # 40: the 32 clients do not share it evenly
    assert calls == {
        (CONSTANT, "POST", PREDICTION_ROUTE): 200 + 40,  # the warm-up, then the measured ones
        (CEILING, "POST", PREDICTION_ROUTE): 200 + 40,
    }
    assert list(table.index) == [CONSTANT, CEILING]
    assert list(table.columns) == COLUMNS
    ours_us, ceiling_us = table["CPU µs per request"]
    assert 0 < ceiling_us < ours_us < 100_000
    assert table.loc[CONSTANT, "saved against ours"] == 0
    assert table.loc[CEILING, "saved against ours"] == pytest.approx(ours_us - ceiling_us, abs=0.1)
    assert table.loc[CONSTANT, "share of ours"] == "0%"
    assert table.loc[CEILING, "share of ours"] == f"{(ours_us - ceiling_us) / ours_us:.0%}"


@pytest.mark.usefixtures("insurance_csv")
def test_a_variant_whose_requests_fail_is_not_measured(settings: dict) -> None:
    settings["models"][0]["kwargs"] = {"artifact_path": "/nowhere/model.skops"}
    with pytest.raises(RuntimeError, match=r"^10 requests failed, e\.g\. with 503$"):
        measure(Variant("unloadable", ours()), settings, requests=10)


def test_the_table_holds_each_least_cost_against_the_first_variant(
    settings: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    costs = [100.0, 80.0, 85.0, 70.0, 50.0, 95.0, 99.0, 104.0, 33.33]
    medians = {variant.name: cost for variant, cost in zip(VARIANTS, costs, strict=True)}
    noise = (10.0, 0.0, 4.0)  # each variant's rounds: the least is the one that adds 0
    calls: list[tuple[str, str, int]] = []

    def measured(variant: Variant, settings: dict[str, Any], requests: int) -> float:
        calls.append((variant.name, settings["title"], requests))
        done = sum(name == variant.name for name, _, _ in calls) - 1
        return medians[variant.name] + noise[done]

    monkeypatch.setattr(hop_costs_module, "measure", measured)
    table = hop_costs(requests=500, rounds=3, config=DEFAULTS.service_config)
    assert calls == [(variant.name, settings["title"], 500) for variant in VARIANTS] * 3
    assert list(table.index) == list(medians)
    assert list(table.columns) == COLUMNS
    assert table["CPU µs per request"].tolist() == [
        100.0, 80.0, 85.0, 70.0, 50.0, 95.0, 99.0, 104.0, 33.3
    ]  # fmt: skip
    assert table["saved against ours"].tolist() == [
        0.0, 20.0, 15.0, 30.0, 50.0, 5.0, 1.0, -4.0, 66.7
    ]  # fmt: skip
    assert table["share of ours"].tolist() == [
        "0%", "20%", "15%", "30%", "50%", "5%", "1%", "-4%", "67%"
    ]  # fmt: skip


def test_only_the_variants_named_are_measured_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measured: list[str] = []

    def measure_cost(variant: Variant, settings: dict[str, Any], requests: int) -> float:
        measured.append(variant.name)
        return 100.0 if variant.name.startswith("ours") else 104.0

    monkeypatch.setattr(hop_costs_module, "measure", measure_cost)
    key_check, full = "with the API key check", VARIANTS[0].name
    table = hop_costs(requests=10, rounds=2, only=[key_check, full])
    assert measured == [full, key_check] * 2
    assert table.loc[key_check, "saved against ours"] == -4.0
    with pytest.raises(ValueError, match="no variant with a cache"):
        hop_costs(requests=10, rounds=1, only=["with a cache"])


def key_check_table(full: float, with_key: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"CPU µs per request": [full, with_key]}, index=[VARIANTS[0].name, KEY_CHECK]
    )


def test_the_api_key_sentence_gives_what_the_check_adds() -> None:
    assert api_key_sentence(key_check_table(110.0, 118.4)) == (
        "The API key check adds 8 µs of CPU to each request, 8% of the service's 110 µs."
    )
    assert api_key_sentence(key_check_table(110.0, 109.2)) == (
        "The API key check adds too little CPU to measure here (-0.8 µs against the service's "
        "110 µs a request, within the rounds' spread)."
    )


def test_a_missing_configuration_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"cannot read the service configuration .*nowhere"
    ):
        hop_costs(requests=10, rounds=1, config=tmp_path / "nowhere.yaml")


def test_records_go_nowhere_while_a_variant_runs(capsys: pytest.CaptureFixture) -> None:
    before = sys.stdout
    with records_to_devnull():
        print("a prediction record")
        inside = sys.stdout
    print("the table")
    assert capsys.readouterr().out == "the table\n"
    assert sys.stdout is before
    assert inside.name == os.devnull
    assert inside.closed


def test_stdout_comes_back_when_a_variant_fails() -> None:
    before = sys.stdout
    with pytest.raises(RuntimeError, match="3 requests failed"), records_to_devnull():
        raise RuntimeError("3 requests failed")
    assert sys.stdout is before


def test_main_prints_the_table_of_the_requests_and_rounds_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    asked: list[tuple[int, int]] = []

    def table(requests: int, rounds: int, config: Path) -> pd.DataFrame:
        asked.append((requests, rounds, config))
        return pd.DataFrame({"CPU µs per request": [123.4]}, index=["ours"])

    monkeypatch.setattr(hop_costs_module, "hop_costs", table)
    assert main(["--requests", "500", "--rounds", "2"]) == 0
    assert asked == [(500, 2, DEFAULTS.service_config)]
    assert "123.4" in capsys.readouterr().out


def test_main_names_a_service_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "missing.yaml"
    assert main(["--requests", "10", "--rounds", "1", "--config", str(missing)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: cannot read the service configuration")
    assert str(missing) in error


def test_main_names_data_it_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "insurance.csv"
    monkeypatch.setenv("INSURANCE_DATA", str(missing))
    assert main(["--requests", "10", "--rounds", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert str(missing) in error


def test_an_app_that_fails_to_start_is_named_not_waited_for() -> None:
    async def failing_app(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no model file"})

    with pytest.raises(RuntimeError, match="the app failed to start: no model file"):
        asyncio.run(asyncio.wait_for(lifespan(failing_app), 5))


def test_an_app_without_a_lifespan_is_named_not_waited_for() -> None:
    async def http_only_app(scope: dict, receive: Any, send: Any) -> None:
        assert scope["type"] == "http", "lifespan is not supported"

    with pytest.raises(AssertionError, match="lifespan is not supported"):
        asyncio.run(asyncio.wait_for(lifespan(http_only_app), 5))


def test_an_app_that_returns_without_answering_the_startup_is_named() -> None:
    async def silent_app(scope: dict, receive: Any, send: Any) -> None:
        await receive()

    with pytest.raises(RuntimeError, match="does not support the lifespan protocol"):
        asyncio.run(asyncio.wait_for(lifespan(silent_app), 5))


def test_measure_runs_inside_a_running_event_loop(settings: dict) -> None:
    """As in a notebook, whose kernel runs a loop of its own."""
    constant = Variant("constant", ours(models=constant_model))

    async def in_a_loop() -> float:
        return measure(constant, settings, 50)

    assert asyncio.run(in_a_loop()) > 0


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--requests", "many"], "argument --requests: 'many' is not a whole number above 0"),
        (["--requests", "0"], "argument --requests: '0' is not a whole number above 0"),
        (["--rounds", "1.5"], "argument --rounds: '1.5' is not a whole number above 0"),
        (["--rounds", "0"], "argument --rounds: '0' is not a whole number above 0"),
        (["--variant", "ours"], "unrecognized arguments: --variant ours"),
    ],
)
def test_bad_arguments_are_named_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    arguments: list[str],
    problem: str,
) -> None:
    monkeypatch.setattr(hop_costs_module, "hop_costs", pytest.fail)
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert problem in capsys.readouterr().err


def test_the_reader_rows_give_each_variants_cost_saving_and_share() -> None:
    table = pd.DataFrame(
        {"CPU µs per request": [100.0, 80.0, 104.0], "saved against ours": [0.0, 20.0, -4.0]},
        index=["ours", "without records", KEY_CHECK],
    )
    rows = reader_rows(table)
    assert list(rows.columns) == [
        "variant", "CPU per request (µs)", "saved against ours (µs)", "share of ours"
    ]  # fmt: skip
    assert rows["variant"].tolist() == ["ours", "without records", KEY_CHECK]
    assert rows["share of ours"].tolist() == [0.0, 0.2, -0.04]
