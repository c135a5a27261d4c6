from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from common.paths import PROJECT_ROOT
from post_renderer import browser_check
from post_renderer.browser_check import (
    CHROMIUM,
    VIEWPORT,
    BrowserCheckError,
    Findings,
    check_images,
    check_links,
    check_post,
    check_posts,
    every_page,
    main,
    require_chromium,
    top_screenshot,
)
from post_renderer.pages import MAIN_POST, PAGES
from post_renderer.render import render_page

NotebookWriter = Callable[..., Path]


def page(directory: Path, body: str, name: str = "post.html") -> Path:
    path = directory / name
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>")
    return path


def every_page_linking_the_others(directory: Path) -> Path:
    """A folder of every page, each linking every other by its HTML name."""
    directory.mkdir(parents=True, exist_ok=True)
    links = "".join(f'<a href="{other.html_name}">{other.title}</a>' for other in PAGES)
    for each in PAGES:
        page(directory, f"<h1>{each.title}</h1>{links}", each.html_name)
    return directory


def run(pages: Path, tmp_path: Path, *options: str) -> int:
    arguments = ["--pages", str(pages), "--screenshots", str(tmp_path / "shots")]
    return main([*arguments, *options])


# Without a browser: what counts as broken, and the errors that stop the check.


def test_relative_links_must_reach_files_and_in_page_links_ids(tmp_path: Path) -> None:
    (tmp_path / "there.html").touch()
    links = [
        {"written": "there.html#part", "url": (tmp_path / "there.html").as_uri() + "#part"},
        {"written": "gone.html", "url": (tmp_path / "gone.html").as_uri()},
        {"written": "#known", "url": "ignored"},
        {"written": "#caf%C3%A9", "url": "ignored"},
        {"written": "#unknown", "url": "ignored"},
        {"written": "https://example.org/x.png", "url": "https://example.org/x.png"},
        {"written": "mailto:someone@example.org", "url": "mailto:someone@example.org"},
        {"written": "data:image/png;base64,AAAA", "url": "data:image/png;base64,AAAA"},
    ]
    findings = Findings()
    check_links(links, {"known", "café"}, findings)
    assert (findings.files, findings.anchors, findings.others) == (2, 3, 3)
    assert findings.broken == [
        "relative link to a missing file: gone.html",
        "in-page link to a missing id: #unknown",
    ]


def test_images_must_have_loaded() -> None:
    findings = Findings()
    check_images([{"src": "a.png", "loaded": True}, {"src": "b.png", "loaded": False}], findings)
    assert findings.images == 2
    assert findings.broken == ["image did not load: b.png"]


def test_every_page_has_its_screenshot_and_its_top_beside_it(tmp_path: Path) -> None:
    posts = every_page(tmp_path / "blog_post", tmp_path / "build")
    assert list(posts) == [tmp_path / "blog_post" / each.html_name for each in PAGES]
    shot = posts[tmp_path / "blog_post" / MAIN_POST.html_name]
    assert shot == tmp_path / "build" / "blog_post.png"
    assert top_screenshot(shot) == tmp_path / "build" / "blog_post_top.png"


def test_missing_chromium_fails_and_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = every_page_linking_the_others(tmp_path / "pages")
    assert run(pages, tmp_path, "--chromium", str(tmp_path / "no-chromium")) == 1
    error = capsys.readouterr().err
    assert "Chromium is not installed at" in error
    assert "apt-get install -y chromium" in error


def test_a_missing_page_fails_and_says_how_to_render_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = every_page_linking_the_others(tmp_path / "pages")
    (pages / "when_things_go_wrong.html").unlink()
    assert run(pages, tmp_path) == 1
    error = capsys.readouterr().err
    assert "when_things_go_wrong.html: render the pages with `make blog`" in error


def test_a_browser_error_during_the_check_fails_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: object) -> None:
        raise PlaywrightError("Target page, context or browser has been closed")

    monkeypatch.setattr(browser_check, "check_posts", crash)
    assert run(every_page_linking_the_others(tmp_path / "pages"), tmp_path) == 1
    assert "error: Target page, context or browser has been closed" in capsys.readouterr().err


# In headless Chromium.


@pytest.fixture
def chromium() -> None:
    """The system's Chromium; where it is missing, a failure (not a skip) says how to install it."""
    try:
        require_chromium(CHROMIUM)
    except BrowserCheckError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_good_pages_pass_and_each_is_screenshotted_top_and_whole(
    tmp_path: Path, png_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = every_page_linking_the_others(tmp_path / "pages")
    (pages / "chart.png").write_bytes(png_bytes)
    tall = '<div style="height: 3000px"></div>'
    body = f'<a href="#end">end</a><img alt="chart" src="chart.png">{tall}<p id="end">end</p>'
    page(pages, body + '<a href="how_it_is_made_fast.html">fast</a>', MAIN_POST.html_name)
    code = run(pages, tmp_path)
    output = capsys.readouterr()
    assert code == 0, output.err
    assert "1 images, 2 relative links to files, 1 in-page links" in output.out
    assert output.out.count("checked ") == len(PAGES)
    for each in PAGES:
        with Image.open(tmp_path / "shots" / f"{each.stem}_top.png") as top:
            assert top.format == "PNG"
            assert top.size == (VIEWPORT["width"], VIEWPORT["height"])
        assert (tmp_path / "shots" / f"{each.stem}.png").is_file()
    with Image.open(tmp_path / "shots" / "blog_post.png") as whole:
        assert whole.height > VIEWPORT["height"]


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_missing_image_fails_and_is_named_with_its_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = every_page_linking_the_others(tmp_path / "pages")
    page(pages, '<img alt="chart" src="../images/missing.png">', "running_without_a_cluster.html")
    assert run(pages, tmp_path) == 1
    error = capsys.readouterr().err
    named = "error: running_without_a_cluster.html: "
    assert f"{named}image did not load: ../images/missing.png" in error
    assert f"{named}relative link to a missing file: ../images/missing.png" in error
    assert (tmp_path / "shots" / "running_without_a_cluster_top.png").is_file()


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_broken_link_to_a_page_fails_and_is_named(tmp_path: Path) -> None:
    post = page(tmp_path, '<a href="how_it_is_made_fast.md">fast</a>')
    findings = check_post(post, tmp_path / "post.png")
    assert findings.broken == ["relative link to a missing file: how_it_is_made_fast.md"]


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_broken_in_page_link_fails_and_is_named(tmp_path: Path) -> None:
    post = page(tmp_path, '<a href="#4-deploying">step 4</a><h2 id="3-containers">3</h2>')
    findings = check_post(post, tmp_path / "post.png")
    assert findings.broken == ["in-page link to a missing id: #4-deploying"]


@pytest.mark.slow
def test_a_chromium_that_does_not_start_is_an_error(tmp_path: Path) -> None:
    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("#!/bin/sh\nexit 1\n")
    not_a_browser.chmod(0o755)
    with pytest.raises(BrowserCheckError, match="did not start"):
        check_post(page(tmp_path, ""), tmp_path / "post.png", not_a_browser)


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_rendered_post_has_its_images_and_anchors(
    tmp_path: Path, write_notebook: NotebookWriter, png_bytes: bytes, png_base64: str
) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "chart.png").write_bytes(png_bytes)
    figure = new_code_cell("plot()")
    figure.outputs = [new_output("display_data", data={"image/png": png_base64})]
    notebook = write_notebook(
        tmp_path / "01_step.ipynb",
        new_markdown_cell("# 1. A step\n\n![chart](../images/chart.png)"),
        figure,
    )
    _, html_path = render_page(MAIN_POST, [notebook], tmp_path / "blog_post", date(2026, 1, 2))
    (tmp_path / "images" / "architecture.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    )
    findings = check_post(html_path, tmp_path / "post.png")
    assert [problem for problem in findings.broken if ".html" not in problem] == []
    assert findings.images == 3  # the diagram, the chart, the cell's image
    assert findings.anchors > 0


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_the_committed_pages_open_with_every_image_and_link(tmp_path: Path) -> None:
    checked = check_posts(every_page(PROJECT_ROOT / "blog_post", tmp_path))
    for post, findings in checked.items():
        assert findings.broken == [], post.name
    assert checked[PROJECT_ROOT / "blog_post" / MAIN_POST.html_name].images > 0
