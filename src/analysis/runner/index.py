"""The run's ``index.html``: the overall verdict, what changed since the last run, one row per notebook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..escape import CSP_META, href, html_text
from ..record import STATUS_COLOURS, STATUSES, figure_label, format_figure
from .changes import counts
from .result import NotebookResult, RunSummary
from .sparkline import TREND_RUNS, sparkline_svg

#: How many key figures of a notebook the index shows.
MAX_FIGURES = 8

#: The "since last run" cell per status change: arrow, label, CSS class.
CHANGE_CELLS = {
    "new_fail": ("▼", "NEW FAIL", "chg-bad"),
    "new_error": ("▼", "NEW ERROR", "chg-bad"),
    "new_warn": ("▼", "new WARN", "chg-warn"),
    "resolved": ("▲", "resolved", "chg-good"),
    "unchanged": ("=", "unchanged", "chg-same"),
    "new": ("•", "new notebook", "chg-same"),
}


def _since_cell(change: Mapping[str, Any] | None) -> str:
    """The "since last run" cell: arrow and label, statuses before → after, figures worse/better."""
    if change is None:
        return '<td class="nowrap chg-same">— first run</td>'
    arrow, label, css = CHANGE_CELLS[change["change"]]
    detail = ""
    if change["change"] not in ("unchanged", "new"):
        detail = f'<br><span class="small">{html_text(change["status_before"])} → {html_text(change["status_after"])}</span>'
    c = counts([change])
    moves = ", ".join(f"{c[k]} {k}" for k in ("worse", "better") if c.get(k))
    moves_html = f'<br><span class="small">figures: {moves}</span>' if moves else ""
    return f'<td class="nowrap {css}">{arrow} {label}{detail}{moves_html}</td>'


def _row(r: NotebookResult, change: Mapping[str, Any] | None = None,
         trend: Sequence[Mapping[str, Any]] | None = None) -> str:
    """One notebook's table row: name (links, run time), verdict, since last run, headline, key figures, trend."""
    figs = "<br>".join(
        f"{html_text(figure_label(k, r.figure_info.get(k)))}: "
        f"<b>{html_text(format_figure(v, r.figure_info.get(k, {}).get('unit', '')))}</b>"
        for k, v in list(r.key_figures().items())[:MAX_FIGURES]
    )
    link = f'<a href="{href(r.html)}">report</a>' if r.html else "no report"
    nb_link = f' · <a href="{href(r.ipynb)}">notebook</a>' if r.ipynb else ""
    css = ' class="newfail"' if change and change["change"] in ("new_fail", "new_error") else ""
    return (
        f"<tr{css}><td>{html_text(r.name)}"
        f'<br><span class="small nowrap">{link}{nb_link} · {r.seconds:.1f} s</span></td>'
        f'<td><span class="status" style="background:{STATUS_COLOURS[r.status]}">{r.status}</span></td>'
        f"{_since_cell(change)}"
        f'<td class="headline">{html_text(r.headline)}</td><td class="figs">{figs}</td>'
        f"<td>{sparkline_svg(trend or [])}</td></tr>"
    )


def _comparison_line(summary: RunSummary) -> str:
    """What this run is compared with, and the totals of what changed."""
    b = summary.baseline
    if not b:
        return "<p>Since last run: no earlier run with the same parameters — nothing to compare yet.</p>"
    c = counts(summary.changes)
    parts = [f"{c[k]} {k.replace('_', ' ')}" for k in ("new_fail", "new_error", "new_warn", "resolved", "unchanged", "new")
             if c.get(k)]
    why = "same parameters" if b.get("chosen") == "same parameters" else f"chosen with --baseline {b.get('chosen')}"
    return (f"<p>Since last run: compared with run <b>{html_text(str(b['run_id']))}</b> (started "
            f"{html_text(str(b['started']))}, {html_text(why)}) — {html_text(', '.join(parts))}.</p>")


def render_index(summary: RunSummary, trends: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                 *, history_page: str | None = None) -> str:
    """The run's ``index.html``.

    Parameters
    ----------
    summary : RunSummary
        The finished run (with ``baseline`` and ``changes`` when it was compared).
    trends : mapping, optional
        Notebook → its last comparable runs (:func:`analysis.runner.history_query.trend`), for the sparklines.
    history_page : str, optional
        File name of the history page next to the index, linked from the header.

    Returns
    -------
    str
        A self-contained page (inline style and SVG, no scripts; its :data:`~analysis.escape.CSP_META` allows
        none): the overall verdict with the count per status, when and with which parameters the run was
        made, what changed since the last run, one row per notebook.
    """
    by_name = {c["notebook"]: c for c in summary.changes} if summary.baseline else {}
    rows = [_row(r, by_name.get(r.name), (trends or {}).get(r.name)) for r in summary.notebooks]
    counts_ = {s: sum(r.status == s for r in summary.notebooks) for s in STATUSES}
    overall = summary.status
    count_text = " · ".join(f"{n} {s}" for s, n in counts_.items() if n)
    warnings = "".join(f'<p class="warn">{html_text(w)}</p>' for w in summary.warnings)
    history = f' · <a href="{href(history_page)}">history of all runs</a>' if history_page else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<title>Infra Mind audit — {html_text(summary.started)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
.nowrap {{ white-space: nowrap; }}
.small {{ font-size: 0.85em; color: #57606a; }}
td.headline {{ min-width: 14em; }}
td.figs {{ font-size: 0.88em; min-width: 14em; overflow-wrap: anywhere; }}
.status {{ color: white; padding: 2px 8px; border-radius: 4px; font-weight: bold; }}
tr.newfail td {{ background: #ffebe9; }}
.chg-bad {{ color: #cf222e; font-weight: bold; }}
.chg-warn {{ color: #9a6700; font-weight: bold; }}
.chg-good {{ color: #1a7f37; font-weight: bold; }}
.chg-same {{ color: #57606a; }}
.warn {{ background: #fff8c5; padding: 4px 8px; }}
@media print {{ body {{ margin: 0; font-size: 9pt; }} .status, tr.newfail td {{ print-color-adjust: exact; -webkit-print-color-adjust: exact; }}
  tr {{ break-inside: avoid; }} th, td {{ padding: 4px; }} td.headline, td.figs {{ min-width: 0; }} .nowrap {{ white-space: normal; }}
  td:first-child {{ overflow-wrap: anywhere; }}
  h1 {{ break-after: avoid; }} }}
</style></head><body>
<h1>Infra Mind audit workbook</h1>
<p>Overall verdict: <span class="status" style="background:{STATUS_COLOURS[overall]}">{overall}</span> — {count_text}</p>
<p>Run {html_text(summary.run_id or "")} started {html_text(summary.started)}, finished {html_text(summary.finished)};
parameters: {html_text(summary.params_file or "embedded defaults")}{history}.</p>
{_comparison_line(summary)}{warnings}
<table><thead><tr><th>Notebook</th><th>Verdict</th><th>Since last run</th><th>Headline</th><th>Key figures</th><th>Trend (last {TREND_RUNS} comparable runs)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>Reports show no code; the executed notebooks hold it. Every figure names its engine and how it was measured.
Trend lines: each notebook's first numeric key figures, each on its own scale; squares: the verdict of each run.</p>
</body></html>
"""
