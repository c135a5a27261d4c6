"""Where the project keeps its files when the package is installed editable from a checkout."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
