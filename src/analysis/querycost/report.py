"""Tables and the verdict of the query cost audit (formatting only: no math, no I/O).

Notebook tables are functions of a :class:`~analysis.querycost.result.QueryCostResult`
(:func:`read_table`, :func:`top_table`, :func:`findings_table`, :func:`suggestions_table`);
:func:`verdict` judges it. :func:`digest_json` and :func:`digest_text` render a bare
digest for ``python -m analysis digest``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Verdict
from .findings import assess
from .records import ReadStats
from .result import QueryCostResult

#: The JSON fields of each shape, in order (the digest command's contract).
JSON_SHAPE_FIELDS = ["ns", "op", "shape", "plan_summary", "count", "total_ms", "mean_ms", "p50_ms", "p95_ms",
                     "p99_ms", "max_ms", "docs_examined", "keys_examined", "nreturned", "examined_per_returned",
                     "collscan", "in_memory_sort", "reslen_total", "share_of_time"]
#: Fields printed as integers (totals and counts; a float column because a total over no value is NaN).
_INT_FIELDS = {"count", "docs_examined", "keys_examined", "nreturned", "collscan", "in_memory_sort", "reslen_total"}


def _clip(col: pd.Series, width: int) -> pd.Series:
    return col.map(lambda s: s if len(s) <= width else s[: width - 1] + "…")


def _collection(ns: pd.Series) -> pd.Series:
    return ns.str.split(".", n=1).str[-1]


def read_table(result: QueryCostResult) -> pd.DataFrame:
    """What each input held: kind, units read, queries, skipped and why."""
    return pd.DataFrame(result.stats.table())


def top_table(result: QueryCostResult, n: int, width: int = 70) -> pd.DataFrame:
    """The top-N shapes by total time, formatted for reading.

    Parameters
    ----------
    result : QueryCostResult
    n : int
        Shapes shown.
    width : int
        Shapes longer than this are clipped with "…".
    """
    d = result.digest.head(n)
    return pd.DataFrame({
        "collection": _collection(d["ns"]), "op": d["op"],
        "shape": _clip(d["shape"], width),
        "plan": d["plan_summary"], "count": d["count"], "total_ms": d["total_ms"].round(0).astype(int),
        "p50_ms": d["p50_ms"].round(1), "p95_ms": d["p95_ms"].round(1), "max_ms": d["max_ms"].round(0),
        "docs/exec": (d["docs_examined"] / d["count"]).round(0),
        "docs/ret": d["examined_per_returned"].round(1),
        "KiB/exec": (d["reslen_mean"] / 1024).round(1),
        "share": (d["share_of_time"] * 100).round(1), "dashboard": d["dashboard"],
    })


def findings_table(result: QueryCostResult, width: int = 60) -> pd.DataFrame:
    """The findings (FAIL first, then by total time), formatted for reading."""
    f = result.findings
    return pd.DataFrame({
        "severity": f["severity"], "collection": _collection(f["ns"]), "op": f["op"],
        "shape": _clip(f["shape"], width),
        "flags": f["flags"], "docs/exec": f["docs_per_exec"].round(0), "docs/ret": f["examined_per_returned"].round(1),
        "share": (f["share_of_time"] * 100).round(1), "dashboard": f["dashboard"],
    })


def suggestions_table(result: QueryCostResult, width: int = 60) -> pd.DataFrame:
    """The index suggestions, one row per (collection, index, note)."""
    s = result.suggestions
    return pd.DataFrame({
        "collection": _collection(s["ns"]), "op": s["op"],
        "shape": _clip(s["shape"], width),
        "problem": s["problem"], "create": s["suggested_index"], "note": s["note"],
    }).drop_duplicates(subset=["collection", "create", "note"])


def verdict(result: QueryCostResult) -> Verdict:
    """The audit's verdict (rule: :mod:`analysis.querycost.findings`).

    Parameters
    ----------
    result : QueryCostResult
        What :func:`analysis.querycost.pipeline.run` returned.

    Returns
    -------
    Verdict
        PASS / WARN / FAIL with the key figures and next steps; ERROR when nothing usable was read.
    """
    return assess(result.digest, result.findings, result.stats, result.source, result.live_explain)


def digest_json(df: pd.DataFrame, stats: ReadStats, top: int) -> dict[str, Any]:
    """The digest command's JSON document: files, lines, slow_queries, skipped, shapes.

    Parameters
    ----------
    df : DataFrame
        A digest (:func:`analysis.querycost.pipeline.digest_files`).
    stats : ReadStats
        What was read.
    top : int
        Shapes included (``0``: all).
    """
    rows = df if top <= 0 else df.head(top)
    return {
        "files": [f.path for f in stats.files],
        "lines": stats.lines,
        "slow_queries": stats.records,
        "skipped": stats.skipped,
        "shapes": [{k: _json_value(k, r[k]) for k in JSON_SHAPE_FIELDS} for _, r in rows.iterrows()],
    }


def _json_value(name: str, v: Any) -> Any:
    """A JSON-safe field: integer fields as ints, other floats rounded to 6 decimals, NaN as null."""
    if name in _INT_FIELDS:
        v = jsonable(v)
        return int(v) if isinstance(v, float) else v
    return jsonable(v, ndigits=6)


def digest_text(df: pd.DataFrame, stats: ReadStats, top: int) -> str:
    """The digest command's text output: a summary line, problems, then the top shapes.

    Parameters
    ----------
    df : DataFrame
        A digest.
    stats : ReadStats
        What was read.
    top : int
        Shapes shown (``0``: all).
    """
    rows = df if top <= 0 else df.head(top)
    view = pd.DataFrame({
        "ns": rows["ns"], "op": rows["op"], "count": rows["count"],
        "total_ms": rows["total_ms"].round(0), "p95_ms": rows["p95_ms"].round(1),
        "docs/ret": rows["examined_per_returned"].round(1), "COLLSCAN": rows["collscan"],
        "SORT": rows["in_memory_sort"], "share": (rows["share_of_time"] * 100).round(1).astype(str) + "%",
        "plan": rows["plan_summary"].str.slice(0, 40), "shape": rows["shape"].str.slice(0, 70),
    })
    lines = [stats.summary()]
    for p in stats.problems:
        lines.append(f"  problem: {p}")
    lines.append(view.to_string(index=False))
    if top > 0 and len(df) > top:
        lines.append(f"({len(df) - top} more shapes; --top 0 shows all)")
    return "\n".join(lines)
