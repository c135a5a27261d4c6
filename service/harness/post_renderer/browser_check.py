"""Open every rendered page of the post in headless Chromium and check what a reader would see.

    python -m post_renderer.browser_check --pages blog_post --screenshots build

On each page (``post_renderer.pages``: the main post and its companion pages), every ``<img>``
must have loaded (complete, with a natural width; the architecture diagram among them), every
relative ``a[href]`` and ``img[src]`` must point at a file that exists (the links between pages
too), and every in-page link (``#id``) at an element with that id. Two screenshots of each page
are saved either way: its top as a reader first sees it (``<stem>_top.png``, one window's
height) and the whole page (``<stem>.png``). Exits 1 naming each broken image or link and its
page, or when a page is missing, or Chromium is missing or does not start.
"""

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from post_renderer.pages import PAGES

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOAD_TIMEOUT_MS = 60_000

# What the page holds: its images, its links and image sources (as written and as resolved),
# and the ids that in-page links may point at.
PAGE_CONTENTS = """() => ({
    images: [...document.images].map(image => ({
        src: image.getAttribute("src"), loaded: image.complete && image.naturalWidth > 0
    })),
    links: [...document.querySelectorAll("a[href], img[src]")].map(element => {
        const attribute = element.tagName === "IMG" ? "src" : "href";
        return {written: element.getAttribute(attribute), url: element[attribute]};
    }),
    ids: [...document.querySelectorAll("[id], a[name]")].map(e => e.id || e.getAttribute("name")),
})"""


class BrowserCheckError(Exception):
    """The check could not run: no post, no Chromium, or Chromium did not start."""


@dataclass
class Findings:
    """What the check saw, and what is broken."""

    images: int = 0
    files: int = 0
    anchors: int = 0
    others: int = 0
    broken: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.images} images, {self.files} relative links to files, "
            f"{self.anchors} in-page links; {self.others} web, mail or data links not followed"
        )


def is_relative(written: str) -> bool:
    parts = urlsplit(written)
    return not parts.scheme and not parts.netloc


def file_of(url: str) -> Path:
    """The local file a resolved ``file://`` URL points at, without query or fragment."""
    return Path(url2pathname(urlsplit(url).path))


def check_images(images: list[dict], findings: Findings) -> None:
    findings.images = len(images)
    findings.broken += [
        f"image did not load: {image['src']}" for image in images if not image["loaded"]
    ]


def check_links(links: list[dict], ids: set[str], findings: Findings) -> None:
    """Relative links must reach an existing file, in-page links an element with their id."""
    for link in links:
        written = link["written"]
        if not is_relative(written):
            findings.others += 1
        elif written.startswith("#"):
            findings.anchors += 1
            if unquote(written[1:]) not in ids:
                findings.broken.append(f"in-page link to a missing id: {written}")
        else:
            findings.files += 1
            if not file_of(link["url"]).exists():
                findings.broken.append(f"relative link to a missing file: {written}")


def require_chromium(chromium: Path) -> None:
    if not chromium.exists():
        raise BrowserCheckError(
            f"Chromium is not installed at {chromium}: install it with "
            "`apt-get install -y chromium` (Debian), or pass --chromium PATH"
        )


def top_screenshot(screenshot: Path) -> Path:
    """Where the screenshot of a page's top goes, beside the full page's: ``<name>_top.png``."""
    return screenshot.with_name(f"{screenshot.stem}_top{screenshot.suffix}")


def inspect_page(page: Page, post: Path, screenshot: Path) -> Findings:
    """Check one page; save its top (``top_screenshot``) and the whole page (``screenshot``)."""
    page.goto(post.resolve().as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
    contents = page.evaluate(PAGE_CONTENTS)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=top_screenshot(screenshot))
    page.screenshot(path=screenshot, full_page=True)
    findings = Findings()
    check_images(contents["images"], findings)
    check_links(contents["links"], set(contents["ids"]), findings)
    return findings


def check_posts(posts: dict[Path, Path], chromium: Path = CHROMIUM) -> dict[Path, Findings]:
    """Open each page (HTML file to its screenshot) in one headless Chromium with a fresh profile,
    check it, and save its screenshots; the findings of each."""
    for post in posts:
        if not post.is_file():
            raise BrowserCheckError(f"no page at {post}: render the pages with `make blog`")
    require_chromium(chromium)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        try:
            browser = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
                viewport=VIEWPORT,
            )  # fmt: skip
        except PlaywrightError as error:
            raise BrowserCheckError(f"Chromium at {chromium} did not start: {error}") from error
        try:
            tab = browser.new_page()
            return {post: inspect_page(tab, post, shot) for post, shot in posts.items()}
        finally:
            browser.close()


def check_post(post: Path, screenshot: Path, chromium: Path = CHROMIUM) -> Findings:
    """Check one page in headless Chromium and save its screenshots."""
    return check_posts({post: screenshot}, chromium)[post]


def every_page(pages_dir: Path, screenshots_dir: Path) -> dict[Path, Path]:
    """Each page's HTML in ``pages_dir``, to its screenshot in ``screenshots_dir``."""
    return {pages_dir / page.html_name: screenshots_dir / f"{page.stem}.png" for page in PAGES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="the rendered pages' folder")
    parser.add_argument("--screenshots", type=Path, required=True, help="a folder for the PNGs")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM, help="Chromium's executable")
    arguments = parser.parse_args(argv)
    try:
        posts = every_page(arguments.pages, arguments.screenshots)
        checked = check_posts(posts, arguments.chromium)
    except (BrowserCheckError, PlaywrightError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for post, findings in checked.items():
        print(f"checked {post} in Chromium: {findings.summary()}")
        print(f"screenshots: {top_screenshot(posts[post])} (its top), {posts[post]}")
        for problem in findings.broken:
            print(f"error: {post.name}: {problem}", file=sys.stderr)
    return 1 if any(findings.broken for findings in checked.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
