"""How long the post is, and how long it takes to read, measured on its markdown.

Prose is every word outside code blocks (tables included); code is the lines of the fenced and
indented blocks. The reading time counts prose at ``WORDS_PER_MINUTE``, the mean silent reading
rate of non-fiction in English in Brysbaert's 2019 meta-analysis
(https://doi.org/10.1016/j.jml.2019.104047), and each image at ``SECONDS_PER_IMAGE``. Listings
are counted but not timed: readers skim them at very different rates.
"""

import math
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

WORDS_PER_MINUTE = 238
SECONDS_PER_IMAGE = 12
CODE_BLOCKS = ("fence", "code_block")
WORD = re.compile(r"[\w'\u2019.,%/-]*\w[\w'\u2019.,%/-]*")  # \u2019: a typographic apostrophe


@dataclass(frozen=True)
class PostLength:
    prose_words: int
    code_blocks: int
    code_lines: int
    images: int

    @property
    def reading_minutes(self) -> int:
        """Prose at WORDS_PER_MINUTE and SECONDS_PER_IMAGE per image, rounded up."""
        seconds = 60 * self.prose_words / WORDS_PER_MINUTE + SECONDS_PER_IMAGE * self.images
        return math.ceil(seconds / 60)

    def summary(self) -> str:
        return (
            f"{self.prose_words:,} words of prose, {self.code_lines:,} lines of code and output "
            f"in {self.code_blocks} blocks, {self.images} images: about {self.reading_minutes} "
            f"min to read (prose at {WORDS_PER_MINUTE} words a minute, {SECONDS_PER_IMAGE} s an "
            "image; code not timed)"
        )


def inline_words(token) -> tuple[int, int]:
    """Words and images of an inline token: the text of its children, links' text included."""
    words = images = 0
    for child in token.children or []:
        if child.type == "image":
            images += 1
        elif child.type in ("text", "code_inline"):
            words += len(WORD.findall(child.content))
    return words, images


def post_length(markdown: str) -> PostLength:
    """Measure the markdown of a post as a CommonMark renderer (with tables) parses it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    words = images = blocks = lines = 0
    for token in tokens:
        if token.type in CODE_BLOCKS:
            blocks += 1
            lines += len(token.content.rstrip("\n").splitlines())
        elif token.type == "inline":
            found_words, found_images = inline_words(token)
            words, images = words + found_words, images + found_images
    return PostLength(words, blocks, lines, images)
