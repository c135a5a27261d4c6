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
    BrowserCheckError,
    Findings,
    check_images,
    check_links,
    check_post,
    main,
    require_chromium,
)
from post_renderer.render import render

NotebookWriter = Callable[..., Path]


def page(directory: Path, body: str) -> Path:
    path = directory / "post.html"
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>")
    return path


def run(post: Path, tmp_path: Path, *options: str) -> int:
    arguments = ["--post", str(post), "--screenshot", str(tmp_path / "shots" / "post.png")]
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


def test_missing_chromium_fails_and_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = page(tmp_path, "<p>text</p>")
    assert run(post, tmp_path, "--chromium", str(tmp_path / "no-chromium")) == 1
    error = capsys.readouterr().err
    assert "Chromium is not installed at" in error
    assert "apt-get install -y chromium" in error


def test_missing_post_fails_and_says_how_to_render_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "blog_post.html", tmp_path) == 1
    assert "render it with `make blog`" in capsys.readouterr().err


def test_a_browser_error_during_the_check_fails_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: object) -> None:
        raise PlaywrightError("Target page, context or browser has been closed")

    monkeypatch.setattr(browser_check, "check_post", crash)
    assert run(page(tmp_path, ""), tmp_path) == 1
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
def test_a_good_page_passes_and_is_screenshotted(
    tmp_path: Path, png_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "chart.png").write_bytes(png_bytes)
    post = page(
        tmp_path,
        '<a href="#end">end</a><img alt="chart" src="images/chart.png">'
        '<a href="images/chart.png">full size</a><p id="end">end</p>',
    )
    code = run(post, tmp_path)
    output = capsys.readouterr()
    assert code == 0, output.err
    assert "1 images, 2 relative links to files, 1 in-page links" in output.out
    with Image.open(tmp_path / "shots" / "post.png") as screenshot:
        assert screenshot.format == "PNG"
        assert screenshot.width > 0


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_missing_image_fails_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = page(tmp_path, '<img alt="chart" src="../images/missing.png">')
    assert run(post, tmp_path) == 1
    error = capsys.readouterr().err
    assert "error: image did not load: ../images/missing.png" in error
    assert "error: relative link to a missing file: ../images/missing.png" in error
    assert (tmp_path / "shots" / "post.png").is_file()


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_broken_relative_link_fails_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = page(tmp_path, '<a href="notes/02_serve.html">next</a>')
    assert run(post, tmp_path) == 1
    assert "relative link to a missing file: notes/02_serve.html" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_a_broken_in_page_link_fails_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = page(tmp_path, '<a href="#4-deploying">step 4</a><h2 id="3-containers">3</h2>')
    assert run(post, tmp_path) == 1
    assert "in-page link to a missing id: #4-deploying" in capsys.readouterr().err


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
    _, html_path, _ = render([notebook], tmp_path / "blog_post", date(2026, 1, 2))
    findings = check_post(html_path, tmp_path / "post.png")
    assert findings.broken == []
    assert findings.images == 2
    assert findings.anchors > 0


@pytest.mark.slow
@pytest.mark.usefixtures("chromium")
def test_the_committed_post_opens_with_every_image_and_link(tmp_path: Path) -> None:
    post = PROJECT_ROOT / "blog_post" / "blog_post.html"
    findings = check_post(post, tmp_path / "blog_post.png")
    assert findings.broken == []
    assert findings.images > 0
