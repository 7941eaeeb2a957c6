"""Tables in the house style: one output that is an HTML table for readers and text for nbval.

A notebook shows a table with :func:`show`. The cell gets ONE output carrying two
representations: ``text/html`` (a pandas ``Styler``: thousands separators, right-aligned
numbers, status colours, a caption naming the engine and method) which the HTML report and
JupyterLab render, and ``text/plain`` (``DataFrame.to_string``) which nbval compares in
``# NBVAL_CHECK_OUTPUT`` cells. Both are deterministic (the Styler's id is derived from the
caption and columns, never random), so a table is never printed twice.

Every value is text: cells, column and index labels, their names and the caption are formatted,
then escaped (:func:`analysis.escape.html_text`) before pandas builds the table — values come
from audited systems (shapes, field names, label values, frames). pandas' own ``escape="html"``
is not enough: it escapes ``str`` cells only, and a dict or list cell (or a label) would still be
written as markup.

Cells whose output exists only for nbval can still be kept out of the HTML report with the
cell tag ``report-hide`` (the runner's exporter drops them).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import pandas as pd
from IPython.display import display
from pandas.io.formats.style import Styler

from .escape import html_text
from .record import STATUS_COLOURS

#: Cell values coloured like verdicts (the four statuses, plus the words audits use for them).
STATUS_WORDS: dict[str, str] = {
    **{s: s for s in STATUS_COLOURS},
    "OK": "PASS", "MET": "PASS", "COMPLIANT": "PASS", "VIOLATED": "FAIL", "EXHAUSTED": "FAIL",
    "NO_DATA": "WARN", "UNDETERMINED": "WARN", "INFO": "WARN",
}
#: Tag of cells the HTML report leaves out (outputs kept only for nbval).
REPORT_HIDE_TAG = "report-hide"

_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.92em; margin: 0.4em 0 1em 0;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; color: #57606a; padding: 0 0 4px 0;"},
    {"selector": "th", "props": "background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 4px 8px;"
                                " text-align: left; white-space: nowrap;"},
    {"selector": "td", "props": "border-bottom: 1px solid #eaeef2; padding: 3px 8px; vertical-align: top;"},
]


def format_number(value: Any) -> str:
    """A number as a reader wants it: thousands separators, few decimals, ``—`` for missing.

    Examples
    --------
    >>> [format_number(v) for v in (1234567, 2.0, 1234.5678, 3.14159, 0.000512, float("nan"), None)]
    ['1,234,567', '2', '1,235', '3.14', '0.000512', '—', '—']
    """
    if value is None or isinstance(value, bool):
        return "—" if value is None else str(value)
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        x = float(value)
        if not math.isfinite(x):
            return "—" if math.isnan(x) else ("∞" if x > 0 else "−∞")
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) >= 1:
            return f"{x:,.2f}"
        return f"{x:.3g}"
    return str(value)


def _escaped(fmt: str | Callable[[Any], Any]) -> Callable[[Any], str]:
    """A Styler formatter: ``fmt`` (a format string or callable), then HTML-escaped."""
    if isinstance(fmt, str):
        return lambda value: html_text(fmt.format(value))
    return lambda value: html_text(fmt(value))


def label_text(value: Any) -> str:
    """A column or index label as shown: floats in the house format, anything else as ``str``."""
    return format_number(value) if isinstance(value, float) else str(value)


def _status_css(value: Any) -> str:
    status = STATUS_WORDS.get(str(value).strip().upper()) if isinstance(value, str) else None
    if not status:
        return ""
    return f"background-color: {STATUS_COLOURS[status]}; color: white; font-weight: bold;"


def _table_id(df: pd.DataFrame, caption: str | None) -> str:
    """A stable id (same table, same id; different tables, different ids: their CSS never mixes)."""
    key = f"{caption or ''}\n{df.to_string()}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def styled(df: pd.DataFrame, *, caption: str | None = None, index: bool = False,
           formats: Mapping[str, Any] | None = None) -> Styler:
    """The house-style ``Styler`` of a table.

    Parameters
    ----------
    df : DataFrame
        The table (values as computed; nothing is rounded in the data).
    caption : str, optional
        One line above the table: what it shows, its engine and method.
    index : bool
        Show the index (default: hidden, like ``to_string(index=False)``).
    formats : mapping, optional
        Per-column format strings or callables that override :func:`format_number`
        (e.g. ``{"share": "{:.1%}"}``).

    Returns
    -------
    Styler
    """
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    style = df.style.set_uuid(_table_id(df, caption)).set_table_styles(_TABLE_CSS)
    style = style.format(_escaped(format_number))
    overrides = {k: _escaped(v) for k, v in (formats or {}).items() if k in df.columns}
    if overrides:  # subset: a dict alone resets every other column to pandas' default (unescaped) formatter
        style = style.format(overrides, subset=list(overrides))
    for axis in ("index", "columns"):
        style = style.format_index(_escaped(label_text), axis=axis).format_index_names(_escaped(str), axis=axis)
    if numeric:
        style = style.set_properties(subset=numeric, **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    text_cols = [c for c in df.columns if c not in numeric]
    if text_cols:
        style = style.map(_status_css, subset=text_cols)
    if caption:
        style = style.set_caption(html_text(caption))
    if not index:
        style = style.hide(axis="index")
    return style


def show(df: pd.DataFrame, *, caption: str | None = None, index: bool = False,
         formats: Mapping[str, Any] | None = None) -> None:
    """Display a table once: styled HTML for readers, ``to_string`` text for nbval.

    Parameters
    ----------
    df : DataFrame
        The table.
    caption : str, optional
        See :func:`styled`; it is also the first line of the text version.
    index : bool
        Show the index (in both versions).
    formats : mapping, optional
        See :func:`styled` (HTML only; the text keeps the full values).

    Notes
    -----
    nbval compares both versions of a ``# NBVAL_CHECK_OUTPUT`` cell: show only deterministic
    tables there (no wall times).
    """
    text = df.to_string(index=index)
    if caption:
        text = f"{caption}\n{text}"
    display({"text/html": styled(df, caption=caption, index=index, formats=formats).to_html(),
             "text/plain": text}, raw=True)


def section_html(heading: str, paragraphs: Sequence[str] = (), bullets: Sequence[str] = (), *,
                 subtitle: str = "") -> str:
    """A titled block of text as HTML built from escaped parts (``<h3>``, an emphasised subtitle, paragraphs, a list)."""
    parts = [f"<h3>{html_text(heading)}</h3>"]
    if subtitle:
        parts.append(f"<p><em>{html_text(subtitle)}</em></p>")
    parts += [f"<p>{html_text(p)}</p>" for p in paragraphs]
    if bullets:
        parts.append("<ul>" + "".join(f"<li>{html_text(b)}</li>" for b in bullets) + "</ul>")
    return "".join(parts)


def show_section(heading: str, paragraphs: Sequence[str] = (), bullets: Sequence[str] = (), *,
                 subtitle: str = "") -> None:
    """Display a titled block of text once: escaped HTML for readers, the same lines as text.

    Use it instead of ``IPython.display.Markdown`` for text that holds input (names, label values,
    reasons): Markdown passes raw HTML and ``javascript:`` links through; this is text.

    Parameters
    ----------
    heading : str
        The block's title.
    paragraphs : sequence of str
        One paragraph each.
    bullets : sequence of str
        A bullet list after the paragraphs.
    subtitle : str
        An emphasised line under the heading (e.g. a description).
    """
    text = "\n".join([heading, *([subtitle] if subtitle else []), *paragraphs, *(f"- {b}" for b in bullets)])
    display({"text/html": section_html(heading, paragraphs, bullets, subtitle=subtitle), "text/plain": text}, raw=True)
