"""Does a strategy show the user the same numbers as the legacy endpoint? Can it be cached?

Two pure checks:

* :func:`compare` — every field of a :class:`DashboardOverview` against the legacy one.
  Counts and breakdowns must be equal; sums and averages equal within a relative
  tolerance of 1e-9 (float summation order); item lists ("recent", "top") must list the
  same ids in the same order. Each difference is a :class:`Difference`.
* :func:`json_problems` — the values ``json.dumps`` would reject (``datetime``,
  ``ObjectId``, ``Decimal128``…), with their paths. The seed service caches with
  ``json.dumps(overview)`` inside ``try/except: logger.warning``: a non-empty list means that
  service never caches and never says so beyond a warning.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from .strategies import DashboardOverview

#: Relative tolerance for sums and averages.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Difference:
    """One field where a strategy disagrees with legacy (values rendered as JSON-safe text)."""

    strategy: str
    field: str
    legacy: Any
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "field": self.field, "legacy": self.legacy, "value": self.value}


def _item_key(item: dict[str, Any]) -> str:
    if "id" in item and item["id"] is not None:
        return str(item["id"])
    return str(item.get("_id"))


def _display(value: Any) -> Any:
    """A short JSON-safe rendering of a field value for reports."""
    if isinstance(value, list):
        return [_item_key(v) if isinstance(v, dict) else _display(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _display(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, float):
        return round(value, 6)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return [_item_key(x) if isinstance(x, dict) else x for x in a] == \
               [_item_key(x) if isinstance(x, dict) else x for x in b]
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    try:
        fa, fb = float(str(a)) if not isinstance(a, (int, float)) else float(a), \
            float(str(b)) if not isinstance(b, (int, float)) else float(b)
    except (TypeError, ValueError):
        return a == b
    return math.isclose(fa, fb, rel_tol=REL_TOL, abs_tol=1e-9)


def compare(legacy: DashboardOverview, other: DashboardOverview, strategy: str) -> list[Difference]:
    """List the fields where ``other`` differs from ``legacy``.

    Parameters
    ----------
    legacy : DashboardOverview
        The reference (the pre-fix endpoint's numbers).
    other : DashboardOverview
        The strategy's overview.
    strategy : str
        Its name (copied into each difference).

    Returns
    -------
    list of Difference
        Empty when every field agrees.
    """
    out = []
    for f in fields(DashboardOverview):
        a, b = getattr(legacy, f.name), getattr(other, f.name)
        if not _equal(a, b):
            out.append(Difference(strategy, f.name, _display(a), _display(b)))
    return out


def json_problems(value: Any, path: str = "$") -> list[tuple[str, str]]:
    """Paths of values the standard ``json.dumps`` cannot encode.

    Parameters
    ----------
    value : Any
        The payload (e.g. ``overview.to_dict()``).
    path : str
        Path prefix used in the result.

    Returns
    -------
    list of (path, type name)
    """
    if value is None or isinstance(value, (str, bool, int)):
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(path, "non-finite float")]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                out.append((f"{path}.<key {k!r}>", type(k).__name__))
            out.extend(json_problems(v, f"{path}.{k}"))
        return out
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in json_problems(v, f"{path}[{i}]")]
    return [(path, type(value).__name__)]


def cacheable(overview: DashboardOverview) -> tuple[bool, str]:
    """Whether ``json.dumps(overview)`` succeeds, and the error it raises if not."""
    try:
        json.dumps(overview.to_dict())
    except (TypeError, ValueError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def equivalence_frame(overviews: dict[str, DashboardOverview]) -> pd.DataFrame:
    """All differences of every strategy against ``legacy_full_scan``.

    Returns
    -------
    DataFrame
        Columns strategy, field, legacy, value (values as text).
    """
    legacy = overviews["legacy_full_scan"]
    rows = [d.to_json() for name, ov in overviews.items() if name != "legacy_full_scan"
            for d in compare(legacy, ov, name)]
    df = pd.DataFrame(rows, columns=["strategy", "field", "legacy", "value"])
    return df.assign(legacy=df["legacy"].map(_short), value=df["value"].map(_short))


def serializability_frame(overviews: dict[str, DashboardOverview]) -> pd.DataFrame:
    """Per strategy: can the cache store the overview, and which values block it."""
    rows = []
    for name, ov in overviews.items():
        problems = json_problems(ov.to_dict())
        types = sorted({t for _, t in problems})
        rows.append({"strategy": name, "json_serializable": not problems, "blocking_values": len(problems),
                     "types": ", ".join(types), "first_path": problems[0][0] if problems else ""})
    return pd.DataFrame(rows)


#: Field values a reader sees as words, not JSON: no value, an empty object or list, booleans.
VALUE_WORDS = {"null": "no value (null)", "{}": "empty object", "[]": "empty list",
               "true": "yes", "false": "no"}


def _short(value: Any, width: int = 60) -> str:
    """A field value for the report: JSON text cut at ``width``, or a word for null, empty and booleans."""
    text = json.dumps(value, sort_keys=True, default=str)
    if text in VALUE_WORDS:
        return VALUE_WORDS[text]
    return text if len(text) <= width else text[: width - 1] + "…"
