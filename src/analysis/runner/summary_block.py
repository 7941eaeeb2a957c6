"""The executive summary that opens every HTML report, built from the recorded verdict (pure HTML).

What a stakeholder reads first: a status banner with the notebook's title, the headline, the
key figures (with units, and how each moved since the baseline run), the change since the last
comparable run, the top next steps, then a table of contents of the report. The notebooks need
no code for it: the exporter (:mod:`analysis.runner.export`) inserts it above the first cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..escape import href, html_text
from ..record import STATUS_COLOURS, figure_label, format_delta, format_figure
from .changes import describe
from .result import NotebookResult

#: How many next steps the summary shows (the full list is in the report's verdict banner).
TOP_STEPS = 3
#: Arrows and colours of figure assessments.
ASSESSMENT_MARKS = {"worse": ("▼", "#cf222e"), "better": ("▲", "#1a7f37"), "noise": ("≈", "#57606a"),
                    "changed": ("Δ", "#57606a"), "unchanged": ("=", "#57606a"), "new": ("new", "#57606a"),
                    "gone": ("gone", "#57606a")}

SUMMARY_CSS = """
.im-summary { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1.5em 0; font-family: system-ui, sans-serif; }
.im-banner { color: white; padding: 10px 16px; border-radius: 6px 6px 0 0; }
.im-banner h1 { margin: 0; font-size: 1.35em; color: white; }
.im-banner .im-status { font-weight: bold; font-size: 1.05em; letter-spacing: 0.04em; }
.im-body { padding: 8px 16px 12px 16px; }
.im-headline { font-size: 1.12em; margin: 6px 0 10px 0; }
.im-body h2 { font-size: 1em; margin: 12px 0 4px 0; border: none; }
.im-figures { border-collapse: collapse; font-size: 0.95em; }
.im-figures td, .im-figures th { padding: 3px 10px 3px 0; border-bottom: 1px solid #eaeef2; text-align: left; }
.im-figures td.im-num { text-align: right; font-variant-numeric: tabular-nums; }
.im-change { margin: 4px 0; }
.im-newfail { background: #ffebe9; border-left: 4px solid #cf222e; padding: 4px 8px; font-weight: bold; }
.im-toc ol { margin: 2px 0; }
.im-meta { color: #57606a; font-size: 0.85em; font-weight: normal; }
"""


def figure_value(value: Any, unit: str = "") -> str:
    """A figure's value for a reader: :func:`analysis.record.format_figure` (the one figure format).

    Examples
    --------
    >>> figure_value(1234.5, "ms"), figure_value(43.0, "%"), figure_value("mongomock")
    ('1,234 ms', '43 %', 'mongomock')
    """
    return format_figure(value, unit)


def figure_delta(change: Mapping[str, Any] | None) -> str:
    """The 'since last run' cell of a figure: arrow, signed delta, relative delta, assessment (HTML)."""
    if not change:
        return ""
    mark, colour = ASSESSMENT_MARKS.get(change["assessment"], ("", "#57606a"))
    parts = []
    if change["abs_delta"] is not None and change["assessment"] != "unchanged":
        parts.append(format_delta(change["abs_delta"], change.get("unit", "")))
        if change["rel_delta"] is not None:
            parts.append(f"({change['rel_delta']:+.0%})")
    elif change["assessment"] == "changed":
        parts.append(f"was {format_figure(change['old'], change.get('unit', ''))}")
    label = "" if change["assessment"] == mark else change["assessment"]  # "new", "gone": the mark is the word
    return f'<span style="color:{colour}">{mark} {html_text(" ".join(parts))} {html_text(label)}</span>'.replace("  ", " ").replace(" </span>", "</span>")


def _figures_table(result: NotebookResult, change: Mapping[str, Any] | None) -> str:
    """Key figures with units and their change since the baseline."""
    figures = result.key_figures()
    if not figures:
        return ""
    by_name = {f["name"]: f for f in (change or {}).get("figures", [])}
    rows = "".join(
        f"<tr><td>{html_text(figure_label(name, result.figure_info.get(name)))}</td>"
        f'<td class="im-num">{html_text(figure_value(value, result.figure_info.get(name, {}).get("unit", "")))}</td>'
        f"<td>{figure_delta(by_name.get(name))}</td></tr>"
        for name, value in figures.items()
    )
    head = "<tr><th>Key figure</th><th>Value</th><th>Since last run</th></tr>" if change else ""
    return f'<h2>Key figures</h2><table class="im-figures">{head}{rows}</table>'


def _change_text(change: Mapping[str, Any] | None, baseline: Mapping[str, Any] | None) -> str:
    """The 'change since the last run' paragraph."""
    if not baseline:
        return '<p class="im-change">First run with these parameters: nothing to compare yet.</p>'
    since = f"run {html_text(str(baseline['run_id']))} ({html_text(str(baseline['started']))})"
    if not change:
        return f'<p class="im-change">Not compared with {since}.</p>'
    css = ' im-newfail' if change["change"] in ("new_fail", "new_error") else ""
    text = html_text(describe(change))
    if change["change"] == "unchanged":
        text = f"Unchanged since {since}" + text.removeprefix("unchanged")
    else:
        text = f"Since {since}: " + text
    before = change.get("headline_before")
    was = (f'<div class="im-meta">Before: {html_text(before)}</div>'
           if before and before != change.get("headline_after") else "")
    return f'<div class="im-change{css}">{text}.{was}</div>'


def render_summary(result: NotebookResult, *, title: str, change: Mapping[str, Any] | None = None,
                   baseline: Mapping[str, Any] | None = None, toc: Sequence[tuple[str, str]] = (),
                   run_id: str = "", started: str = "") -> str:
    """The executive summary block of one report.

    Parameters
    ----------
    result : NotebookResult
        The notebook's verdict (status, headline, figures with their info, next steps, error).
    title : str
        The report's title (the notebook's first heading).
    change : mapping, optional
        This notebook's entry of :func:`analysis.runner.changes.compare` (None: no baseline).
    baseline : mapping, optional
        The run compared against (``run_id``, ``started``); None: first comparable run.
    toc : sequence of (anchor, text)
        The report's sections, for the table of contents.
    run_id, started : str
        This run, for the footer line.

    Returns
    -------
    str
        A ``<section class="im-summary">`` element (inline-styled by :data:`SUMMARY_CSS`).
    """
    colour = STATUS_COLOURS[result.status]
    steps = "".join(f"<li>{html_text(s)}</li>" for s in result.next_steps[:TOP_STEPS])
    more = len(result.next_steps) - TOP_STEPS
    steps_html = (f"<h2>Next steps</h2><ol>{steps}</ol>"
                  + (f'<p class="im-meta">{more} more in the verdict at the end of the report.</p>' if more > 0 else "")
                  if steps else "")
    error = f'<p class="im-meta">Error: {html_text(result.error)}</p>' if result.error else ""
    toc_html = ('<nav class="im-toc"><h2>Contents</h2><ol>'
                + "".join(f'<li><a href="{href("#" + a)}">{html_text(t)}</a></li>' for a, t in toc)
                + "</ol></nav>") if toc else ""
    meta = f'<p class="im-meta">Run {html_text(run_id)} · started {html_text(started)}</p>' if run_id else ""
    return (
        f'<section class="im-summary" id="executive-summary" aria-label="Executive summary">'
        f'<div class="im-banner" style="background:{colour}"><span class="im-status">{result.status}</span>'
        f"<h1>{html_text(title)}</h1></div>"
        f'<div class="im-body"><p class="im-headline">{html_text(result.headline)}</p>{error}'
        f"{_change_text(change, baseline)}{_figures_table(result, change)}{steps_html}{toc_html}{meta}</div></section>"
    )
