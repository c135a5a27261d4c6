"""Every page names its notebooks, and every page's navigation reaches every other page."""

from pathlib import Path

import pytest

from post_renderer.pages import (
    MAIN_POST,
    PAGES,
    PagesError,
    navigation,
    notebook_paths,
    notebooks_of_every_page,
    page_named,
)


def test_the_main_post_comes_first_and_is_the_only_main_page() -> None:
    assert PAGES[0] is MAIN_POST
    assert [page.is_main for page in PAGES] == [True, False, False, False]
    assert MAIN_POST.notebooks[0].startswith("01_")
    assert MAIN_POST.notebooks[-1].startswith("06_")


def test_each_notebook_belongs_to_one_page_and_the_pages_have_distinct_stems() -> None:
    notebooks = [name for page in PAGES for name in page.notebooks]
    assert len(notebooks) == len(set(notebooks))
    assert len({page.stem for page in PAGES}) == len(PAGES)
    assert page_named("how_it_is_made_fast").notebooks == ("07_how_it_is_made_fast",)


def test_the_limits_are_twenty_minutes_for_the_main_post_and_fifteen_for_the_others() -> None:
    assert [page.reading_limit_minutes for page in PAGES] == [20, 15, 15, 15]


def test_a_page_whose_notebooks_are_missing_is_an_error_naming_them(tmp_path: Path) -> None:
    (tmp_path / "01_train_model.ipynb").touch()
    with pytest.raises(PagesError) as raised:
        notebook_paths(MAIN_POST, tmp_path)
    message = str(raised.value)
    assert "blog_post.md needs 02_add_logging.ipynb, 03_containerize.ipynb" in message
    assert "01_train_model.ipynb" not in message


def test_every_missing_notebook_of_every_page_is_named(tmp_path: Path) -> None:
    for page in PAGES[:-1]:
        for name in page.notebooks:
            (tmp_path / f"{name}.ipynb").touch()
    with pytest.raises(PagesError, match=r"when_things_go_wrong\.md needs 09_when_things_go_wrong"):
        notebooks_of_every_page(tmp_path)
    (tmp_path / "09_when_things_go_wrong.ipynb").touch()
    found = notebooks_of_every_page(tmp_path)
    assert list(found) == list(PAGES)
    assert found[MAIN_POST][0] == tmp_path / "01_train_model.ipynb"


@pytest.mark.parametrize("current", PAGES, ids=lambda page: page.stem)
def test_the_navigation_links_every_other_page_the_main_post_first(current) -> None:
    text = navigation(current)
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == len(PAGES)
    for line, page in zip(lines, PAGES, strict=True):
        assert page.description in line
        if page is current:
            assert "(this page)" in line
            assert "](" not in line
        else:
            assert line.startswith(f"- [{page.title}]({page.markdown_name})")
