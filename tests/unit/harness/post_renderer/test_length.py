import pytest

from post_renderer.length import PostLength, post_length

POST = """# A title

Two sentences of prose. The second one has `inline code` and a [link text](https://example.org).

| users | req/s |
|---|---|
| 32 | 1,224 |

```python
print("not prose")
print("still code")
```

![throughput](../images/05_load_test_throughput.png)

    indented code
"""


def test_prose_tables_code_and_images_are_counted_apart():
    length = post_length(POST)
    # "A title" 2, the paragraph 14, the table 4 ("req/s" is one word); nothing of the code.
    assert length.prose_words == 20
    assert (length.code_blocks, length.code_lines, length.images) == (2, 3, 1)


def test_reading_time_counts_prose_and_images_and_rounds_up():
    assert PostLength(238 * 10, 5, 400, 0).reading_minutes == 10
    assert PostLength(238 * 10, 5, 400, 1).reading_minutes == 11  # 12 s more rounds up
    assert PostLength(0, 0, 0, 0).reading_minutes == 0


def test_the_summary_names_every_figure():
    summary = PostLength(2_380, 3, 120, 5).summary()
    assert summary.startswith("2,380 words of prose, 120 lines of code and output in 3 blocks")
    assert "5 images: about 11 min to read" in summary


@pytest.mark.parametrize("markdown", ["", "```\nonly code\n```\n"])
def test_a_post_without_prose_has_no_words(markdown):
    assert post_length(markdown).prose_words == 0
