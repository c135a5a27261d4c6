from common.paths import CONFIGURATION_DIR, KUBERNETES_DIR, PROJECT_ROOT


def test_the_paths_point_into_the_checkout() -> None:
    assert (PROJECT_ROOT / "pyproject.toml").is_file()
    assert (CONFIGURATION_DIR / "local.yaml").is_file()
    assert (KUBERNETES_DIR / "base" / "kustomization.yaml").is_file()
