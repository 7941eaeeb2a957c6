"""``history.html``: every notebook's verdicts and key figures over the comparable runs, and every status change.

Self-contained: charts are base64 PNG images (matplotlib) and inline SVG, no scripts (the page's
Content-Security-Policy allows none). The SLO budget-left figures (names starting with
:data:`BUDGET_PREFIX`, one per SLO, recorded with ``key=False``) share the first chart, because that
is the one stakeholders open first. Then one section per notebook: its verdict in every run (a strip
of coloured squares) and a chart per numeric key figure. A figure recorded in one run only is a
value in the section's table, never a chart of one dot. Charts print: tick labels and legends in
:data:`FONT_PT` (≥ 9 CSS px), legends whole (the image is cropped around everything drawn).
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

from ..escape import CSP_META, href, html_text, mpl_text
from ..record import STATUS_COLOURS, figure_number, format_figure
from .changes import status_change
from .index import CHANGE_CELLS

#: Figures whose name starts with this are one SLO's error budget left (percent), charted together.
BUDGET_PREFIX = "budget left %"
#: Chart size (inches) and resolution: the image is shown at its pixel size (1 px = 1 CSS px).
CHART_INCHES, CHART_DPI = (5.6, 2.1), 80
#: Font size of tick labels, axis labels and legends, in points: 9 pt at 80 dpi is 10 px.
FONT_PT = 9.0


class _Chart:
    """One reused matplotlib figure: redrawing its lines costs a fraction of building a new figure per chart."""

    def __init__(self) -> None:
        self.fig = Figure(figsize=CHART_INCHES, dpi=CHART_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.12, 0.2, 0.84, 0.72))
        for side in ("top", "right"):
            self.ax.spines[side].set_visible(False)
        self.lines: list[Any] = []

    def _lines(self, n: int) -> list[Any]:
        """Exactly ``n`` line artists (reused between charts)."""
        while len(self.lines) < n:
            self.lines.append(self.ax.plot([], [], lw=1.4, ms=4)[0])
        for extra in self.lines[n:]:
            extra.remove()
        self.lines = self.lines[:n]
        return self.lines

    def png(self, lines: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, unit: str,
            first: str, last: str) -> str:
        """The chart of ``lines`` (label → (x, y)) as a base64 PNG, cropped around everything drawn."""
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
        ax.set_xticks([x0, x1] if x1 > x0 else [x0], [first, last] if x1 > x0 else [last], fontsize=FONT_PT)
        for label, align in zip(ax.get_xticklabels(), ("left", "right") if x1 > x0 else ("center",)):
            label.set_horizontalalignment(align)
        yticks = [lo, 0.0, hi] if lo < 0 < hi else ([lo, hi] if hi > lo else [lo])  # 0: e.g. a budget just spent
        ax.set_yticks(yticks, [figure_number(y) for y in yticks], fontsize=FONT_PT)
        ax.set_ylabel(mpl_text(unit), fontsize=FONT_PT)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        if len(lines) > 1:  # beside the plot, whole: the saved image grows to hold it
            ax.legend(fontsize=FONT_PT, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=CHART_DPI, bbox_inches="tight", pad_inches=0.06,
                         pil_kwargs={"compress_level": 1})  # cropped around all drawn: legends, wide tick labels whole
        return base64.b64encode(buf.getvalue()).decode()


def _group(rows: Sequence[tuple[Any, ...]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Series per (notebook, figure): x (matplotlib dates of the runs), y, unit, the newest label, the newest run."""
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for started, run_id, notebook, name, value, unit, *label in rows:
        s = series.setdefault((notebook, name), {"x": [], "y": [], "unit": unit})
        s["label"] = (label[0] if label else "") or name
        s["x"].append(float(date2num(dt.datetime.fromisoformat(started))))
        s["y"].append(value)
        s["run"], s["unit"] = run_id, unit
    return series


def _budget_name(name: str) -> str:
    """The SLO of a budget-left figure (``budget left % · api_availability`` → ``api_availability``)."""
    return name.removeprefix(BUDGET_PREFIX).strip(" ·") or name


def _values_table(items: Sequence[tuple[str, Any, str, str]], head: str = "Key figure") -> str:
    """Figures recorded in one run only, as values: (label, value, unit, run id) rows (``head``: what the first
    column names; a key figure's label cell is marked ``im-fig-label``)."""
    if not items:
        return ""
    css = ' class="im-fig-label"' if head == "Key figure" else ""
    rows = "".join(f'<tr><td{css}>{html_text(label)}</td><td class="num">{html_text(format_figure(value, unit))}</td>'
                   f"<td>{html_text(run)}</td></tr>" for label, value, unit, run in items)
    return (f'<table class="values"><thead><tr><th>{html_text(head)}</th><th class="num">Value</th>'
            f"<th>Run (the only one with it)</th></tr></thead><tbody>{rows}</tbody></table>")


def _figure(title: str, png: str) -> str:
    return (f'<figure><figcaption>{html_text(title)}</figcaption><img alt="{html_text(title)}" '
            f'src="data:image/png;base64,{png}"></figure>')


def _budget_block(series: Mapping[tuple[str, str], Mapping[str, Any]], chart: _Chart, first: str, last: str) -> str:
    """The SLO budget-left chart (SLOs with two or more runs) and the values of the others."""
    budget = {_budget_name(name): s for (_, name), s in series.items() if name.startswith(BUDGET_PREFIX)}
    if not budget:
        return "<p>No SLO budget-left figures recorded in these runs.</p>"
    charted = {slo: (s["x"], s["y"]) for slo, s in budget.items() if len(s["x"]) > 1}
    single = [(slo, s["y"][-1], "%", s["run"]) for slo, s in budget.items() if len(s["x"]) == 1]
    out = _figure("SLO error budget left (%) per SLO", chart.png(charted, unit="%", first=first, last=last)) if charted else ""
    return out + (f"<p>SLO error budget left (%) per SLO:</p>{_values_table(single, 'SLO')}" if single else "")


def _status_strip(points: Sequence[tuple[str, str, str]]) -> str:
    """The verdict of every comparable run as a strip of coloured squares (inline SVG, a title per square)."""
    size, gap = 14, 3
    width = len(points) * (size + gap)
    squares = "".join(
        f'<rect x="{i * (size + gap)}" y="0" width="{size}" height="{size}" fill="{STATUS_COLOURS.get(status, "#57606a")}">'
        f"<title>{html_text(run_id)}: {html_text(status)}</title></rect>" for i, (_, run_id, status) in enumerate(points))
    first, last = points[0][0][:16].replace("T", " "), points[-1][0][:16].replace("T", " ")
    return (f'<figure class="strip"><figcaption>Verdict per run, {html_text(first)} → {html_text(last)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{size}" viewBox="0 0 {width} {size}" '
            f'role="img">{squares}</svg></figure>')


def _notebook_section(notebook: str, statuses: Sequence[tuple[str, str, str]],
                      series: Mapping[tuple[str, str], Mapping[str, Any]], chart: _Chart, first: str, last: str) -> str:
    """One notebook: its verdicts, the figures of one run as values, a chart per figure with a history."""
    own = {name: s for (nb, name), s in series.items() if nb == notebook and not name.startswith(BUDGET_PREFIX)}
    parts = [f"<h3>{html_text(notebook)}</h3>"]
    if len(statuses) > 1:
        parts.append(_status_strip(statuses))
    elif statuses:
        started, run_id, status = statuses[0]
        parts.append(f'<p>Verdict: <span class="status" style="background:{STATUS_COLOURS.get(status, "#57606a")}">'
                     f"{html_text(status)}</span> in run {html_text(run_id)}, the only comparable run.</p>")
    parts.append(_values_table([(s["label"], s["y"][-1], s["unit"], s["run"]) for s in own.values() if len(s["x"]) == 1]))
    parts += [_figure(f"{notebook} · {s['label']}", chart.png({s["label"]: (s["x"], s["y"])}, unit=s["unit"],
                                                               first=first, last=last))
              for s in own.values() if len(s["x"]) > 1]
    if len(parts) == 1:
        parts.append("<p>No numeric key figure recorded.</p>")
    return f'<section class="notebook">{"".join(parts)}</section>'


def _sections(rows: Sequence[tuple[Any, ...]], statuses: Sequence[tuple[Any, ...]]) -> str:
    """The budget block, then a section per notebook (in the order they first appear)."""
    series = _group(rows)
    if not series and not statuses:
        return "<p>No SLO budget-left figures recorded in these runs.</p><p>No numeric key figure recorded yet.</p>"
    times = sorted([r[0] for r in rows] + [s[0] for s in statuses])
    first, last = times[0][:16].replace("T", " "), times[-1][:16].replace("T", " ")
    chart = _Chart()
    notebooks = list(dict.fromkeys([nb for nb, _ in series] + [s[2] for s in statuses]))
    by_nb = {nb: [(started, run_id, status) for started, run_id, n, status in statuses if n == nb] for nb in notebooks}
    return _budget_block(series, chart, first, last) + "".join(
        _notebook_section(nb, by_nb[nb], series, chart, first, last) for nb in notebooks)


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
    return ('<table class="changes"><thead><tr><th>Run started</th><th>Notebook</th><th>Status</th><th>Change</th><th>Run</th>'
            f"<th>Compared with</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }
figure { display: inline-block; margin: 0 12px 12px 0; vertical-align: top; }
figure.strip { display: block; }
figcaption { font-size: 0.85em; color: #57606a; }
section.notebook { margin: 0 0 1em 0; }
table { border-collapse: collapse; margin: 0.3em 0 0.8em 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { color: white; padding: 1px 6px; border-radius: 4px; font-weight: bold; font-size: 0.85em; }
.chg-bad { color: #cf222e; font-weight: bold; } .chg-warn { color: #9a6700; font-weight: bold; }
.chg-good { color: #1a7f37; font-weight: bold; } .chg-same { color: #57606a; }
@media print {
  @page { margin: 14mm 12mm; }
  body { margin: 0; font-size: 9.5pt; }
  figure, tr, table.values, p { break-inside: avoid; }
  table.changes { font-size: 8.5pt; } table.changes td { overflow-wrap: anywhere; padding: 3px 6px; }
  h1, h2, h3, figcaption { break-after: avoid; }
  img { max-width: 100%; }
  .status, rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def render_history_page(rows: Sequence[tuple[Any, ...]], changes: Sequence[Mapping[str, Any]], *,
                        run_id: str, params_hash: str, existing_runs: Collection[str] = (), runs: int = 0,
                        statuses: Sequence[tuple[Any, ...]] = ()) -> str:
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
    statuses : sequence of tuple
        :func:`analysis.runner.history_query.status_series`: (started, run id, notebook, status) of the
        comparable runs, oldest first (the verdict strips; none: no strips).

    Returns
    -------
    str
        A self-contained HTML page.
    """
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<title>Infra Mind audit — history</title>
<style>{PAGE_CSS}</style></head><body>
<h1>Infra Mind audit — history</h1>
<p>Run {html_text(run_id)} · {runs} comparable run(s) with the same parameters (hash {html_text(params_hash)}) ·
<a href="index.html">this run's index</a></p>
<h2>Key figures over time</h2>
{_sections(rows, statuses)}
<h2>Status changes</h2>
{_changes_table(changes, existing_runs)}
</body></html>
"""
