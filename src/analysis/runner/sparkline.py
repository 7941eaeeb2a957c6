"""Inline SVG sparklines for the index page: a notebook's main figures and statuses over recent runs (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..escape import html_text
from ..record import STATUS_COLOURS
from ..tables import format_number

#: Comparable runs a trend shows (the index column and its sparklines).
TREND_RUNS = 20
#: Line colours of the (at most three) main figures.
LINE_COLOURS = ("#0969da", "#bf8700", "#8250df")


def main_figures(points: Sequence[Mapping[str, Any]], limit: int = 3) -> list[str]:
    """The first ``limit`` numeric key figures of the newest run that also have history."""
    if not points:
        return []
    names = list(points[-1]["figures"])
    return [n for n in names if sum(n in p["figures"] for p in points) >= 2][:limit]  # one point draws no line


def _polyline(values: Sequence[float | None], width: float, top: float, height: float) -> str:
    """SVG points of one series scaled to its own range (gaps where a run lacks it)."""
    present = [v for v in values if v is not None]
    lo, hi = min(present), max(present)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    pts = [f"{i * step:.1f},{top + height - (v - lo) / span * height:.1f}" for i, v in enumerate(values) if v is not None]
    return " ".join(pts)


def sparkline_svg(points: Sequence[Mapping[str, Any]], *, width: int = 150, height: int = 36) -> str:
    """A self-contained ``<svg>``: one line per main figure (each on its own scale), one status square per run.

    Parameters
    ----------
    points : sequence of mapping
        Oldest first: ``{"run_id", "status", "figures": {name: number}}`` (see
        :func:`analysis.runner.history_query.trend`).
    width, height : int
        Size in CSS pixels.

    Returns
    -------
    str
        ``<svg>`` markup with a ``<title>`` naming the figures and their first and last values;
        empty when there are no points.
    """
    if not points:
        return ""
    names = main_figures(points)
    chart_h = height - 9
    lines, legend = [], []
    for colour, name in zip(LINE_COLOURS, names):
        values = [p["figures"].get(name) for p in points]
        present = [v for v in values if v is not None]
        if len(present) >= 2:
            lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                         f'points="{_polyline(values, width - 4, 2, chart_h - 4)}"/>')
        legend.append(f"{name}: {format_number(present[0])} → {format_number(present[-1])}")
    box = max(min((width - 4) / len(points), 7.0), 2.0)
    squares = "".join(
        f'<rect x="{i * (width / len(points)):.1f}" y="{height - 7}" width="{box - 1:.1f}" height="6" '
        f'fill="{STATUS_COLOURS.get(p["status"], "#57606a")}"/>'
        for i, p in enumerate(points)
    )
    title = f"last {len(points)} comparable run(s); " + "; ".join(legend) if legend else f"last {len(points)} comparable run(s)"
    return (f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{html_text(title)}</title>{"".join(lines)}{squares}</svg>')
