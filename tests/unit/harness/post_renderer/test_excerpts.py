import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import IPython.lib.pretty
import pytest
from markdown_it import MarkdownIt
from nbformat.v4 import new_code_cell, new_notebook, new_output

from common.paths import KUBERNETES_DIR, PROJECT_ROOT
from post_renderer import excerpts
from post_renderer.excerpts import (
    Excerpt,
    ExcerptError,
    listing,
    python_file_excerpt,
    source_excerpt,
    yaml_excerpt,
)
from post_renderer.render import export_html, export_markdown

MODULE = '''\
"""A module to take excerpts of."""

import functools

LIMIT: int = 3


@functools.total_ordering
class Shape:
    """A shape.

    With a long docstring.
    """

    sides: int = 0

    def __init__(self, name: str) -> None:
        self.name = name

    # The area: what everyone asks.
    def area(self) -> float:
        return 0.0

    def __eq__(self, other: object) -> bool:
        return self is other

    def __lt__(self, other: "Shape") -> bool:
        return self.sides < other.sides

    class Corner:
        """A corner of a shape."""

        def angle(self) -> float:
            return 90.0


class Plain(
    Shape,
):
    def area(self) -> float:
        return 1.0


def helper(value: int) -> int:
    return value + LIMIT
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """MODULE, written to a file and imported (inspect finds a class's file by its module)."""
    path = tmp_path / "shapes.py"
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location("shapes", path)
    loaded = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "shapes", loaded)
    spec.loader.exec_module(loaded)
    return loaded


def test_a_class_with_members_shows_its_header_and_only_those_members(module: ModuleType) -> None:
    excerpt = source_excerpt(module.Shape, "area", "__lt__")
    assert excerpt.language == "python"
    assert excerpt.text == textwrap.dedent('''\
        @functools.total_ordering
        class Shape:
            """A shape.

            With a long docstring.
            """

            # ...

            # The area: what everyone asks.
            def area(self) -> float:
                return 0.0

            # ...

            def __lt__(self, other: "Shape") -> bool:
                return self.sides < other.sides''')


def test_members_separated_only_by_blank_lines_show_no_gap(module: ModuleType) -> None:
    text = source_excerpt(module.Shape, "__eq__", "__lt__").text
    assert text.count("# ...") == 1  # the one between the header and __eq__
    assert "        return self is other\n\n    def __lt__" in text


def test_a_function_without_members_is_shown_whole(module: ModuleType) -> None:
    excerpt = source_excerpt(module.helper)
    assert excerpt.text == "def helper(value: int) -> int:\n    return value + LIMIT"
    assert excerpt.path.name == "shapes.py"


def test_a_method_shows_under_the_header_of_its_class(module: ModuleType) -> None:
    text = source_excerpt(module.Shape.Corner.angle).text
    assert text.splitlines() == [
        "@functools.total_ordering",
        "class Shape:",
        '    """A shape.',
        "",
        "    With a long docstring.",
        '    """',
        "",
        "    # ...",
        "",
        "    class Corner:",
        '        """A corner of a shape."""',
        "",
        "        def angle(self) -> float:",
        "            return 90.0",
    ]


def test_a_class_without_a_docstring_has_its_class_statement_as_header(
    module: ModuleType,
) -> None:
    text = source_excerpt(module, "Plain.area", "LIMIT").text
    assert text.splitlines() == [
        "LIMIT: int = 3",
        "",
        "",
        "# ...",
        "",
        "",
        "class Plain(",
        "    Shape,",
        "):",
        "    def area(self) -> float:",
        "        return 1.0",
    ]


def test_a_module_without_members_is_listed_whole(module: ModuleType) -> None:
    assert source_excerpt(module).text == MODULE.rstrip("\n")


def test_an_unknown_member_is_an_error_that_names_what_there_is(module: ModuleType) -> None:
    with pytest.raises(ExcerptError, match=r"Shape has no 'volume' \(it has sides, __init__, area"):
        source_excerpt(module.Shape, "volume")
    with pytest.raises(ExcerptError, match=r"shapes.py has no 'Circle'"):
        source_excerpt(module, "Circle.area")


def test_a_member_of_what_is_not_a_class_is_an_error(module: ModuleType) -> None:
    with pytest.raises(ExcerptError, match="helper is not a class"):
        source_excerpt(module, "helper.value")


def test_what_has_no_source_file_is_an_error() -> None:
    with pytest.raises(ExcerptError, match="has no source file"):
        source_excerpt(len)


MANIFEST = """\
# A deployment, to take excerpts of.
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: service
          image: example
          env:
            - {name: A, value: "1"}
            # Where the pod runs.
            - name: NODE
              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
          # What it may use.
          resources:
            requests: {cpu: 100m}
            limits:
              cpu: "1"

          command: [run]
        - name: sidecar
          image: other
  patch: |-
    line one
    line two

  after: true
---
apiVersion: v1
kind: Service
spec:
  type: NodePort
  ports:
    - {name: http, port: 80, nodePort: 30080}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(MANIFEST)
    return path


def test_yaml_keys_show_under_the_first_lines_of_their_parents(manifest: Path) -> None:
    container = "spec.template.spec.containers.service"
    excerpt = yaml_excerpt(
        manifest, "spec.replicas", f"{container}.env.NODE", f"{container}.resources",
        kind="Deployment",
    )  # fmt: skip
    assert excerpt.language == "yaml"
    assert excerpt.text == textwrap.dedent("""\
        spec:
          replicas: 2
          template:
            spec:
              containers:
                - name: service
                  # ...
                  env:
                    # ...
                    # Where the pod runs.
                    - name: NODE
                      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                  # What it may use.
                  resources:
                    requests: {cpu: 100m}
                    limits:
                      cpu: "1\"""")


def test_a_list_item_by_index_and_a_block_scalar_end_where_they_end(manifest: Path) -> None:
    text = yaml_excerpt(
        manifest, "spec.template.spec.containers.1", "spec.patch", kind="Deployment"
    ).text
    assert text.splitlines()[-5:] == [
        "        - name: sidecar",
        "          image: other",
        "  patch: |-",
        "    line one",
        "    line two",
    ]


def test_a_key_inside_a_flow_mapping_shows_its_line(manifest: Path) -> None:
    text = yaml_excerpt(manifest, "spec.ports.http.nodePort", kind="Service").text
    assert text == "spec:\n  # ...\n  ports:\n    - {name: http, port: 80, nodePort: 30080}"


def test_a_file_of_several_documents_needs_a_kind_that_one_of_them_has(manifest: Path) -> None:
    with pytest.raises(ExcerptError, match=r"has 2 documents \(name one with kind=...\)"):
        yaml_excerpt(manifest, "spec")
    with pytest.raises(ExcerptError, match="has 0 documents of kind 'Job'"):
        yaml_excerpt(manifest, "spec", kind="Job")


def test_a_missing_key_is_an_error_that_names_the_keys_there_are(manifest: Path) -> None:
    with pytest.raises(ExcerptError, match=r"spec has no 'replica' \(it has replicas, template"):
        yaml_excerpt(manifest, "spec.replica", kind="Deployment")
    with pytest.raises(ExcerptError, match=r"containers has no '5' \(it has service, sidecar\)"):
        yaml_excerpt(manifest, "spec.template.spec.containers.5", kind="Deployment")
    with pytest.raises(ExcerptError, match=r"spec.replicas has no 'x' \(it has -\)"):
        yaml_excerpt(manifest, "spec.replicas.x", kind="Deployment")


def test_what_is_not_yaml_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(ExcerptError, match=r"broken\.yaml is not valid YAML"):
        yaml_excerpt(path, "a")


def test_a_listing_is_the_whole_file_in_the_language_of_its_name(manifest: Path) -> None:
    excerpt = listing(manifest)
    assert (excerpt.text, excerpt.language) == (MANIFEST.rstrip("\n"), "yaml")
    assert listing(PROJECT_ROOT / "Dockerfile").language == "dockerfile"
    assert listing(PROJECT_ROOT / "README.md").language == "text"


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExcerptError, match=r"cannot read .*absent\.yaml"):
        listing(tmp_path / "absent.yaml")


def test_the_link_to_the_whole_file_starts_at_the_projects_root() -> None:
    excerpt = source_excerpt(excerpts.gap_lines)
    assert excerpt.link() == (
        "[`service/harness/post_renderer/excerpts.py`](../service/harness/post_renderer/excerpts.py)"
    )
    for folder in ("notebooks", "blog_post"):  # both one folder below the root
        assert (PROJECT_ROOT / folder / "../service/harness/post_renderer/excerpts.py").is_file()


def test_a_file_outside_the_project_cannot_be_linked(manifest: Path) -> None:
    with pytest.raises(ExcerptError, match="is outside the project"):
        yaml_excerpt(manifest, "spec", kind="Service").link()


def test_in_markdown_an_excerpt_is_a_fenced_block_then_its_link() -> None:
    excerpt = Excerpt(KUBERNETES_DIR / "base" / "service.yaml", "kind: Service", "yaml")
    tokens = MarkdownIt("commonmark").parse(excerpt._repr_markdown_())
    fence = next(token for token in tokens if token.type == "fence")
    assert (fence.info, fence.content) == ("yaml", "kind: Service\n")
    links = [
        child for token in tokens for child in token.children or [] if child.type == "link_open"
    ]
    assert [link.attrs["href"] for link in links] == ["../kubernetes/base/service.yaml"]
    assert str(excerpt) == "kind: Service"
    assert IPython.lib.pretty.pretty(excerpt) == "kind: Service"  # a notebook's text/plain


def test_the_post_keeps_the_excerpt_and_its_link_in_markdown_and_html() -> None:
    excerpt = source_excerpt(excerpts.gap_lines)
    output = new_output(
        "display_data",
        data={"text/markdown": excerpt._repr_markdown_(), "text/plain": str(excerpt)},
    )
    notebook = new_notebook(cells=[new_code_cell("source_excerpt(gap_lines)", outputs=[output])])
    markdown, _ = export_markdown(notebook)
    assert excerpt._repr_markdown_().strip() in markdown
    html = export_html(notebook)
    assert '<span class="k">def</span><span class="w"> </span><span class="nf">gap_lines' in html
    assert '<a href="../service/harness/post_renderer/excerpts.py">' in html


def test_a_python_file_is_excerpted_without_being_imported() -> None:
    path = PROJECT_ROOT / "service" / "harness" / "load_test" / "locustfile.py"
    excerpt = python_file_excerpt(path, "InsuranceChargesUser.predict")
    assert excerpt.text.startswith("class InsuranceChargesUser(FastHttpUser):")
    assert "    def predict(self) -> None:" in excerpt.text
    assert "class ConfiguredShape" not in excerpt.text
    shown = "service/harness/load_test/locustfile.py"
    assert excerpt.link() == f"[`{shown}`](../{shown})"


def test_a_python_file_excerpt_needs_names() -> None:
    with pytest.raises(ExcerptError, match=r"name the definitions of locustfile\.py"):
        python_file_excerpt(PROJECT_ROOT / "service" / "harness" / "load_test" / "locustfile.py")
