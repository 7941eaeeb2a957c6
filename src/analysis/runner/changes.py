"""Change detection between two runs: status changes per notebook, deltas per figure (pure).

A notebook's status change against the baseline run:

==============  ==========================================================
``new_fail``    FAIL now, not FAIL before (a finding appeared)
``new_error``   ERROR now, not ERROR before (the audit itself broke)
``new_warn``    WARN now, PASS before
``resolved``    PASS/WARN now, FAIL/ERROR before; or PASS now, WARN before
``unchanged``   the same status
``new``         the notebook is not in the baseline (nothing to compare)
==============  ==========================================================

A figure's change: old and new value, absolute and relative delta, and an assessment read
from its :class:`analysis.record.Figure` info — ``unchanged``, ``noise`` (within its noise
threshold), ``better`` / ``worse`` (by its direction), ``changed`` (no direction, or text),
``new`` / ``gone`` (only in one run).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

from ..record import worst_status

#: Status changes that are news (a notification is sent only for these).
NEWS = ("new_fail", "new_error", "new_warn", "resolved")
#: The outcome of a comparison as a status, for :data:`analysis.cli.EXIT_CODES` (``diff``'s exit code).
CHANGE_STATUS = {"new_error": "ERROR", "new_fail": "FAIL", "new_warn": "WARN"}


@dataclass(frozen=True)
class Snapshot:
    """One notebook's outcome in one run, as far as comparing runs is concerned."""

    status: str
    headline: str = ""
    figures: Mapping[str, Any] = field(default_factory=dict)
    figure_info: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def status_change(before: str | None, after: str) -> str:
    """The status change from ``before`` (None: not in the baseline) to ``after``.

    Examples
    --------
    >>> [status_change(b, a) for b, a in [("PASS", "FAIL"), ("FAIL", "PASS"), ("FAIL", "FAIL"), (None, "PASS")]]
    ['new_fail', 'resolved', 'unchanged', 'new']
    """
    if before is None:
        return "new"
    if before == after:
        return "unchanged"
    if after == "ERROR":
        return "new_error"
    if after == "FAIL":
        return "new_fail"
    if after == "WARN" and before == "PASS":
        return "new_warn"
    return "resolved"


def as_number(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is not a number (text, bool, missing, NaN)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _assess(delta: float, info: Mapping[str, Any]) -> str:
    """worse / better / noise / changed / unchanged for a numeric change ``delta``."""
    if delta == 0:
        return "unchanged"
    if abs(delta) <= float(info.get("noise") or 0.0):
        return "noise"
    direction = info.get("higher_is_better")
    if direction is None:
        return "changed"
    return "better" if (delta > 0) == bool(direction) else "worse"


def figure_change(name: str, old: Any, new: Any, info: Mapping[str, Any] | None = None,
                  *, missing: tuple[bool, bool] = (False, False)) -> dict[str, Any]:
    """One figure's change between two runs.

    Parameters
    ----------
    name : str
        The figure's name.
    old, new : any
        Its value in the baseline and in this run.
    info : mapping, optional
        Its :class:`analysis.record.Figure` fields (unit, higher_is_better, noise, key, label).
    missing : (bool, bool)
        Whether the figure is absent from the baseline / from this run.

    Returns
    -------
    dict
        name, label (the display label, else the name), unit, key, old, new, abs_delta, rel_delta
        (None unless both are numbers; rel_delta None when old is 0) and assessment.
    """
    info = info or {}
    out: dict[str, Any] = {"name": name, "label": info.get("label") or name, "unit": info.get("unit", ""),
                           "key": bool(info.get("key", True)), "old": old, "new": new, "abs_delta": None,
                           "rel_delta": None}
    if missing[0] or missing[1]:
        out["assessment"] = "new" if missing[0] else "gone"
        return out
    a, b = as_number(old), as_number(new)
    if a is None or b is None:
        out["assessment"] = "unchanged" if old == new else "changed"
        return out
    delta = b - a
    out["abs_delta"] = delta
    out["rel_delta"] = delta / abs(a) if a != 0 else None
    out["assessment"] = _assess(delta, info)
    return out


def _figures(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Figure changes of one notebook, in this run's order, then figures only the baseline had."""
    names = list(after.figures) + [n for n in before.figures if n not in after.figures]
    return [
        figure_change(n, before.figures.get(n), after.figures.get(n),
                      after.figure_info.get(n) or before.figure_info.get(n),
                      missing=(n not in before.figures, n not in after.figures))
        for n in names
    ]


def compare(before: Mapping[str, Snapshot], after: Mapping[str, Snapshot]) -> list[dict[str, Any]]:
    """Compare every notebook of this run (``after``) with the baseline run (``before``).

    Parameters
    ----------
    before : mapping
        Notebook name → :class:`Snapshot` in the baseline run (empty: no baseline).
    after : mapping
        Notebook name → :class:`Snapshot` in this run.

    Returns
    -------
    list of dict
        Per notebook of this run, in order: notebook, change (see the module table),
        status_before, status_after, headline_before, headline_after, figures (see
        :func:`figure_change`; empty for a notebook new to the baseline).
    """
    out = []
    for name, now in after.items():
        was = before.get(name)
        out.append({
            "notebook": name,
            "change": status_change(was.status if was else None, now.status),
            "status_before": was.status if was else None,
            "status_after": now.status,
            "headline_before": was.headline if was else None,
            "headline_after": now.headline,
            "figures": _figures(was, now) if was else [],
        })
    return out


def is_news(changes: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any notebook's status changed (what makes a notification worth sending)."""
    return any(c["change"] in NEWS for c in changes)


def outcome(changes: Iterable[Mapping[str, Any]]) -> str:
    """The comparison as a status: ERROR on a new error, FAIL on a new FAIL, WARN on a new WARN, else PASS."""
    return worst_status((CHANGE_STATUS[c["change"]] for c in changes if c["change"] in CHANGE_STATUS),
                        default="PASS")


def counts(changes: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many notebooks per status change, and how many figures got worse / better."""
    out: dict[str, int] = {}
    for c in changes:
        out[c["change"]] = out.get(c["change"], 0) + 1
        for f in c["figures"]:
            if f["assessment"] in ("worse", "better"):
                out[f["assessment"]] = out.get(f["assessment"], 0) + 1
    return out


def describe(change: Mapping[str, Any]) -> str:
    """One line for a notebook's change: ``FAIL → PASS (resolved); 2 figures worse``."""
    kind = change["change"]
    if kind == "new":
        return "new: not in the baseline run"
    worse = sum(f["assessment"] == "worse" for f in change["figures"])
    better = sum(f["assessment"] == "better" for f in change["figures"])
    text = "unchanged" if kind == "unchanged" else f"{change['status_before']} → {change['status_after']} ({kind.replace('_', ' ')})"
    extra = [f"{n} figure{'s' if n != 1 else ''} {w}" for n, w in ((worse, "worse"), (better, "better")) if n]
    return "; ".join([text, *extra])
