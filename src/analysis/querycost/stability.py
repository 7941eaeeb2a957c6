"""Plan stability: the plans each query hash ran with, plan flips and replans (pure pandas).

Operations are grouped by their query hash (``planCacheShapeHash`` on 8.0, ``queryHash``
before; absent on explains of older servers and on getMores) and namespace. A **plan
flip** is a query hash that ran with more than one plan over the window: a different plan
summary (another index, or a COLLSCAN) or a different plan cache key (the set of
candidate indexes changed). ``replanned`` counts executions whose cached plan was
evicted and re-planned (``replanned: true``; ``replanReason`` says why).
"""

from __future__ import annotations

import pandas as pd

PLAN_COLUMNS = ["ns", "query_hash", "shape", "plans", "flip", "executions", "replanned", "history", "internal"]


def _minute(m: float) -> str:
    if m != m or m in (float("inf"), float("-inf")) or m < 0:
        return "?"
    return pd.Timestamp(int(m) * 60, unit="s", tz="UTC").strftime("%m-%d %H:%M")


def plan_stability(plans: pd.DataFrame, digest: pd.DataFrame) -> pd.DataFrame:
    """One row per (namespace, query hash): its plans in the order first seen, flips and replans.

    Parameters
    ----------
    plans : DataFrame
        :meth:`analysis.querycost.digest.Digester.plans_frame` (query_hash, plan_summary,
        plan_cache_key, ns, internal, count, total, replanned, first, last minute).
    digest : DataFrame
        The digest (for the shape of each query hash).

    Returns
    -------
    DataFrame
        :data:`PLAN_COLUMNS`; ``history`` lists each plan as ``plan [cache key] ×count
        (first–last minute UTC)``; flips first, then by executions.
    """
    if plans.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    shapes = digest[digest["query_hash"].astype(bool)].drop_duplicates(["ns", "query_hash"])
    shape_of = dict(zip(zip(shapes["ns"], shapes["query_hash"]), shapes["shape"]))
    p = plans.sort_values(["ns", "query_hash", "first", "plan_summary", "plan_cache_key"], kind="stable")
    p = p.assign(entry=[f"{s or '?'}{f' [{k}]' if k else ''} ×{int(c)} "
                        + (f"({_minute(a)}–{_minute(b)})" if _minute(a) != "?" else "(no timestamp)")
                        for s, k, c, a, b in zip(p["plan_summary"], p["plan_cache_key"], p["count"], p["first"],
                                                 p["last"])])
    g = p.groupby(["ns", "query_hash"], sort=False)
    out = pd.DataFrame({
        "plans": g.size(), "executions": g["count"].sum().astype(int), "replanned": g["replanned"].sum().astype(int),
        "history": g["entry"].agg(" → ".join), "internal": g["internal"].agg(lambda s: ", ".join(sorted(set(s) - {""}))),
    }).reset_index()
    out["flip"] = out["plans"] > 1
    out["shape"] = [shape_of.get(k, "") for k in zip(out["ns"], out["query_hash"])]
    out = out.sort_values(["flip", "executions", "ns", "query_hash"], ascending=[False, False, True, True],
                          kind="stable")
    return out[PLAN_COLUMNS].reset_index(drop=True)
