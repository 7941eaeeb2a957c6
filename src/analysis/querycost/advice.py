"""Index advice: which index serves which query, and what to build for the expensive shapes.

Which index serves which query follows the planner rules of :mod:`analysis.mongodb.planner`
(predicate analysis, index fit, choice). On top of them:

* **Suggestion** for a COLLSCAN or in-memory SORT shape: a compound index ordered
  Equality → Sort → Range (the MongoDB ESR rule). A ``$sort`` inside ``$facet`` can never
  use an index; the suggestion then names the ``find().sort().limit()`` query to move the
  list to. A ``$sort`` on fields an earlier stage computed (after ``$group``…) gets none: no
  index can serve it (:mod:`analysis.mongodb.pipesort`; the findings report it with its input).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..mongodb.commands import wire_command
from ..mongodb.pipesort import only_computed_sorts
from ..mongodb.planner import IndexKeys, QueryParts, choose_index, format_index, query_parts

log = logging.getLogger(__name__)



def esr_index(parts: QueryParts, sort: Sequence[tuple[str, int]] | None = None) -> IndexKeys:
    """A compound index ordered Equality → Sort → Range for a query."""
    out: IndexKeys = [(f, 1) for f in parts.equality]
    for f, d in (parts.sort if sort is None else sort):
        if f not in dict(out):
            out.append((f, d))
    for f in parts.range:
        if f not in dict(out):
            out.append((f, 1))
    return out


@dataclass
class _Use:
    planned: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)


def seed_index_usage(seed_indexes: Sequence[tuple[str, Sequence[tuple[str, int]]]],
                     planned: Sequence[Any], digest: pd.DataFrame | None = None,
                     field_presence: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """For each recommended index: which dashboard query would use it, which digested shape did.

    Parameters
    ----------
    seed_indexes : sequence of (collection, [(field, dir), ...])
        The recommended indexes (the seed's Step 4 list and the repository's extras).
    planned : sequence of PlannedQuery
        The dashboard's queries (all strategies). An index "would serve" a query when the
        simulated planner (:func:`choose_index` over all the recommended indexes of the
        collection) picks it.
    digest : DataFrame, optional
        A digest; an index is "seen" for a shape whose ``plan_summary`` names its key
        pattern (exact mongod text, e.g. ``IXSCAN { user_id: 1, created_at: -1 }``).
    field_presence : mapping, optional
        ``{collection: {field: share of documents holding it}}``; an index whose first
        field no document holds is flagged.

    Returns
    -------
    DataFrame
        collection, index, dashboard_queries, digested_shapes, verdict.
    """
    by_coll: dict[str, list[tuple]] = {}
    for coll, keys in seed_indexes:
        by_coll.setdefault(coll, []).append(tuple((f, int(d)) for f, d in keys))
    uses = {(c, ix): _Use() for c, ixs in by_coll.items() for ix in ixs}
    for q in planned:
        op, cmd = wire_command(q)
        fit = choose_index(by_coll.get(q.collection, []), query_parts(op, cmd))
        if fit is not None:
            label = f"{q.strategy}/{q.purpose}"
            if label not in uses[(q.collection, fit.index)].planned:
                uses[(q.collection, fit.index)].planned.append(label)
    if digest is not None and len(digest):
        for _, row in digest.iterrows():
            coll = str(row["ns"]).split(".", 1)[-1]
            for ix in by_coll.get(coll, []):
                if format_index(ix) in str(row["plan_summary"]):
                    uses[(coll, ix)].seen.append(f"{row['op']} {row['shape'][:60]}")
    rows = []
    for (coll, ix), use in uses.items():
        first = ix[0][0]
        presence = (field_presence or {}).get(coll, {}).get(first)
        if presence is not None and presence == 0:
            verdict = f"useless: no {coll} document has '{first}'"
        elif use.seen:
            verdict = "used (seen in plans)"
        elif use.planned:
            verdict = "would serve a dashboard query"
        else:
            verdict = "unused by the dashboard"
        rows.append({"collection": coll, "index": format_index(ix),
                     "dashboard_queries": ", ".join(use.planned) or "—",
                     "digested_shapes": len(use.seen), "verdict": verdict})
    return pd.DataFrame(rows)


def suggest_indexes(digest: pd.DataFrame,
                    existing: Sequence[tuple[str, Sequence[tuple[str, int]]]] = (),
                    field_presence: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """An ESR compound index for every COLLSCAN or in-memory SORT shape of a digest.

    Parameters
    ----------
    digest : DataFrame
        Output of :func:`~analysis.querycost.digest.digest_rows` (needs ``command``).
    existing : sequence of (collection, keys)
        Indexes known to exist or be planned; a suggestion equal to one (or a prefix of
        one) says so.
    field_presence : mapping, optional
        ``{collection: {field: share of documents holding it}}``. When no document holds
        an equality field, no index can help: the query matches nothing and must change.

    Returns
    -------
    DataFrame
        ns, op, shape, problem, suggested_index (as mongod prints it), index_keys (the same as
        (field, direction) pairs: the mongosh script is built from these, never from the text), note.
    """
    have: dict[str, list[tuple]] = {}
    for coll, keys in existing:
        have.setdefault(coll, []).append(tuple((f, int(d)) for f, d in keys))
    rows = []
    for _, r in digest.iterrows():
        cmd = r.get("command") or {}
        # a $sort on computed fields (after $group…) is no in-memory SORT an index could serve: no advice for it
        sorts = bool(r["in_memory_sort"]) and not only_computed_sorts(cmd.get("pipeline") if isinstance(cmd, Mapping)
                                                                      else None)
        if not (r["collscan"] or sorts):
            continue
        parts = query_parts(str(r["op"]), cmd)
        coll = str(r["ns"]).split(".", 1)[-1]
        problem = " + ".join(p for p, n in (("COLLSCAN", r["collscan"]), ("in-memory SORT", sorts)) if n)
        targets: list[tuple[IndexKeys, str]] = []
        absent = [f for f in parts.equality if (field_presence or {}).get(coll, {}).get(f) == 0]
        if absent:
            targets.append(([], f"no {coll} document has '{absent[0]}': the query matches nothing while "
                                "scanning; fix the query (no index can help)"))
        elif parts.other:
            targets.append(([], "filter uses $or/$expr/$text: analyse by hand"))
        elif parts.facet_sorts:
            for fs in parts.facet_sorts:
                ix = esr_index(parts, fs)
                targets.append((ix, "a $sort inside $facet never uses an index: move this list to "
                                    f"find({_eq_text(parts)}).sort({_sort_text(fs)}).limit(n), served by this index"))
            if r["collscan"]:
                targets.append((esr_index(parts, ()), "for the leading $match"))
        else:
            ix = esr_index(parts)
            note = "equality → sort → range"
            if any(isinstance(v, Mapping) and "$in" in v for v in _flt(cmd).values()) and parts.sort:
                note += "; $in served as equality only while the list has ≤ 200 values (SORT_MERGE)"
            targets.append((ix, note))
        for ix, note in targets:
            if ix:
                ix_t = tuple(ix)
                if any(e[:len(ix_t)] == ix_t for e in have.get(coll, [])):
                    note += "; already in the recommended/existing set"
            rows.append({"ns": r["ns"], "op": r["op"], "shape": r["shape"], "problem": problem,
                         "suggested_index": format_index(ix) if ix else "—", "index_keys": list(ix), "note": note})
    return pd.DataFrame(rows, columns=["ns", "op", "shape", "problem", "suggested_index", "index_keys", "note"])


def _flt(cmd: Mapping[str, Any]) -> Mapping[str, Any]:
    p = cmd.get("pipeline")
    if isinstance(p, list) and p and isinstance(p[0], Mapping) and "$match" in p[0]:
        return p[0]["$match"] if isinstance(p[0]["$match"], Mapping) else {}
    f = cmd.get("filter", cmd.get("query", cmd.get("q", {})))
    return f if isinstance(f, Mapping) else {}


def _eq_text(parts: QueryParts) -> str:
    return "{" + ", ".join(f"{f}: ?" for f in parts.equality) + "}"


def _sort_text(sort: Sequence[tuple[str, int]]) -> str:
    return "{" + ", ".join(f"{f}: {d}" for f, d in sort) + "}"
