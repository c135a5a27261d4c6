"""Small notebooks and images for the post renderer's tests."""

import base64
import io
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_notebook
from PIL import Image


@pytest.fixture
def write_notebook() -> Callable[..., Path]:
    """Write a notebook of the given cells to a path, and return the path."""

    def write(path: Path, *cells: nbformat.NotebookNode) -> Path:
        nbformat.write(new_notebook(cells=list(cells)), path)
        return path

    return write


@pytest.fixture
def png_bytes() -> bytes:
    """A real, tiny PNG (3 by 2 pixels)."""
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "steelblue").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png_base64(png_bytes: bytes) -> str:
    return base64.b64encode(png_bytes).decode()
