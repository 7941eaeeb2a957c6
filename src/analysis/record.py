"""The one verdict type, recorded from inside a notebook and read back by the runner.

Every audit's ``report.verdict(result)`` returns a :class:`Verdict`; every notebook ends
with the same two lines::

    VERDICT = report.verdict(RESULT)
    record.publish(VERDICT)

:func:`publish` displays a banner for the reader and stores a machine-readable copy under
the MIME type :data:`VERDICT_MIME` in the cell output, which survives in the executed
``.ipynb``; :func:`read_verdict` finds it again. The CLIs read the same object, and
:data:`analysis.cli.EXIT_CODES` maps its status to an exit code. (scrapbook did this once;
it is unmaintained.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from numbers import Integral, Real
from typing import Any

from .escape import html_text
from .jsonsafe import jsonable
from .lazy import lazy_import

#: IPython is needed only to publish a verdict in a kernel (a lazy edge: see analysis.lazy)
ipython_display = lazy_import("IPython.display")

VERDICT_MIME = "application/vnd.infra-mind.verdict+json"
STATUSES = ("PASS", "WARN", "FAIL", "ERROR")
#: Severity order: the worst status of several is the one with the highest rank.
STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
#: The colour of each status, in the notebook banner and on the run's index page.
STATUS_COLOURS = {"PASS": "#1a7f37", "WARN": "#9a6700", "FAIL": "#cf222e", "ERROR": "#8250df"}


@dataclass(frozen=True)
class Figure:
    """How to read one figure of a verdict across runs (optional; see :attr:`Verdict.figure_info`).

    Parameters
    ----------
    unit : str
        Unit shown next to the value (``"%"``, ``"ms"``, ``"docs"``...).
    higher_is_better : bool, optional
        Direction: a change the other way is "worse". None: no direction (a change is a change).
    noise : float
        Absolute change at or below which a difference is "noise", not better or worse.
    key : bool
        Shown on the index page and in the executive summary (False: recorded for history only,
        e.g. one budget-left figure per SLO).
    label : str
        What a reader sees instead of the figure's name (``""``: the name). The name is the
        figure's stable key in the run history; the label may be reworded at any time.
    """

    unit: str = ""
    higher_is_better: bool | None = None
    noise: float = 0.0
    key: bool = True
    label: str = ""


@dataclass(frozen=True)
class Verdict:
    """What an audit concluded: built by every ``report.verdict``, recorded by :func:`publish`.

    Parameters
    ----------
    status : {"PASS", "WARN", "FAIL", "ERROR"}
        The outcome (any case). ERROR means the audit could not reach a conclusion.
    headline : str
        One sentence for the index page (white space is folded).
    figures : dict, optional
        A few key figures (name → number or short text); made JSON-safe.
    next_steps : list of str, optional
        What the reader should do next.
    figure_info : dict, optional
        Per figure name, a :class:`Figure` (or its fields as a dict): unit, direction, noise
        threshold, whether it is a key figure. Figures without an entry are key figures with
        no direction. Every name must be a key of ``figures``.
    """

    status: str
    headline: str
    figures: dict[str, Any] = field(default_factory=dict)
    next_steps: list[str] = field(default_factory=list)
    figure_info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        status = str(self.status).upper()
        if status not in STATUSES:
            raise ValueError(f"verdict status must be one of {STATUSES}, got {self.status!r}")
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "headline", " ".join(str(self.headline).split()))
        object.__setattr__(self, "figures", jsonable(dict(self.figures or {})))
        object.__setattr__(self, "next_steps", [str(s) for s in self.next_steps or []])
        info = {}
        for name, meta in (self.figure_info or {}).items():
            if name not in self.figures:
                raise ValueError(f"figure_info names {name!r}, which is not a figure")
            info[name] = asdict(meta if isinstance(meta, Figure) else Figure(**meta))
        object.__setattr__(self, "figure_info", info)

    def key_figures(self) -> dict[str, Any]:
        """The figures shown on the index page (every figure not marked ``key=False``)."""
        return key_figures(self.figures, self.figure_info)

    def to_json(self) -> dict[str, Any]:
        """The verdict as a JSON-safe dict."""
        return asdict(self)


def render_html(v: Verdict) -> str:
    """The banner shown in the notebook and the HTML report."""
    colour = STATUS_COLOURS[v.status]
    rows = "".join(
        f"<tr><td>{html_text(figure_label(k, v.figure_info.get(k)))}</td>"
        f"<td>{html_text(format_figure(val, v.figure_info.get(k, {}).get('unit', '')))}</td></tr>"
        for k, val in v.key_figures().items()
    )
    steps = "".join(f"<li>{html_text(s)}</li>" for s in v.next_steps)
    return (
        f'<div class="verdict verdict-{v.status.lower()}" style="border-left:8px solid {colour};padding:8px 12px;'
        f'background:#f6f8fa;margin:8px 0">'
        f'<div style="font-size:1.3em"><b style="color:{colour}">Verdict: {v.status}</b> — {html_text(v.headline)}</div>'
        + (f'<table style="margin-top:6px">{rows}</table>' if rows else "")
        + (f"<div><b>Next steps</b><ol>{steps}</ol></div>" if steps else "")
        + "</div>"
    )


def publish(v: Verdict) -> None:
    """Record a notebook's verdict: a banner for the reader, a machine-readable copy for the runner.

    Call it once, in the last code cell. It returns nothing, so the cell shows the banner
    once (nbval runs cells without output caching and would otherwise add the return value).

    Parameters
    ----------
    v : Verdict
        What the audit's ``report.verdict`` concluded.
    """
    ipython_display.display({VERDICT_MIME: {**v.to_json(), "figure_order": list(v.figures)}, "text/html": render_html(v),
             "text/plain": f"Verdict: {v.status} — {v.headline}"}, raw=True)


def key_figures(figures: Mapping[str, Any], figure_info: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The figures not marked ``key=False`` in ``figure_info`` (a figure without an entry is a key figure)."""
    return {k: v for k, v in figures.items() if figure_info.get(k, {}).get("key", True)}


#: Count units and their singular: ``1 claim``, ``2 claims``.
SINGULAR = {"claims": "claim", "shapes": "shape", "fields": "field", "indexes": "index", "SLOs": "SLO",
            "queries": "query", "lines": "line", "operations": "operation", "probes": "probe", "samples": "sample",
            "decreases": "decrease", "documents": "document", "assessments": "assessment"}
#: Significant digits of a figure, and the most decimals it shows (more would be float noise).
SIGNIFICANT_DIGITS = 3
MAX_DECIMALS = 6


def figure_number(value: float, significant: int = SIGNIFICANT_DIGITS) -> str:
    """A number for a reader: thousands separators, ``significant`` digits, no float noise, no exponent.

    Examples
    --------
    >>> [figure_number(v) for v in (40217.0, 1234.5, 272.8, 94.9, 3.2249, 0.949, 0.000512, -1.44e-16, -43.0)]
    ['40,217', '1,234', '273', '94.9', '3.22', '0.949', '0.000512', '0', '-43']
    """
    x = float(value)
    if not math.isfinite(x):
        return "—" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    decimals = min(max(significant - 1 - math.floor(math.log10(abs(x))), 0), MAX_DECIMALS)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text


def format_figure(value: Any, unit: str = "") -> str:
    """The one way a figure is shown: CLI text, verdict banner, executive summary, index and history page.

    Numbers get :func:`figure_number` and their unit (``%`` values are percentages already; a count
    of one takes the singular of its unit); booleans are yes/no, a missing value is ``—``, text is itself.

    Examples
    --------
    >>> format_figure(1234.5, "ms"), format_figure(94.9, "%"), format_figure(1, "claims"), format_figure(3, "claims")
    ('1,234 ms', '94.9 %', '1 claim', '3 claims')
    >>> format_figure(True), format_figure(None), format_figure("mongomock 4.3.0")
    ('yes', '—', 'mongomock 4.3.0')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, Real):
        return str(value)
    text = figure_number(value)
    if not unit or text == "—":
        return text
    one = isinstance(value, Integral) or float(value).is_integer()
    return f"{text} {SINGULAR[unit] if one and abs(float(value)) == 1 and unit in SINGULAR else unit}"


def format_delta(delta: float, unit: str = "") -> str:
    """A figure's change, signed, in its unit (a change of a percentage is in points, ``pp``).

    Examples
    --------
    >>> format_delta(334.5, "ms"), format_delta(-1.5, "%"), format_delta(1, "claims")
    ('+334 ms', '-1.5 pp', '+1 claim')
    """
    return ("+" if delta > 0 else "") + format_figure(delta, "pp" if unit == "%" else unit)


def figure_label(name: str, info: Mapping[str, Any] | None = None) -> str:
    """What a reader sees for figure ``name``: its :attr:`Figure.label`, else the name itself."""
    return str((info or {}).get("label") or name)


def worst_status(statuses: Iterable[str], default: str = "ERROR") -> str:
    """The most severe of ``statuses`` (PASS < WARN < FAIL < ERROR); ``default`` when there are none."""
    return max(statuses, key=STATUS_RANK.__getitem__, default=default)


def read_verdict(nb: Any) -> Verdict | None:
    """Find the last recorded verdict in an executed notebook (nbformat node or dict).

    The figures come back in the order the verdict gave them (``figure_order``: a written notebook's
    JSON has its keys sorted), so the index shows each audit's first figures first.
    """
    found = None
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data") or {}
            if VERDICT_MIME in data:
                payload = data[VERDICT_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                figures = payload.get("figures") or {}
                order = [n for n in payload.get("figure_order") or [] if n in figures]
                figures = {n: figures[n] for n in [*order, *(n for n in figures if n not in order)]}
                found = Verdict(payload["status"], payload["headline"], figures,
                                payload.get("next_steps"), payload.get("figure_info"))
    return found
