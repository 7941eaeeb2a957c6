"""Tables in the house style: one output that is an HTML table for readers and text for nbval.

A notebook shows a table with :func:`show`. The cell gets ONE output carrying two
representations: ``text/html`` (pandas ``Styler`` tables) which the HTML report and JupyterLab
render, and ``text/plain`` (``DataFrame.to_string``) which nbval compares in
``# NBVAL_CHECK_OUTPUT`` cells. Both are deterministic (a table's id is derived from its caption
and content, never random), so a table is never printed twice.

**One table style.** Every cell is written by :func:`format_number` (the one cell format): words,
never Python — ``—`` for a missing value (None, NaN, an empty dict or list), ``yes``/``no`` for
booleans, dicts and lists as ``key: value`` text; numbers with thousands separators and
:data:`TABLE_SIGNIFICANT_DIGITS` significant digits by :func:`analysis.record.figure_number`, the
rule key figures use (no float noise, no exponent, at most six decimals). Numbers are right-aligned
(their headers too), text left; column labels that are numbers are numbers (``30``, not
``30.000000``). Status words (PASS, WARN, FAIL, ERROR, INFO, N/A and the words audits use for
them) are coloured, INFO in its own colour. An empty table is a sentence (``empty=``).

**On paper.** A table must fit the printable width of an A4 page (the narrower of A4 and Letter:
186 mm, 703 CSS px with the reports' margins). Text cells wrap (a long token breaks anywhere),
numbers never do, headers break after ``_``. A table whose columns cannot fit is split into
parts of whole columns, each repeating the row's first column (:func:`column_parts`, an estimate
in ``em`` checked in headless Chromium by ``tests/integration/test_report_print.py``).

Every value is text: cells, column and index labels, their names and the caption are formatted,
then escaped (:func:`analysis.escape.html_text`) before pandas builds the table — values come
from audited systems (shapes, field names, label values, frames). pandas' own ``escape="html"``
is not enough: it escapes ``str`` cells only, and a dict or list cell (or a label) would still be
written as markup. The only markup added after escaping is ``<wbr>`` after ``_`` in headers.

Cells whose output exists only for nbval can still be kept out of the HTML report with the
cell tag ``report-hide`` (the runner's exporter drops them).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import display
from pandas.io.formats.style import Styler

from .escape import html_text
from .record import STATUS_COLOURS, figure_number

#: Colours of the cell values that are statuses: the four verdicts, INFO (its own, not WARN's) and N/A.
CELL_COLOURS: dict[str, str] = {**STATUS_COLOURS, "INFO": "#0969da", "N/A": "#6e7781"}
#: Cell values coloured like statuses (the statuses, plus the words audits use for them).
STATUS_WORDS: dict[str, str] = {
    **{s: s for s in CELL_COLOURS},
    "OK": "PASS", "MET": "PASS", "COMPLIANT": "PASS", "VIOLATED": "FAIL", "EXHAUSTED": "FAIL",
    "NO_DATA": "WARN", "UNDETERMINED": "WARN",
}
#: Tag of cells the HTML report leaves out (outputs kept only for nbval).
REPORT_HIDE_TAG = "report-hide"
#: Significant digits of a number in a table cell (one more than a key figure: an SLI of 99.95 % stays 99.95).
TABLE_SIGNIFICANT_DIGITS = 4
#: The width a table may take, in ``em`` of its own font: the printable width of A4 (186 mm at the reports'
#: 8 pt print font, less the output area's indent), with a margin for the estimate.
WIDTH_BUDGET_EM = 57.0
#: A wrapped text column is estimated at its longest word, but at most this many characters.
TEXT_MIN_CHARS = 16
#: Advance of a character in ``em``: a digit of DejaVu Sans / system-ui is 0.636 (lowercase ≈ 0.56; a text
#: column's ``min-width`` is its longest word at this advance), a bold header character ≈ 0.64 (0.68 with
#: room), and the horizontal padding of a cell (4 px each side at 8 pt).
CHAR_EM, HEADER_CHAR_EM, CELL_PAD_EM = 0.64, 0.68, 0.8

#: A number as text: sign, digits with separators, decimals, an optional range and unit sign (``-43.0``, ``1,234``,
#: ``98.175–100.000``, ``99.8 %``) — shown right-aligned like a number.
NUMBER_TEXT = re.compile(r"^[-−+]?\d[\d,]*(\.\d+)?( ?%)?(\s?[–-]\s?[-−+]?\d[\d,]*(\.\d+)?( ?%)?)?$")

_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; margin: 0.4em 0 1em 0; width: auto;"
                              " table-layout: auto;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; color: #57606a; padding: 0 0 4px 0;"
                                     " white-space: normal;"},
    {"selector": "th", "props": "background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 4px 6px;"
                                " text-align: left; vertical-align: bottom; white-space: normal;"},
    {"selector": "td", "props": "border-bottom: 1px solid #eaeef2; padding: 3px 6px; vertical-align: top;"
                                " text-align: left;"},
    {"selector": "td.im-text", "props": "overflow-wrap: anywhere; white-space: normal;"},
    {"selector": "td.im-num", "props": "text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;"},
    *({"selector": f"td.im-st-{s.lower().replace('/', '')}",
       "props": f"background-color: {c}; color: white; font-weight: bold;"} for s, c in CELL_COLOURS.items()),
]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def format_number(value: Any) -> str:
    """A cell as a reader wants it: the one cell format of every table (numbers, words, ``—``).

    Examples
    --------
    >>> [format_number(v) for v in (1234567, 2.0, 1234.5678, 3.14159, 0.000512, -1.44e-16, float("nan"), None)]
    ['1,234,567', '2', '1,235', '3.142', '0.000512', '0', '—', '—']
    >>> [format_number(v) for v in (True, {}, [], {"a": 1, "b": [2.5, None]}, ("x", "y"))]
    ['yes', '—', '—', 'a: 1, b: 2.5 and —', 'x, y']
    """
    if _missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        return figure_number(float(value), TABLE_SIGNIFICANT_DIGITS)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_nested(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return ", ".join(format_number(v) for v in value) or "—"
    return str(value)


def _nested(value: Any) -> str:
    """A value inside a dict cell (a list there reads "a and b", so the commas keep separating the keys)."""
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return " and ".join(_nested(v) for v in value) or "—"
    return format_number(value)


def _escaped(fmt: str | Callable[[Any], Any]) -> Callable[[Any], str]:
    """A Styler formatter: ``fmt`` (a format string or callable), then HTML-escaped; missing values are ``—``."""
    if isinstance(fmt, str):
        return lambda value: "—" if _missing(value) else html_text(fmt.format(value))
    return lambda value: html_text(fmt(value))


def label_text(value: Any) -> str:
    """A column or index label as shown: numbers in the cell format (``30``, not ``30.000000``), text as ``str``."""
    return format_number(value) if isinstance(value, Real) and not isinstance(value, bool) else str(value)


def _header_html(value: Any) -> str:
    """A header: escaped text that may break after ``_`` and ``/`` (``budget_<wbr>remaining_<wbr>pct``)."""
    return html_text(label_text(value)).replace("_", "_<wbr>").replace("/", "/<wbr>")


def _is_number(value: Any) -> bool:
    """A number, or a number the source wrote as text (``-43.0``, ``98.175–100.000``, ``1,234``, ``99.8 %``)."""
    if isinstance(value, str):
        return NUMBER_TEXT.match(value.strip()) is not None
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def numeric_columns(df: pd.DataFrame) -> list[Any]:
    """Columns shown as numbers (right-aligned, never wrapped): numeric dtypes but bool, and text or object columns
    whose every present value is a number or a number written as text (a column mixing numbers and words, e.g.
    values as JSON, is text)."""
    out = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            out.append(c)
            continue
        present = [v for v in s if not _missing(v) and v != ""]
        if present and all(_is_number(v) for v in present):
            out.append(c)
    return out


def _status_class(value: Any) -> str:
    status = STATUS_WORDS.get(value.strip().upper()) if isinstance(value, str) else None
    return f" im-st-{status.lower().replace('/', '')}" if status else ""


def _classes(df: pd.DataFrame, numeric: Sequence[Any]) -> pd.DataFrame:
    """Each cell's classes: ``im-num`` / ``im-text``, plus ``im-st-<status>`` for a status word in a text column."""
    columns = {}
    for c in df.columns:
        if c in numeric:
            columns[c] = ["im-num"] * len(df)
        else:
            columns[c] = ["im-text" + _status_class(v) for v in df[c]]
    return pd.DataFrame(columns, index=df.index).reindex(columns=df.columns)


def _table_id(df: pd.DataFrame, caption: str | None) -> str:
    """A stable id (same table, same id; different tables, different ids: their CSS never mixes)."""
    key = f"{caption or ''}\n{list(df.columns)}\n{df.to_string()}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def styled(df: pd.DataFrame, *, caption: str | None = None, index: bool = False,
           formats: Mapping[str, Any] | None = None) -> Styler:
    """The house-style ``Styler`` of one table (whole: :func:`show` splits a table too wide to print).

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
    numeric = numeric_columns(df)
    style = df.style.set_uuid(_table_id(df, caption)).set_table_styles(_TABLE_CSS)
    style = style.set_table_attributes('class="im-table"').format(_escaped(format_number))
    overrides = {k: _escaped(v) for k, v in (formats or {}).items() if k in df.columns}
    if overrides:  # subset: a dict alone resets every other column to pandas' default (unescaped) formatter
        style = style.format(overrides, subset=list(overrides))
    style = style.format_index(_header_html, axis="columns").format_index(_escaped(label_text), axis="index")
    for axis in ("index", "columns"):
        style = style.format_index_names(_escaped(str), axis=axis)
    if len(df):
        style = style.set_td_classes(_classes(df, numeric))
    if numeric:
        style = style.set_table_styles({c: [{"selector": "th", "props": "text-align: right;"}] for c in numeric},
                                       overwrite=False)
    text_cols = [c for c in df.columns if c not in numeric]
    if text_cols and len(df):  # a text column is at least as wide as its longest word (capped): short words never break
        style = style.set_table_styles(
            {c: [{"selector": "td", "props": f"min-width: {_word_chars(_cell_texts(df, c, formats)) * CHAR_EM:.2f}em;"}]
             for c in text_cols}, overwrite=False)
    if caption:
        style = style.set_caption(html_text(caption))
    if not index:
        style = style.hide(axis="index")
    return style


def _word_chars(texts: Sequence[str]) -> int:
    """The longest word of a text column, capped at :data:`TEXT_MIN_CHARS` (a longer token wraps anywhere)."""
    return max((min(len(w), TEXT_MIN_CHARS) for t in texts for w in t.split()), default=1)


def _header_chars(column: Any) -> int:
    """The longest piece of a header (it breaks after ``_`` and ``/``)."""
    return max((len(s) for s in label_text(column).replace("_", "_ ").replace("/", "/ ").split()), default=0)


def _cell_texts(df: pd.DataFrame, column: Any, formats: Mapping[str, Any] | None) -> list[str]:
    fmt = (formats or {}).get(column, format_number)
    show_one = (lambda v: "—" if _missing(v) else fmt.format(v)) if isinstance(fmt, str) else fmt
    return [str(show_one(v)) for v in df[column]]


def column_width_em(df: pd.DataFrame, column: Any, numeric: bool, formats: Mapping[str, Any] | None = None) -> float:
    """The narrowest comfortable width of a column in ``em``: a number column its widest number, a text column
    its longest word up to :data:`TEXT_MIN_CHARS` (its ``min-width``; longer text wraps), and its header's
    longest piece."""
    texts = _cell_texts(df, column, formats)
    body = max((len(t) for t in texts), default=0) if numeric else _word_chars(texts)
    return max(body * CHAR_EM, _header_chars(column) * HEADER_CHAR_EM) + CELL_PAD_EM


def _balanced(widths: Sequence[float], groups: int) -> list[int]:
    """Where to cut ``widths`` into ``groups`` runs so that the widest run is as narrow as possible (run sizes)."""
    n = len(widths)
    prefix = [0.0, *np.cumsum(widths)]
    best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for g in range(1, groups + 1):
        for end in range(g, n - (groups - g) + 1):
            options = [(max(best[(g - 1, start)][0], prefix[end] - prefix[start]), best[(g - 1, start)][1] + [end - start])
                       for start in range(g - 1, end) if (g - 1, start) in best]
            best[(g, end)] = min(options, key=lambda o: o[0])
    return best[(groups, n)][1]


def column_parts(df: pd.DataFrame, *, index: bool = False, formats: Mapping[str, Any] | None = None,
                 budget_em: float = WIDTH_BUDGET_EM) -> list[list[Any]]:
    """The columns of each printed part of a table: one part when it fits ``budget_em``, else as few parts of
    whole columns in order as fit, their widths balanced, each starting with the row's identifier (the first
    column; the index when it is shown).

    Examples
    --------
    >>> narrow = pd.DataFrame({"slo": ["api"], "n": [1]})
    >>> column_parts(narrow)
    [['slo', 'n']]
    >>> wide = pd.DataFrame({"name": ["x"], **{f"measurement_{i}": [123456.5] for i in range(10)}})
    >>> [len(p) for p in column_parts(wide)]
    [6, 6]
    """
    numeric = set(numeric_columns(df))
    widths = {c: column_width_em(df, c, c in numeric, formats) for c in df.columns}
    if index:
        key: list[Any] = []
        key_em = max((len(label_text(v)) for v in df.index), default=0) * CHAR_EM + CELL_PAD_EM
    else:
        key = list(df.columns[:1])
        key_em = sum(widths[c] for c in key)
    rest = [c for c in df.columns if c not in key]
    if key_em + sum(widths[c] for c in rest) <= budget_em or not rest:
        return [list(df.columns)]
    groups, used = 1, key_em
    for c in rest:  # the fewest parts: fill greedily
        if used + widths[c] > budget_em and used > key_em:
            groups, used = groups + 1, key_em
        used += widths[c]
    sizes = _balanced([widths[c] for c in rest], groups)
    starts = np.cumsum([0, *sizes])
    return [key + rest[a:b] for a, b in zip(starts[:-1], starts[1:])]


def table_html(df: pd.DataFrame, *, caption: str | None = None, index: bool = False,
               formats: Mapping[str, Any] | None = None) -> str:
    """The HTML of a table: one house-style table, or its printable parts (captions say which columns)."""
    parts = column_parts(df, index=index, formats=formats)
    if len(parts) == 1:
        return styled(df, caption=caption, index=index, formats=formats).to_html()
    out = []
    for i, cols in enumerate(parts, 1):
        shown = [label_text(c) for c in cols]
        note = f"part {i} of {len(parts)}: {shown[0]} … {shown[-1]}" if len(cols) > 1 else f"part {i} of {len(parts)}"
        out.append(styled(df[cols], caption=f"{caption} ({note})" if caption else note, index=index,
                          formats=formats).to_html())
    return "".join(out)


def empty_sentence(caption: str | None, empty: str) -> str:
    """The sentence an empty table is shown as: its caption, then what no row means."""
    return f"{caption}: {empty}" if caption else empty


def show(df: pd.DataFrame, *, caption: str | None = None, index: bool = False,
         formats: Mapping[str, Any] | None = None, empty: str = "none.") -> None:
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
    empty : str
        What a table without rows means, shown as a sentence after the caption instead of a table of
        headers only (e.g. ``"every case was judged."``).

    Notes
    -----
    nbval compares both versions of a ``# NBVAL_CHECK_OUTPUT`` cell: show only deterministic
    tables there (no wall times).
    """
    if df.empty and not (index and len(df.index)):
        sentence = empty_sentence(caption, empty)
        display({"text/html": f'<p class="im-empty">{html_text(sentence)}</p>', "text/plain": sentence}, raw=True)
        return
    text = df.to_string(index=index)
    if caption:
        text = f"{caption}\n{text}"
    display({"text/html": table_html(df, caption=caption, index=index, formats=formats), "text/plain": text}, raw=True)


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
