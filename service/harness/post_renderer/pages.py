"""The pages of the post: the main post and its companion pages, each rendered from notebooks.

Each page is ``blog_post/<stem>.md`` and ``blog_post/<stem>.html``. The main post follows the
steps; a companion page takes one topic further. Every page lists every page at its top, so a
reader can move between them: markdown links name ``<stem>.md``, and the HTML export points them
at ``<stem>.html``.
"""

from dataclasses import dataclass
from pathlib import Path

MAIN_STEM = "blog_post"
MAIN_TITLE = "Taking a machine-learning model to production: logging, serving and load testing"


class PagesError(Exception):
    """A page's notebooks are missing."""


@dataclass(frozen=True)
class Page:
    """A page of the post: where it is written, its title, and the notebooks it shows."""

    stem: str
    title: str
    notebooks: tuple[str, ...]  # notebook stems, in order, e.g. "07_how_it_is_made_fast"
    description: str  # one line, shown beside the page's link on every page
    reading_limit_minutes: int = 15  # by post_renderer.length

    @property
    def markdown_name(self) -> str:
        return f"{self.stem}.md"

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"

    @property
    def files_dir(self) -> str:
        """The folder, beside the markdown, of the images that the page's cells output."""
        return f"{self.stem}_files"

    @property
    def is_main(self) -> bool:
        """The main post: its notebooks are sections, under its front matter."""
        return self.stem == MAIN_STEM


MAIN_POST = Page(
    MAIN_STEM,
    MAIN_TITLE,
    (
        "01_train_model",
        "02_add_logging",
        "03_containerize",
        "04_deploy_to_minikube",
        "05_load_test",
        "06_monitoring",
    ),
    "the tutorial: train, log, serve, containerize, deploy, load test and watch the model",
    reading_limit_minutes=20,
)
PAGES = (
    MAIN_POST,
    Page(
        "how_it_is_made_fast",
        "How it is made fast",
        ("07_how_it_is_made_fast",),
        "where a prediction's time goes, and what keeps it small",
    ),
    Page(
        "running_without_a_cluster",
        "Running without a cluster",
        ("08_running_without_a_cluster",),
        "the same manifests run as pods by podman, on one machine",
    ),
    Page(
        "when_things_go_wrong",
        "When things go wrong",
        ("09_when_things_go_wrong",),
        "the reliability checks: fuzzing, bad input, the API key, a worker or a pod killed",
    ),
)


def page_named(stem: str) -> Page:
    """The page written to ``<stem>.md``; KeyError for a stem no page has."""
    return {page.stem: page for page in PAGES}[stem]


def notebook_paths(page: Page, directory: Path) -> list[Path]:
    """The page's notebooks in ``directory``, in order; PagesError naming any that is missing."""
    paths = [directory / f"{name}.ipynb" for name in page.notebooks]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise PagesError(
            f"the page {page.markdown_name} needs {', '.join(missing)} in {directory}, which "
            "is not there: run `make notebooks` first"
        )
    return paths


def navigation(current: Page) -> str:
    """The list of every page, the main post first: a link to each other page, and its line."""
    items = []
    for page in PAGES:
        name = f"**{page.title}** (this page)" if page is current else (
            f"[{page.title}]({page.markdown_name})"
        )  # fmt: skip
        items.append(f"- {name}: {page.description}")
    return "**Pages**\n\n" + "\n".join(items)


def notebooks_of_every_page(directory: Path) -> dict[Page, list[Path]]:
    """Each page's notebooks in ``directory``; PagesError naming every one that is missing."""
    found, problems = {}, []
    for page in PAGES:
        try:
            found[page] = notebook_paths(page, directory)
        except PagesError as error:
            problems.append(str(error))
    if problems:
        raise PagesError("; ".join(problems))
    return found
