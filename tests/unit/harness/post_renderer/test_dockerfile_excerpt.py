from pathlib import Path

import pytest

from common.paths import PROJECT_ROOT
from post_renderer.dockerfile_excerpt import dockerfile_excerpt, instructions
from post_renderer.excerpts import ExcerptError

DOCKERFILE = """\
# A comment on the file.
ARG BASE=python

FROM ${BASE} AS build
# Dependencies, in one layer.
RUN pip install \\
    # a comment inside the instruction
    --requirement requirements.txt
RUN echo unwanted

FROM ${BASE} AS runtime
COPY --from=build /venv /venv
USER 10001
CMD ["python"]
"""


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    return path


def test_instructions_keep_their_continuations_and_skip_the_comments_between() -> None:
    lines = DOCKERFILE.splitlines()
    found = instructions(lines)
    assert [lines[span.start] for span in found] == [
        "ARG BASE=python",
        "FROM ${BASE} AS build",
        "RUN pip install \\",
        "RUN echo unwanted",
        "FROM ${BASE} AS runtime",
        "COPY --from=build /venv /venv",
        "USER 10001",
        'CMD ["python"]',
    ]
    assert [lines[index] for index in found[2]] == [
        "RUN pip install \\",
        "    # a comment inside the instruction",
        "    --requirement requirements.txt",
    ]


def test_an_unfinished_last_instruction_is_kept() -> None:
    assert instructions(["USER 1", "RUN a \\", "    b \\"]) == [range(0, 1), range(1, 3)]


def test_an_excerpt_keeps_the_wanted_instructions_and_marks_the_rest(dockerfile: Path) -> None:
    excerpt = dockerfile_excerpt(dockerfile, "FROM", "pip install", "USER")
    assert excerpt.text.splitlines() == [
        "FROM ${BASE} AS build",
        "# ...",
        "RUN pip install \\",
        "    # a comment inside the instruction",
        "    --requirement requirements.txt",
        "# ...",
        "",
        "FROM ${BASE} AS runtime",
        "# ...",
        "USER 10001",
    ]
    assert excerpt.language == "dockerfile"


def test_a_wanted_text_in_no_instruction_is_an_error(dockerfile: Path) -> None:
    with pytest.raises(ExcerptError, match="Dockerfile has no instruction with HEALTHCHECK, ENV"):
        dockerfile_excerpt(dockerfile, "FROM", "HEALTHCHECK", "ENV")
    with pytest.raises(ExcerptError, match="no instruction with Dependencies"):
        dockerfile_excerpt(dockerfile, "Dependencies")  # only in a comment
    with pytest.raises(ExcerptError, match="name the instructions of Dockerfile to show"):
        dockerfile_excerpt(dockerfile)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExcerptError, match="cannot read"):
        dockerfile_excerpt(tmp_path / "Dockerfile", "FROM")


def test_the_projects_dockerfile_has_two_stages_and_a_non_root_user() -> None:
    excerpt = dockerfile_excerpt(PROJECT_ROOT / "Dockerfile", "FROM ", "USER ")
    assert excerpt.text.count("FROM ") == 2
    assert "USER 10001:10001" in excerpt.text
    assert excerpt.link() == "[`Dockerfile`](../Dockerfile)"
