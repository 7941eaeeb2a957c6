"""Verdicts recorded from inside a notebook and read back by the runner.

A notebook's last cell calls :func:`verdict`; it displays a banner for the reader and
stores a machine-readable copy under the MIME type :data:`VERDICT_MIME` in the cell
output, which survives in the executed ``.ipynb``. :func:`read_verdict` finds it again.
(scrapbook did this once; it is unmaintained.)
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

VERDICT_MIME = "application/vnd.infra-mind.verdict+json"
STATUSES = ("PASS", "WARN", "FAIL", "ERROR")
_COLOURS = {"PASS": "#1a7f37", "WARN": "#9a6700", "FAIL": "#cf222e", "ERROR": "#8250df"}


@dataclass(frozen=True)
class Verdict:
    """What a notebook concluded."""

    status: str
    headline: str
    figures: dict[str, Any] = field(default_factory=dict)
    next_steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _jsonable(value: Any) -> Any:
    """Figures must survive JSON: numpy scalars → Python, NaN → None."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def make_verdict(status: str, headline: str, figures: dict[str, Any] | None = None,
                 next_steps: list[str] | None = None) -> Verdict:
    """Validate and build a :class:`Verdict`."""
    status = status.upper()
    if status not in STATUSES:
        raise ValueError(f"verdict status must be one of {STATUSES}, got {status!r}")
    return Verdict(status, " ".join(headline.split()), _jsonable(figures or {}), list(next_steps or []))


def render_html(v: Verdict) -> str:
    """The banner shown in the notebook and the HTML report."""
    colour = _COLOURS[v.status]
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(val))}</td></tr>" for k, val in v.figures.items()
    )
    steps = "".join(f"<li>{html.escape(s)}</li>" for s in v.next_steps)
    return (
        f'<div class="verdict verdict-{v.status.lower()}" style="border-left:8px solid {colour};padding:8px 12px;'
        f'background:#f6f8fa;margin:8px 0">'
        f'<div style="font-size:1.3em"><b style="color:{colour}">Verdict: {v.status}</b> — {html.escape(v.headline)}</div>'
        + (f'<table style="margin-top:6px">{rows}</table>' if rows else "")
        + (f"<div><b>Next steps</b><ol>{steps}</ol></div>" if steps else "")
        + "</div>"
    )


def verdict(status: str, headline: str, figures: dict[str, Any] | None = None,
            next_steps: list[str] | None = None) -> Verdict:
    """Record the notebook's verdict (call it once, in the last cell).

    Parameters
    ----------
    status : {"PASS", "WARN", "FAIL", "ERROR"}
        The outcome. ERROR means the audit could not reach a conclusion.
    headline : str
        One sentence for the index page.
    figures : dict, optional
        A few key figures (name → number or short text) for the index page.
    next_steps : list of str, optional
        What the reader should do next.

    Returns
    -------
    Verdict
        What was recorded.
    """
    v = make_verdict(status, headline, figures, next_steps)
    text = f"Verdict: {v.status} — {v.headline}"
    try:
        from IPython.display import display

        display(
            {VERDICT_MIME: v.to_json(), "text/html": render_html(v), "text/plain": text},
            raw=True,
        )
    except ImportError:  # pragma: no cover - IPython is a dependency
        print(text)
    return v


def read_verdict(nb: Any) -> Verdict | None:
    """Find the last recorded verdict in an executed notebook (nbformat node or dict)."""
    found = None
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data") or {}
            if VERDICT_MIME in data:
                payload = data[VERDICT_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                found = make_verdict(payload["status"], payload["headline"], payload.get("figures"),
                                     payload.get("next_steps"))
    return found
