"""``python -m system_tools``: which system tools are here; ``python -m system_tools minikube``:
exit 1, saying how to install it, when minikube is missing (what make targets check first)."""

import sys

from system_tools import TOOLS, inventory, missing


def main(argv: list[str] | None = None) -> int:
    commands = sys.argv[1:] if argv is None else argv
    if not commands:
        print(f"system tools:\n{inventory()}")
        return 0
    unknown = [command for command in commands if command not in TOOLS]
    if unknown:
        print(
            f"error: unknown tool {', '.join(unknown)}; known: {', '.join(TOOLS)}", file=sys.stderr
        )
        return 2
    problems = [problem for problem in map(missing, commands) if problem]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
