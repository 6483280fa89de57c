"""``budget --report DIR``: the budget of each environment as a picture and an HTML page.

Per environment it writes ``budget-<env>.svg`` and ``.png`` (two stacked bars,
memory requests and memory limits, one segment per workload coloured by
namespace, the transient pods that can overlap hatched after the steady
requests, the budget as a line, the largest items labelled) and
``budget-<env>.html`` (the picture and the same table ``budget`` prints). With
``--measured FILE`` (what ``benchmarks/footprint.py --record`` wrote for that
environment) the page also shows, per measured component, its steady and peak
memory beside the requests and limits of the workloads it stands for, and says
where a request is below steady use (docs/adr/0020-dev-requests-measured.md).
matplotlib comes from the ``report`` extra, imported only here, so ``render``
stays light (docs/adr/0017-pull-request-review.md).
"""

import html
import json
from pathlib import Path
from typing import Any

from generator.manifests.reservations import Footprint
from generator.pipeline.budget import Report, table
from generator.spec.quantity import format_memory

LABELLED = 6  # the largest segments of each bar get their name written on them
MIB = 1 << 20


class ReportError(Exception):
    """The report cannot be drawn here (its extra is not installed), or its input is wrong."""


def _measured_rows(report: Report, measured: Path) -> list[tuple[str, ...]]:
    """(component, workloads, request, limit, steady, peak, verdict) per measured component."""
    try:
        data = json.loads(measured.read_text(encoding="utf-8"))
        components = data["components"]
    except (OSError, ValueError, KeyError) as error:
        raise ReportError(f"{measured}: not a footprint record ({error})") from error
    if data.get("environment") != report.environment:
        raise ReportError(
            f"{measured}: environment {data.get('environment')!r} is not {report.environment!r}"
        )
    by_workload = {f.workload: f.total for f in report.footprints}
    rows: list[tuple[str, ...]] = []
    for component in components:
        missing = [w for w in component["workloads"] if w not in by_workload]
        if missing:
            raise ReportError(
                f"{measured}: component {component['name']!r}: workloads "
                f"{missing} are not in the {report.environment} budget"
            )
        request = sum(by_workload[w].memory_request for w in component["workloads"])
        limit = sum(by_workload[w].memory_limit for w in component["workloads"])
        steady, peak = (int(component[key] * MIB) for key in ("steady_mib", "peak_mib"))
        verdict = "request below steady use" if request < steady else "request covers steady use"
        rows.append(
            (
                component["name"],
                ", ".join(component["workloads"]),
                format_memory(request),
                format_memory(limit),
                format_memory(steady),
                format_memory(peak),
                verdict + (f" ({component['note']})" if component.get("note") else ""),
            )
        )
    return rows


def _measured_section(report: Report, measured: Path | None) -> str:
    if measured is None:
        return ""
    heads = ("component", "workloads", "request", "limit", "measured steady", "peak", "")
    cells = "".join(f"<th>{head}</th>" for head in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in _measured_rows(report, measured)
    )
    source = html.escape(str(measured))
    return (
        f"<h2>Measured beside requested</h2>\n<p>from <code>{source}</code></p>\n"
        f'<table border="1" cellpadding="4"><tr>{cells}</tr>{body}</table>\n'
    )


def _pyplot() -> Any:
    try:
        import matplotlib  # noqa: PLC0415 - the optional extra, only for this command
    except ImportError as error:
        raise ReportError(
            "budget --report needs the `report` extra (matplotlib): "
            "pip install -e '.[report]', or `make setup`"
        ) from error
    matplotlib.use("Agg")  # files only, no display
    matplotlib.rcParams["svg.hashsalt"] = "streamflow"  # byte-identical SVGs run to run
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def _wrapped(name: str, width: int = 12) -> str:
    """``streamflow-session-taskmanager`` → three lines, broken after the dashes."""
    lines = [""]
    for part in name.split("-"):
        piece = part if not lines[-1] else f"-{part}"
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += "-"
            lines.append(part)
        else:
            lines[-1] += piece
    return "\n".join(lines)


def _segments(report: Report, limit: bool) -> list[tuple[Footprint, int]]:
    steady = [f for f in report.footprints if not f.transient]
    ordered = sorted(steady, key=lambda f: (f.namespace, -f.total.memory_request, f.workload))
    return [(f, f.total.memory_limit if limit else f.total.memory_request) for f in ordered]


def _draw(report: Report, svg: Path, png: Path) -> None:
    plt = _pyplot()
    namespaces = sorted({f.namespace for f in report.footprints})
    palette = plt.get_cmap("tab20")
    colours = {ns: palette(i % 20) for i, ns in enumerate(namespaces)}
    figure, axes = plt.subplots(figsize=(12, 4.2), dpi=100)
    bars = {
        "memory requests": _segments(report, limit=False),
        "memory limits": _segments(report, limit=True),
    }
    labelled = {
        name: {id(f) for f, size in sorted(segments, key=lambda s: -s[1])[:LABELLED]}
        for name, segments in bars.items()
    }
    widest = max(report.budget, report.peak_memory, sum(size for _, size in bars["memory limits"]))
    char = widest / MIB / 240  # MiB one label character takes at this size and font
    for row, (name, segments) in enumerate(bars.items()):
        left = 0
        for footprint, size in segments:
            axes.barh(
                row,
                size / MIB,
                left=left / MIB,
                color=colours[footprint.namespace],
                edgecolor="white",
                linewidth=0.6,
            )
            label = f"{_wrapped(footprint.workload)}\n{format_memory(size)}"
            fits = size / MIB >= char * max(len(line) for line in label.splitlines())
            if id(footprint) in labelled[name] and fits:
                axes.text(
                    (left + size / 2) / MIB, row, label, ha="center", va="center", fontsize=6.5
                )
            left += size
    transient = report.transient_peak
    if transient:
        overlap = f"transient pods that can overlap ({format_memory(transient)})"
        axes.barh(
            0,
            transient / MIB,
            left=report.steady.memory_request / MIB,
            color="none",
            edgecolor="black",
            hatch="///",
            linewidth=0.8,
            label=overlap,
        )
    axes.axvline(
        report.budget / MIB,
        color="crimson",
        linestyle="--",
        linewidth=1.5,
        label=f"budget {format_memory(report.budget)}",
    )
    for namespace in namespaces:
        axes.barh(0, 0, color=colours[namespace], label=namespace)
    axes.set_yticks(range(len(bars)), list(bars))
    axes.invert_yaxis()  # requests on top
    axes.set_xlabel("MiB")
    axes.set_title(
        f"{report.environment}: peak memory requests {format_memory(report.peak_memory)}"
        f" of {format_memory(report.budget)} "
        f"({100 * report.peak_memory / report.budget:.1f} %)"
    )
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=7, frameon=False)
    figure.tight_layout()
    figure.savefig(svg, format="svg", metadata={"Date": None})
    figure.savefig(png, format="png", metadata={"Software": None})
    plt.close(figure)


def _page(report: Report, svg: Path, measured_section: str) -> str:
    picture = svg.read_text(encoding="utf-8")
    picture = picture[picture.index("<svg") :]  # inline: drop the XML prolog and doctype
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>StreamFlow budget: {html.escape(report.environment)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}pre{font-size:12px}</style></head>"
        f"<body><h1>Memory budget: {html.escape(report.environment)}</h1>\n{picture}\n"
        f"{measured_section}"
        "<h2>Every workload (what <code>python -m generator budget</code> prints)</h2>\n"
        f"<pre>{html.escape(table(report))}</pre>\n</body></html>\n"
    )


def write_report(report: Report, directory: Path, measured: Path | None = None) -> list[Path]:
    """Write the picture (SVG, PNG) and the HTML page of one environment; return their paths."""
    section = _measured_section(report, measured)  # first: a bad record writes nothing
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"budget-{report.environment}"
    svg, png, page = stem.with_suffix(".svg"), stem.with_suffix(".png"), stem.with_suffix(".html")
    _draw(report, svg, png)
    page.write_text(_page(report, svg, section), encoding="utf-8")
    return [page, svg, png]
