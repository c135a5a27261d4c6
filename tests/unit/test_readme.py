"""The README: the two commands first, links that reach their files, make targets that exist."""

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text()
MAKEFILE = (PROJECT / "Makefile").read_text()


def test_it_opens_with_the_two_commands_of_a_fresh_machine() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make blog", "make test"]


def test_every_relative_link_reaches_a_file() -> None:
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    relative = [target for target in targets if "://" not in target]
    assert relative
    assert [target for target in relative if not (PROJECT / target).exists()] == []


def test_every_make_target_it_names_exists() -> None:
    documented = set(re.findall(r"^([a-zA-Z_-]+):.*## ", MAKEFILE, re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", README))
    named |= set(re.findall(r"^make ([a-z][a-z-]*)", README, re.MULTILINE))
    assert named
    assert named - documented == set()
