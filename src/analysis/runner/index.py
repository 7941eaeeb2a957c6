"""The run's ``index.html``: the overall verdict and one row per notebook."""

from __future__ import annotations

import html

from ..record import STATUS_COLOURS, STATUSES
from .result import NotebookResult, RunSummary

#: How many key figures of a notebook the index shows.
MAX_FIGURES = 8


def _row(r: NotebookResult) -> str:
    """One notebook's table row: name, verdict, headline, key figures, time, links."""
    figs = "<br>".join(
        f"{html.escape(str(k))}: <b>{html.escape(str(v))}</b>" for k, v in list(r.figures.items())[:MAX_FIGURES]
    )
    link = f'<a href="{html.escape(r.html)}">report</a>' if r.html else "—"
    nb_link = f' · <a href="{html.escape(r.ipynb)}">notebook</a>' if r.ipynb else ""
    return (
        f"<tr><td>{html.escape(r.name)}</td>"
        f'<td><span class="status" style="background:{STATUS_COLOURS[r.status]}">{r.status}</span></td>'
        f"<td>{html.escape(r.headline)}</td><td>{figs}</td><td class=\"nowrap\">{r.seconds:.1f} s</td><td class=\"nowrap\">{link}{nb_link}</td></tr>"
    )


def render_index(summary: RunSummary) -> str:
    """The run's ``index.html``.

    Parameters
    ----------
    summary : RunSummary
        The finished run.

    Returns
    -------
    str
        A self-contained page (inline style, no scripts): the overall verdict with the count
        per status, when and with which parameters the run was made, one row per notebook.
    """
    rows = [_row(r) for r in summary.notebooks]
    counts = {s: sum(r.status == s for r in summary.notebooks) for s in STATUSES}
    overall = summary.status
    count_text = " · ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Infra Mind audit — {html.escape(summary.started)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
.nowrap {{ white-space: nowrap; }}
.status {{ color: white; padding: 2px 8px; border-radius: 4px; font-weight: bold; }}
</style></head><body>
<h1>Infra Mind audit workbook</h1>
<p>Overall verdict: <span class="status" style="background:{STATUS_COLOURS[overall]}">{overall}</span> — {count_text}</p>
<p>Run started {html.escape(summary.started)}, finished {html.escape(summary.finished)};
parameters: {html.escape(summary.params_file or "embedded defaults")}.</p>
<table><thead><tr><th>Notebook</th><th>Verdict</th><th>Headline</th><th>Key figures</th><th>Time</th><th>Open</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>Reports show no code; the executed notebooks hold it. Every figure names its engine and how it was measured.</p>
</body></html>
"""
