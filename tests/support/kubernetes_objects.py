"""Finding objects in rendered manifests."""

import re
from typing import Any


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The object of ``kind`` whose name is ``name`` (a generated ConfigMap's, before its hash)."""
    [found] = [
        item
        for item in objects
        if item["kind"] == kind
        and re.fullmatch(f"{name}(-[a-z0-9]{{10}})?", item["metadata"]["name"])
    ]
    return found
