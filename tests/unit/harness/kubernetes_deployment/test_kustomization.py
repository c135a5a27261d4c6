"""Every kustomization.yaml of the project fits the schema; bad ones are refused by name."""

from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR, KUBERNETES_DIR
from common.yaml_files import ConfigurationError
from kubernetes_deployment.kustomization import (
    NAME_LABEL,
    Kustomization,
    load_kustomization,
    namespace_of,
    selector_label_of,
)

KUSTOMIZATIONS = sorted(
    path
    for folder in (KUBERNETES_DIR, CONFIGURATION_DIR)
    for path in folder.rglob("kustomization.yaml")
)


@pytest.mark.parametrize("path", KUSTOMIZATIONS, ids=lambda path: str(path.parent.name))
def test_every_kustomization_fits_the_schema(path: Path) -> None:
    assert isinstance(load_kustomization(path), Kustomization)


def test_the_configuration_folder_is_a_kustomization() -> None:
    assert CONFIGURATION_DIR / "kustomization.yaml" in KUSTOMIZATIONS


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kustomization.yaml"
    path.write_text(text)
    return path


HEADER = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def test_a_misspelt_field_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "configMapGenerators: []\n")
    with pytest.raises(ConfigurationError, match="configMapGenerators: Extra inputs"):
        load_kustomization(path)


def test_an_unknown_kind_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Pod\n")
    with pytest.raises(ConfigurationError, match=r"kind: Input should be 'Kustomization'"):
        load_kustomization(path)


def test_a_kustomization_without_a_namespace_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)
    with pytest.raises(ConfigurationError, match="sets no namespace"):
        namespace_of(load_kustomization(path), path)


@pytest.mark.parametrize(
    "labels",
    [
        "[]",
        "[{pairs: {app.kubernetes.io/part-of: x}, includeSelectors: true}]",
        f"[{{pairs: {{{NAME_LABEL}: x}}}}]",  # on the objects only: nothing would select the pods
    ],
)
def test_a_kustomization_without_the_selecting_name_label_is_an_error(
    tmp_path: Path, labels: str
) -> None:
    path = write(tmp_path, HEADER + f"labels: {labels}\n")
    with pytest.raises(ConfigurationError, match=f"gives no label {NAME_LABEL}"):
        selector_label_of(load_kustomization(path), NAME_LABEL, path)


def test_the_selecting_label_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER + f"labels: [{{pairs: {{{NAME_LABEL}: x}}, includeSelectors: true}}]\n"
    )
    assert selector_label_of(load_kustomization(path), NAME_LABEL, path) == "x"
