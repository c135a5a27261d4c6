from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR
from model_service.configuration import (
    API_KEY_ENV_VAR,
    CONFIG_ENV_VAR,
    NEXT_API_KEY_ENV_VAR,
    ConfigurationError,
    ServiceConfiguration,
    configuration_from_environment,
    load_configuration,
)

MINIMAL = """
title: t
description: d
version: "1"
models:
  - class_path: support.stub_models.StubModel
logging:
  dict_config: {version: 1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "service.yaml"
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys in the shell that runs the tests reach no test."""
    monkeypatch.delenv(API_KEY_ENV_VAR, raising=False)
    monkeypatch.delenv(NEXT_API_KEY_ENV_VAR, raising=False)


@pytest.mark.parametrize("name", ["local.yaml", "kubernetes.yaml"])
def test_the_shipped_configurations_are_valid(name: str) -> None:
    configuration = load_configuration(CONFIGURATION_DIR / name)
    assert (
        configuration.models[0].class_path == "insurance_charges_model.model.InsuranceChargesModel"
    )
    assert configuration.models[0].decorators[-1].kwargs["output_fields"] == ["charges"]


def test_kubernetes_logs_read_the_pod_from_the_environment() -> None:
    dict_config = load_configuration(CONFIGURATION_DIR / "kubernetes.yaml").logging.dict_config
    assert dict_config.filters["environment"]["env_variables"] == [
        "POD_NAME",
        "NODE_NAME",
        "APP_NAME",
    ]
    assert dict_config.handlers["stdout"]["filters"] == ["environment", "no_colour"]


def test_defaults(tmp_path: Path) -> None:
    configuration = load_configuration(write(tmp_path, MINIMAL))
    assert configuration.metrics is True
    assert configuration.logging.use_queue is True
    assert configuration.models[0].decorators == []


def test_every_field_is_described() -> None:
    from model_service.configuration import ServiceConfiguration

    schema = ServiceConfiguration.model_json_schema()
    for definition in [schema, *schema["$defs"].values()]:
        for name, field in definition.get("properties", {}).items():
            assert field.get("description"), f"{definition.get('title')}.{name}"


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"(?s)service.yaml is not valid YAML: .*service.yaml\", line 2"
    ):
        load_configuration(write(tmp_path, "title: t\n  models: [\n"))


def test_a_list_is_not_a_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must hold a mapping, not list"):
        load_configuration(write(tmp_path, "- a\n- b\n"))


@pytest.mark.parametrize(
    ("class_path", "message"),
    [
        ("nowhere.Model", r"models.0.class_path: Value error, cannot import module 'nowhere'"),
        ("support.stub_models.Missing", r"module 'support.stub_models' has no attribute 'Missing'"),
        ("Model", r"'Model' is not a class path like 'package.module.ClassName'"),
    ],
)
def test_unknown_class_path_is_named(tmp_path: Path, class_path: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_configuration(
            write(tmp_path, MINIMAL.replace("support.stub_models.StubModel", class_path))
        )


def test_missing_keys_are_named(tmp_path: Path) -> None:
    text = MINIMAL.replace('version: "1"\n', "").replace(
        "logging:\n  dict_config: {version: 1}\n", ""
    )
    with pytest.raises(
        ConfigurationError, match=r"(?s)  version: Field required.*  logging: Field required"
    ):
        load_configuration(write(tmp_path, text))


def test_misspelt_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="metrcs: Extra inputs are not permitted"):
        load_configuration(write(tmp_path, MINIMAL + "metrcs: false\n"))


def test_metrics_stay_on_the_api_s_port_unless_a_port_is_given(tmp_path: Path) -> None:
    assert load_configuration(write(tmp_path, MINIMAL)).metrics_port is None
    assert load_configuration(CONFIGURATION_DIR / "local.yaml").metrics_port is None
    assert (
        load_configuration(write(tmp_path, MINIMAL + "metrics_port: 9100\n")).metrics_port == 9100
    )


def test_the_pods_serve_metrics_on_a_port_of_their_own() -> None:
    configuration = load_configuration(CONFIGURATION_DIR / "kubernetes.yaml")
    assert configuration.metrics
    assert configuration.metrics_port is not None


@pytest.mark.parametrize("port", [0, 65536, -1, "http"])
def test_a_metrics_port_out_of_range_is_refused(tmp_path: Path, port: object) -> None:
    with pytest.raises(ConfigurationError, match="metrics_port: Input should be"):
        load_configuration(write(tmp_path, MINIMAL + f"metrics_port: {port}\n"))


def test_a_metrics_port_without_metrics_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + "metrics: false\nmetrics_port: 9100\n"
    with pytest.raises(
        ConfigurationError, match="metrics_port is 9100 while metrics is false: a port for metrics"
    ):
        load_configuration(write(tmp_path, text))


def test_dict_config_version_must_be_1(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"logging.dict_config.version: Input should be 1"):
        load_configuration(write(tmp_path, MINIMAL.replace("{version: 1}", "{version: 2}")))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the service configuration"):
        load_configuration(tmp_path / "absent.yaml")


def test_environment_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, str(write(tmp_path, MINIMAL)))
    assert configuration_from_environment().title == "t"


def test_environment_variable_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    with pytest.raises(ConfigurationError, match=f"set {CONFIG_ENV_VAR}"):
        configuration_from_environment()


@pytest.mark.parametrize(
    ("decorator", "problem"),
    [
        ("{max_batch_size: 0}", r"max_batch_size: Input should be greater than or equal to 1"),
        ("{max_wait_ms: 500}", r"max_wait_ms: Input should be less than or equal to 100"),
        ("{size: 4}", r"size: Extra inputs are not permitted"),
    ],
)
def test_bad_decorator_kwargs_are_named_when_the_file_is_read(
    tmp_path: Path, decorator: str, problem: str
) -> None:
    text = MINIMAL.replace(
        "class_path: support.stub_models.StubModel",
        "class_path: support.stub_models.StubModel\n    decorators:\n"
        "      - class_path: model_contract.batching.MicroBatching\n        kwargs: " + decorator,
    )
    with pytest.raises(ConfigurationError, match=rf"(?s)models\.0\.decorators\.0: .*{problem}"):
        load_configuration(write(tmp_path, text))


def test_a_model_kwarg_it_does_not_take_is_named(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "class_path: support.stub_models.StubModel",
        "class_path: support.stub_models.StubModel\n    kwargs: {factr: 3}",
    )
    with pytest.raises(
        ConfigurationError, match=r"(?s)support.stub_models.StubModel refuses its kwargs:.*factr"
    ):
        load_configuration(write(tmp_path, text))


def test_the_api_key_is_off_by_default(tmp_path: Path) -> None:
    assert load_configuration(write(tmp_path, MINIMAL)).authentication.api_key is None


def test_the_environment_sets_the_api_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, str(write(tmp_path, MINIMAL)))
    monkeypatch.setenv(API_KEY_ENV_VAR, "k" * 16)
    key = configuration_from_environment().authentication.api_key
    assert key.get_secret_value() == "k" * 16
    assert "k" * 16 not in repr(configuration_from_environment())


def test_the_environment_overrides_the_file_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MINIMAL + "authentication: {api_key: " + "f" * 16 + ", header: X-Key}\n"
    monkeypatch.setenv(CONFIG_ENV_VAR, str(write(tmp_path, text)))
    monkeypatch.setenv(API_KEY_ENV_VAR, "e" * 16)
    authentication = configuration_from_environment().authentication
    assert authentication.api_key.get_secret_value() == "e" * 16
    assert authentication.header == "X-Key"


def test_a_short_key_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, str(write(tmp_path, MINIMAL)))
    monkeypatch.setenv(API_KEY_ENV_VAR, "short")
    with pytest.raises(ConfigurationError, match=r"SERVICE_API_KEY is too short: .* 16 characters"):
        configuration_from_environment()


def test_a_short_key_in_the_file_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + "authentication: {api_key: short}\n"
    with pytest.raises(ConfigurationError, match=r"authentication\.api_key: .*at least 16"):
        load_configuration(write(tmp_path, text))


CURRENT, NEXT, TOO_SHORT = "c" * 16, "n" * 20, "t" * 15


def keys_in_file(tmp_path: Path, **keys: str) -> Path:
    """A service file whose authentication holds ``keys``: api_key, next_api_key or both."""
    settings = ", ".join(f"{name}: {key}" for name, key in keys.items())
    return write(tmp_path, MINIMAL + "authentication: {" + settings + "}\n")


def key_values(configuration: ServiceConfiguration) -> list[str]:
    return [key.get_secret_value() for key in configuration.authentication.keys]


def test_the_file_holds_a_next_key_beside_the_current_one(tmp_path: Path) -> None:
    configuration = load_configuration(keys_in_file(tmp_path, api_key=CURRENT, next_api_key=NEXT))
    assert key_values(configuration) == [CURRENT, NEXT]
    assert NEXT not in repr(configuration)


def test_no_key_means_no_keys(tmp_path: Path) -> None:
    assert load_configuration(write(tmp_path, MINIMAL)).authentication.keys == []


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ({"api_key": CURRENT, "next_api_key": TOO_SHORT}, r"next_api_key: .*at least 16"),
        ({"next_api_key": NEXT}, r"authentication: Value error, next_api_key is set without api_"),
        ({"api_key": CURRENT, "next_api_key": CURRENT}, r"next_api_key is the same as api_key: "),
    ],
)
def test_a_wrong_next_key_in_the_file_is_refused(
    tmp_path: Path, keys: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem) as refused:
        load_configuration(keys_in_file(tmp_path, **keys))
    for key in keys.values():  # neither the message nor the error it came from holds a key
        assert key not in str(refused.value)
        assert key not in str(refused.value.__cause__)


def test_the_environment_sets_both_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, str(write(tmp_path, MINIMAL)))
    monkeypatch.setenv(API_KEY_ENV_VAR, CURRENT)
    monkeypatch.setenv(NEXT_API_KEY_ENV_VAR, NEXT)
    configuration = configuration_from_environment()
    assert key_values(configuration) == [CURRENT, NEXT]
    assert NEXT not in repr(configuration)


def test_the_environment_replaces_both_keys_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = keys_in_file(tmp_path, api_key="f" * 16, next_api_key="g" * 16)
    monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
    monkeypatch.setenv(API_KEY_ENV_VAR, CURRENT)
    assert key_values(configuration_from_environment()) == [CURRENT]


@pytest.mark.parametrize(
    ("environment", "problem"),
    [
        (
            {API_KEY_ENV_VAR: CURRENT, NEXT_API_KEY_ENV_VAR: TOO_SHORT},
            r"^SERVICE_API_KEY_NEXT is too short: .* 16 characters",
        ),
        ({NEXT_API_KEY_ENV_VAR: NEXT}, r"^SERVICE_API_KEY_NEXT is set without SERVICE_API_KEY: "),
        (
            {API_KEY_ENV_VAR: CURRENT, NEXT_API_KEY_ENV_VAR: CURRENT},
            r"^SERVICE_API_KEY_NEXT is the same as SERVICE_API_KEY: ",
        ),
    ],
)
def test_a_wrong_next_key_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], problem: str
) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, str(keys_in_file(tmp_path, api_key="f" * 16)))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=problem) as refused:
        configuration_from_environment()
    for value in environment.values():
        assert value not in str(refused.value)


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("max_body_bytes: 10", "greater than or equal to 1024"),
        ("max_connection_age_s: 0", "greater than 0"),
    ],
)
def test_bad_limits_are_named(tmp_path: Path, setting: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        load_configuration(write(tmp_path, MINIMAL + setting + "\n"))
