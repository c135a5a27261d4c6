import pytest

from model_service.__main__ import main
from model_service.configuration import CONFIG_ENV_VAR


def test_without_a_configuration_it_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    assert main() == 2
    assert f"error: set {CONFIG_ENV_VAR}" in capsys.readouterr().err
