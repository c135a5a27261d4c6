"""Draw the architecture diagram: ``python -m architecture images/architecture.svg``."""

import argparse
import sys
from pathlib import Path

from architecture.diagram import DotMissingError, draw_architecture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the architecture diagram with Graphviz.")
    parser.add_argument("output", type=Path, help="the SVG file to write")
    arguments = parser.parse_args(argv)
    try:
        print(draw_architecture(arguments.output))
    except DotMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
