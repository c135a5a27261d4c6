"""Where the project keeps its files when the packages are installed editable from a checkout."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CONFIGURATION_DIR = PROJECT_ROOT / "configuration"
KUBERNETES_DIR = PROJECT_ROOT / "kubernetes"
