"""Included files: a key may name another YAML file, read from the folder of the one naming it."""

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from common.yaml_files import (
    ConfigurationError,
    included_file,
    load_yaml_file,
    read_self_contained,
)


class Part(BaseModel):
    size: int


class Whole(BaseModel):
    name: str
    part: Part


INCLUDES = {"part": (Part, "part file")}


def files(folder: Path, whole: str, part: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if part is not None:
        (folder / "part.yaml").write_text(part)
    path = folder / "whole.yaml"
    path.write_text(whole)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"part": "part.yaml"}, Path("/configs/part.yaml")),
        ({"part": "more/part.yaml"}, Path("/configs/more/part.yaml")),
        ({"part": "/elsewhere/part.yaml"}, Path("/elsewhere/part.yaml")),
        ({"part": {"size": 1}}, None),
        ({}, None),
    ],
)
def test_the_included_file_is_relative_to_the_including_one(
    content: dict, expected: Path | None
) -> None:
    assert included_file(content, "part", Path("/configs/whole.yaml")) == expected


def test_an_included_file_is_validated_by_its_schema(tmp_path: Path) -> None:
    path = files(tmp_path, "name: w\npart: part.yaml\n", "size: 3\n")
    assert load_yaml_file(path, Whole, "whole file", INCLUDES) == Whole(name="w", part=Part(size=3))


def test_without_includes_a_file_name_is_just_a_value(tmp_path: Path) -> None:
    path = files(tmp_path, "name: w\npart: part.yaml\n", "size: 3\n")
    with pytest.raises(ConfigurationError, match=r"whole.yaml is not a valid whole file:\n  part"):
        load_yaml_file(path, Whole, "whole file")


def test_an_error_in_the_included_file_names_both_files(tmp_path: Path) -> None:
    path = files(tmp_path, "name: w\npart: part.yaml\n", "size: big\n")
    with pytest.raises(ConfigurationError) as raised:
        load_yaml_file(path, Whole, "whole file", INCLUDES)
    first, problem, named_by = str(raised.value).splitlines()
    assert first == f"{tmp_path / 'part.yaml'} is not a valid part file:"
    assert problem.startswith("  size: Input should be a valid integer")
    assert named_by == f"  (the file that part names in {path})"


def test_a_self_contained_copy_can_be_written_anywhere(tmp_path: Path) -> None:
    path = files(tmp_path / "original", "name: w\npart: part.yaml\n", "size: 3\n")
    copy = tmp_path / "elsewhere" / "copy.yaml"
    copy.parent.mkdir()
    copy.write_text(yaml.safe_dump(read_self_contained(path, "whole file", INCLUDES)))
    assert load_yaml_file(copy, Whole, "whole file", INCLUDES) == Whole(name="w", part=Part(size=3))


def test_a_self_contained_copy_keeps_an_inline_value(tmp_path: Path) -> None:
    path = files(tmp_path, "name: w\npart: {size: 4}\n")
    assert read_self_contained(path, "whole file", INCLUDES) == {"name": "w", "part": {"size": 4}}


def test_a_self_contained_copy_of_a_missing_included_file_names_it(tmp_path: Path) -> None:
    path = files(tmp_path, "name: w\npart: absent.yaml\n")
    with pytest.raises(ConfigurationError, match=r"(?s)cannot read the part file .*absent.yaml.*"):
        read_self_contained(path, "whole file", INCLUDES)
