"""``history.html``: every key figure over the comparable runs (matplotlib, inline PNG) and every status change.

Self-contained: charts are base64 PNG images, no scripts (the page's Content-Security-Policy allows none). The SLO budget-left figures (names
starting with :data:`BUDGET_PREFIX`, one per SLO, recorded with ``key=False``) share the first
chart, because that is the one stakeholders open first; then one chart per numeric key figure.
The page lives in a run directory; links to other runs are relative (``../<run id>/index.html``).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from PIL import Image

from ..escape import CSP_META, href, html_text, mpl_text
from ..record import STATUS_COLOURS, figure_number
from .index import CHANGE_CELLS
from .changes import status_change

#: Figures whose name starts with this are one SLO's error budget left (percent), charted together.
BUDGET_PREFIX = "budget left %"


class _Chart:
    """One reused matplotlib figure: redrawing its lines costs a fraction of building a new figure per chart."""

    def __init__(self) -> None:
        self.fig = Figure(figsize=(5.4, 1.9), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.11, 0.16, 0.62, 0.74))
        for side in ("top", "right"):
            self.ax.spines[side].set_visible(False)
        self.lines: list[Any] = []

    def _lines(self, n: int) -> list[Any]:
        """Exactly ``n`` line artists (reused between charts)."""
        while len(self.lines) < n:
            self.lines.append(self.ax.plot([], [], lw=1.3, ms=3)[0])
        for extra in self.lines[n:]:
            extra.remove()
        self.lines = self.lines[:n]
        return self.lines

    def png(self, lines: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, unit: str,
            first: str, last: str) -> str:
        """The chart of ``lines`` (label → (x, y)) as a base64 PNG."""
        ax = self.ax
        xs_all: list[float] = []
        ys_all: list[float] = []
        for artist, (label, (xs, ys)) in zip(self._lines(len(lines)), lines.items()):
            artist.set_data(xs, ys)
            artist.set_label(mpl_text(label))  # figure and SLO names: never mathtext
            artist.set_marker("o" if len(xs) < 30 else "")
            xs_all += list(xs)
            ys_all += list(ys)
        lo, hi = min(ys_all), max(ys_all)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.05 or 1.0
        ax.set_ylim(lo - pad, hi + pad)
        x0, x1 = min(xs_all), max(xs_all)
        ax.set_xlim(x0 - 0.5 if x0 == x1 else x0, x1 + 0.5 if x0 == x1 else x1)
        ax.set_xticks([x0, x1] if x1 > x0 else [x0], [first, last] if x1 > x0 else [last], fontsize=7)
        for label, align in zip(ax.get_xticklabels(), ("left", "right") if x1 > x0 else ("center",)):
            label.set_horizontalalignment(align)  # inside the figure, never cut at its edges
        yticks = [lo, 0.0, hi] if lo < 0 < hi else ([lo, hi] if hi > lo else [lo])  # 0: e.g. a budget just spent
        ax.set_yticks(yticks, [figure_number(y) for y in yticks], fontsize=7)
        ax.set_ylabel(mpl_text(unit), fontsize=7)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        ax.set_position((0.11, 0.16, 0.62 if len(lines) > 1 else 0.85, 0.74))  # room for a legend on the right
        if len(lines) > 1:
            ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        self.canvas.draw()
        buf = io.BytesIO()
        Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba()).save(
            buf, format="png", compress_level=1)
        return base64.b64encode(buf.getvalue()).decode()


def _group(rows: Sequence[tuple[Any, ...]]) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, float]]:
    """Series per (notebook, figure) and the x position (matplotlib date) of every run."""
    xpos: dict[str, float] = {}
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for started, run_id, notebook, name, value, unit, *label in rows:
        if run_id not in xpos:
            xpos[run_id] = float(date2num(dt.datetime.fromisoformat(started)))
        s = series.setdefault((notebook, name), {"x": [], "y": [], "unit": unit})
        s["label"] = (label[0] if label else "") or name  # the newest run's label
        s["x"].append(xpos[run_id])
        s["y"].append(value)
    return series, xpos


def _charts(rows: Sequence[tuple[Any, ...]]) -> list[tuple[str, str]]:
    """(title, base64 PNG) per chart: the budget-left group first, then every key figure."""
    series, _ = _group(rows)
    if not series:
        return []
    first = rows[0][0][:16].replace("T", " ")
    last = rows[-1][0][:16].replace("T", " ")
    chart = _Chart()
    out = []
    budget = {name.removeprefix(BUDGET_PREFIX).strip() or name: (s["x"], s["y"])
              for (nb, name), s in series.items() if name.startswith(BUDGET_PREFIX)}
    if budget:
        out.append(("SLO error budget left (%) per SLO", chart.png(budget, unit="%", first=first, last=last)))
    for (nb, name), s in series.items():
        if not name.startswith(BUDGET_PREFIX):
            out.append((f"{nb} · {s['label']}", chart.png({s["label"]: (s["x"], s["y"])}, unit=s["unit"],
                                                          first=first, last=last)))
    return out


def _run_link(run_id: str | None, existing: Collection[str]) -> str:
    """A link to a run's index, or its id with '(pruned)' when its directory is gone."""
    if not run_id:
        return "—"
    if run_id in existing:
        return f'<a href="{href(f"../{run_id}/index.html")}">{html_text(run_id)}</a>'
    return f"{html_text(run_id)} (pruned)"


def _changes_table(changes: Sequence[Mapping[str, Any]], existing: Collection[str]) -> str:
    """Every status change, newest first, with links to both runs."""
    if not changes:
        return "<p>No status change recorded yet.</p>"
    rows = []
    for c in changes:
        kind = status_change(c["status_before"], c["status_after"])
        arrow, label, css = CHANGE_CELLS[kind]
        rows.append(
            f"<tr><td>{html_text(c['started'])}</td><td>{html_text(c['notebook'])}</td>"
            f'<td><span class="status" style="background:{STATUS_COLOURS[c["status_before"]]}">{c["status_before"]}</span> → '
            f'<span class="status" style="background:{STATUS_COLOURS[c["status_after"]]}">{c["status_after"]}</span></td>'
            f'<td class="{css}">{arrow} {label}</td><td>{_run_link(c["run_id"], existing)}</td>'
            f"<td>{_run_link(c['baseline_id'], existing)}</td></tr>")
    return ("<table><thead><tr><th>Run started</th><th>Notebook</th><th>Status</th><th>Change</th><th>Run</th>"
            f"<th>Compared with</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def render_history_page(rows: Sequence[tuple[Any, ...]], changes: Sequence[Mapping[str, Any]], *,
                        run_id: str, params_hash: str, existing_runs: Collection[str] = (), runs: int = 0) -> str:
    """The history page.

    Parameters
    ----------
    rows : sequence of tuple
        :func:`analysis.runner.history_query.figure_series` of the comparable runs (a chart is titled
        with the figure's newest label).
    changes : sequence of mapping
        :func:`analysis.runner.history_query.status_changes`, newest first.
    run_id, params_hash : str
        The run this page belongs to and its parameter hash.
    existing_runs : collection of str
        Run directories still on disk (the others are shown as pruned).
    runs : int
        How many comparable runs the charts cover.

    Returns
    -------
    str
        A self-contained HTML page.
    """
    charts = "".join(f'<figure><figcaption>{html_text(t)}</figcaption><img alt="{html_text(t)}" '
                     f'src="data:image/png;base64,{png}"></figure>' for t, png in _charts(rows))
    if not charts:
        charts = "<p>No numeric key figure recorded yet.</p>"
    if not any(r[3].startswith(BUDGET_PREFIX) for r in rows):
        charts = "<p>No SLO budget-left figures recorded in these runs.</p>" + charts
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<title>Infra Mind audit — history</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
figure {{ display: inline-block; margin: 0 12px 12px 0; vertical-align: top; }}
figcaption {{ font-size: 0.85em; color: #57606a; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }}
.status {{ color: white; padding: 1px 6px; border-radius: 4px; font-weight: bold; font-size: 0.85em; }}
.chg-bad {{ color: #cf222e; font-weight: bold; }} .chg-warn {{ color: #9a6700; font-weight: bold; }}
.chg-good {{ color: #1a7f37; font-weight: bold; }} .chg-same {{ color: #57606a; }}
@media print {{ body {{ margin: 0; }} figure {{ break-inside: avoid; }} .status {{ print-color-adjust: exact; -webkit-print-color-adjust: exact; }} }}
</style></head><body>
<h1>Infra Mind audit — history</h1>
<p>Run {html_text(run_id)} · {runs} comparable run(s) with the same parameters (hash {html_text(params_hash)}) ·
<a href="index.html">this run's index</a></p>
<h2>Key figures over time</h2>
{charts}
<h2>Status changes</h2>
{_changes_table(changes, existing_runs)}
</body></html>
"""
