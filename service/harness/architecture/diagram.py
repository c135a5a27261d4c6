"""The architecture diagram: three paths, drawn left to right by Graphviz's ``dot``.

- the request path: a client's request through uvicorn, the app's middleware and the model's
  decorators to the model;
- the log path: the records the worker writes to stdout, shipped by Filebeat to Elasticsearch
  and read in Kibana, and read by the hourly drift job;
- the metrics path: ``/metrics``, scraped by Prometheus, whose burn-rate rules send alerts to
  Alertmanager, which routes them to a receiver.

Each path is a cluster whose title says which it is, so the drawing needs no legend.
"""

import itertools
import shutil
import textwrap
from html import escape
from pathlib import Path

import graphviz

from architecture.sources import Architecture, Sources, Step, read_architecture
from model_service.routes import METRICS_PATH

FONT = "DejaVu Sans"
PATHS = {  # cluster → (title, line colour, background)
    "request": ("The request path: a prediction", "#1f5f99", "#eef4fb"),
    "logs": ("The log path: each prediction kept, and watched for drift", "#2e7d32", "#eef7ee"),
    "metrics": ("The metrics path: counted, scraped, alerted on", "#a0522d", "#fbf1ea"),
}
DOT_PACKAGE = "graphviz"  # the Debian package that provides `dot`


class DotMissingError(RuntimeError):
    """Graphviz's ``dot`` is not installed."""


def html_label(title: str, *lines: str, align: str = "CENTER") -> str:
    """A node's label: its title in bold, then smaller lines (Graphviz's HTML-like labels)."""
    rows = [f"<B>{escape(title)}</B>"]
    rows += [f'<FONT POINT-SIZE="9">{escape(line)}</FONT>' for line in lines if line]
    return "<" + "".join(f'{row}<BR ALIGN="{align}"/>' for row in rows) + ">"


def only_in(step: Step) -> str:
    return f"{' and '.join(step.only_in)} only" if step.only_in else ""


def wrapped(text: str, width: int = 30) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False)


def middleware_label(middleware: list[Step]) -> str:
    """The middleware stack as a table, the first a request meets on top; each row a port."""
    rows = "".join(
        f'<TR><TD PORT="m{n}" ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9">'
        + "<BR/>".join(escape(text) for text in (step.name, only_in(step)) if text)
        + "</FONT></TD></TR>"
        for n, step in enumerate(middleware)
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f"<TR><TD><B>the app's middleware</B></TD></TR>{rows}</TABLE>>"
    )


def new_graph() -> graphviz.Digraph:
    graph = graphviz.Digraph("architecture", format="svg")
    # Each path a row, flowing left to right; the rows stacked: logs, requests, metrics.
    graph.attr(rankdir="TB", fontname=FONT, fontsize="12", nodesep="0.3", ranksep="0.45",
               newrank="true", pad="0.1")  # fmt: skip
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="white", fontname=FONT,
               fontsize="10", margin="0.12,0.06")  # fmt: skip
    graph.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")
    return graph


def cluster(path: str, one_row: bool = True) -> graphviz.Digraph:
    """The subgraph of one path, titled and coloured; its nodes in one row unless not
    ``one_row``."""
    title, colour, background = PATHS[path]
    sub = graphviz.Digraph(f"cluster_{path}")
    sub.attr(label=f"<<B>{escape(title)}</B>>", labeljust="l", color=colour, fontcolor=colour,
             style="rounded,filled", fillcolor=background, penwidth="1.5")  # fmt: skip
    if one_row:
        sub.attr(rank="same")
    sub.attr("node", color=colour)
    sub.attr("edge", color=colour)
    return sub


def request_path(graph: graphviz.Digraph, architecture: Architecture) -> None:
    sub = cluster("request")
    sub.node("client", html_label("client", "POST …/prediction"))
    sub.node("uvicorn", html_label("uvicorn", "a worker process"))
    sub.node("middleware", middleware_label(architecture.middleware), shape="plaintext",
             style="", margin="0")  # fmt: skip
    chain = ["client", "uvicorn", "middleware"]
    for n, step in enumerate(architecture.decorators):
        sub.node(f"decorator{n}", html_label(step.name, only_in(step) or "decorator"))
        chain.append(f"decorator{n}")
    sub.node("model", html_label(architecture.model, "predict"))
    chain.append("model")
    for source, target in itertools.pairwise(chain):
        sub.edge(source, target)
    graph.subgraph(sub)


def log_path(graph: graphviz.Digraph, architecture: Architecture) -> None:
    sub = cluster("logs", one_row=False)
    loggers = wrapped("loggers " + ", ".join(architecture.loggers))
    sub.node("stdout", html_label("stdout: JSON lines", architecture.log_handler, *loggers))
    sub.node("filebeat", html_label("Filebeat", "tails the container logs"))
    sub.node("elasticsearch", html_label("Elasticsearch", f"index {architecture.log_index}"))
    sub.node("kibana", html_label("Kibana", "search, dashboards"))
    with sub.subgraph() as row:
        row.attr(rank="same")
        for source, target in [("stdout", "filebeat"), ("filebeat", "elasticsearch"),
                               ("elasticsearch", "kibana")]:  # fmt: skip
            row.edge(source, target)
    # Above the row: it reads the pods' logs (kubectl logs), not Elasticsearch.
    sub.node("drift", html_label("drift job", schedule_text(architecture.drift_schedule),
                                 "PSI and chi-square per feature"))  # fmt: skip
    sub.edge("drift", "stdout", label=" kubectl logs", dir="back")
    graph.subgraph(sub)


def schedule_text(cron: str) -> str:
    """A CronJob's schedule in words where it runs hourly (``5 * * * *``), else as it is."""
    minute, *rest = cron.split()
    if minute.isdigit() and rest == ["*"] * 4:
        return f"every hour, at :{int(minute):02d}"
    return f"CronJob {cron}"


def alert_lines(alerts: dict[str, list[str]]) -> list[str]:
    return [f"{name} {' '.join(windows)}".strip() for name, windows in alerts.items()]


def metrics_path(graph: graphviz.Digraph, architecture: Architecture) -> None:
    sub = cluster("metrics")
    port = f"port {architecture.metrics_port}" if architecture.metrics_port else "the API's port"
    sub.node("metrics", html_label(METRICS_PATH, port))
    sub.node(
        "prometheus", html_label("Prometheus", f"scrapes every {architecture.scrape_interval}")
    )
    sub.node(
        "rules",
        html_label("burn-rate alert rules", *alert_lines(architecture.alerts), align="LEFT"),
    )
    sub.node("alertmanager", html_label("Alertmanager", "routes by severity"))
    sub.node("receiver", html_label("receivers", *wrapped(", ".join(architecture.receivers), 20)))
    for source, target in [("metrics", "prometheus"), ("prometheus", "rules"),
                           ("rules", "alertmanager"), ("alertmanager", "receiver")]:  # fmt: skip
        sub.edge(source, target)
    graph.subgraph(sub)


def logging_step(architecture: Architecture) -> str:
    """The node of the decorator that logs, else the model's."""
    names = [step.name for step in architecture.decorators]
    logging = [n for n, name in enumerate(names) if "Logging" in name]
    return f"decorator{logging[0]}" if logging else "model"


def architecture_graph(architecture: Architecture) -> graphviz.Digraph:
    """The three paths, and where they leave the request path."""
    graph = new_graph()
    request_path(graph, architecture)
    log_path(graph, architecture)
    metrics_path(graph, architecture)
    logs, metrics = PATHS["logs"][1], PATHS["metrics"][1]
    logger = logging_step(architecture)
    # Drawn from stdout back to the decorator, so that the log path's row sits above.
    graph.edge("stdout", logger, label=" a record per prediction", color=logs, fontcolor=logs,
               style="dashed", dir="back")  # fmt: skip
    graph.edge("middleware", "metrics", label=" MetricsMiddleware counts", color=metrics,
               fontcolor=metrics, style="dashed")  # fmt: skip
    return graph


def draw_architecture(output: Path, sources: Sources | None = None) -> Path:
    """Draw the diagram into ``output`` (SVG), its labels read from ``sources`` (the project's
    files by default); DotMissingError if Graphviz's ``dot`` is not installed."""
    if shutil.which("dot") is None:
        raise DotMissingError(
            f"Graphviz's `dot` draws the architecture diagram: install the Debian package "
            f"`{DOT_PACKAGE}` (apt-get install {DOT_PACKAGE})"
        )
    graph = architecture_graph(read_architecture(sources))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(graph.pipe(format=output.suffix.lstrip(".") or "svg"))
    return output
