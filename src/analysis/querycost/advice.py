"""Index advice: which index serves which query, and what to build for the expensive shapes.

Rules (documented so a reader can check them by hand):

* **Predicate analysis** of a command (find / count / distinct filter, or the leading
  ``$match`` of a pipeline): a field compared with a literal, ``$eq`` or ``$in`` is an
  *equality* field (``$in`` counts as equality, as in MongoDB's ESR guidance; the server
  merges the per-value runs only while the list has at most 200 values); ``$gt``,
  ``$gte``, ``$lt``, ``$lte``, ``$ne``, ``$nin``, ``$exists``, ``$regex`` make a *range*
  field. The sort is the find's ``sort`` or a ``$sort`` that directly follows the
  leading ``$match``.
* **Index fit** of an index ``[(f1, d1), (f2, d2), ...]``: the *equality prefix* is how
  many leading index fields are equality fields; the index *provides the sort* when the
  fields right after the equality prefix are the sort fields in order, all with the
  same directions or all reversed; it *covers* the query when every field the query
  needs (filter, sort, projection; ``_id`` excluded) is in the index.
  An index with an empty equality prefix is not eligible for a filtered query (the
  planner would need a full index scan; it picks it only for a sort).
* **Choice** (what the sample's plan simulation uses): the eligible index with the
  longest equality prefix, then one that provides the sort, then the shortest;
  none → ``COLLSCAN``.
* **Suggestion** for a COLLSCAN or in-memory SORT shape: a compound index ordered
  Equality → Sort → Range (the MongoDB ESR rule). A ``$sort`` inside ``$facet`` can never
  use an index; the suggestion then names the ``find().sort().limit()`` query to move the
  list to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..mongo import wire_command

log = logging.getLogger(__name__)

IndexKeys = list[tuple[str, int]]
_RANGE_OPS = {"$gt", "$gte", "$lt", "$lte", "$ne", "$nin", "$exists", "$regex", "$type", "$not", "$size",
              "$elemMatch", "$all", "$mod"}
_EQ_OPS = {"$eq", "$in"}


@dataclass(frozen=True)
class QueryParts:
    """What an index can do for a query."""

    equality: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    sort: tuple[tuple[str, int], ...] = ()
    projected: tuple[str, ...] | None = None  # None: the whole document is needed
    facet_sorts: tuple[tuple[tuple[str, int], ...], ...] = ()
    other: bool = False  # $or / $expr / $text...: no index analysis

    @property
    def fields(self) -> set[str]:
        return set(self.equality) | set(self.range) | {f for f, _ in self.sort}


def _filter_fields(flt: Mapping[str, Any]) -> tuple[list[str], list[str], bool]:
    eq: list[str] = []
    rng: list[str] = []
    other = False
    for k, v in flt.items():
        if k.startswith("$"):
            if k == "$and" and isinstance(v, list):
                for sub in v:
                    if isinstance(sub, Mapping):
                        e, r, o = _filter_fields(sub)
                        eq += e
                        rng += r
                        other |= o
            else:
                other = True
            continue
        if isinstance(v, Mapping) and v and all(str(op).startswith("$") for op in v):
            ops = set(v)
            if ops & _EQ_OPS and not ops - _EQ_OPS:
                eq.append(k)
            elif ops <= _RANGE_OPS | _EQ_OPS:
                rng.append(k)
            else:
                other = True
        else:
            eq.append(k)
    return list(dict.fromkeys(eq)), [f for f in dict.fromkeys(rng) if f not in eq], other


def _sort_items(sort: Any) -> tuple[tuple[str, int], ...]:
    if isinstance(sort, Mapping):
        items = list(sort.items())
    elif isinstance(sort, (list, tuple)):
        items = [tuple(x) for x in sort if isinstance(x, (list, tuple)) and len(x) == 2]
    else:
        return ()
    return tuple((str(f), -1 if (isinstance(d, (int, float)) and d < 0) else 1) for f, d in items)


def _projected(proj: Any) -> tuple[str, ...] | None:
    if not isinstance(proj, Mapping) or not proj:
        return None
    fields = []
    for k, v in proj.items():
        if isinstance(v, bool) or isinstance(v, (int, float)):
            if not v:
                if k == "_id":
                    continue
                return None  # exclusion projection: the rest of the document is needed
            fields.append(k)
        elif isinstance(v, str) and v.startswith("$"):
            fields.append(v[1:])
        else:
            return None
    return tuple(fields)


def query_parts(op: str, command: Mapping[str, Any]) -> QueryParts:
    """Analyse a command (find/count/distinct/aggregate/update/delete) for index advice.

    Parameters
    ----------
    op : str
        Normalized operation.
    command : Mapping
        The command document (``{"find": ..., "filter": ...}``, ``{"aggregate": ...,
        "pipeline": [...]}``, a write statement ``{"q": ...}``).

    Returns
    -------
    QueryParts
    """
    pipeline = command.get("pipeline")
    if isinstance(pipeline, list):
        flt: Mapping[str, Any] = {}
        sort: tuple = ()
        projected = None
        facet_sorts: list[tuple] = []
        stages = [s for s in pipeline if isinstance(s, Mapping) and s]
        i = 0
        if stages and "$match" in stages[0] and isinstance(stages[0]["$match"], Mapping):
            flt = stages[0]["$match"]
            i = 1
        if i < len(stages) and "$sort" in stages[i]:
            sort = _sort_items(stages[i]["$sort"])
            i += 1
        if i < len(stages) and "$project" in stages[i]:
            projected = _projected(stages[i]["$project"])
        for s in stages:
            if "$facet" in s and isinstance(s["$facet"], Mapping):
                for sub in s["$facet"].values():
                    for st in sub if isinstance(sub, list) else []:
                        if isinstance(st, Mapping) and "$sort" in st:
                            facet_sorts.append(_sort_items(st["$sort"]))
        eq, rng, other = _filter_fields(flt)
        return QueryParts(tuple(eq), tuple(rng), sort, projected, tuple(facet_sorts), other)
    flt = command.get("filter", command.get("query", command.get("q", {})))
    if not isinstance(flt, Mapping):
        flt = {}
    eq, rng, other = _filter_fields(flt)
    projected = _projected(command.get("projection", command.get("fields")))
    if op == "count":
        projected = ()
    if op == "distinct" and command.get("key"):
        projected = (str(command["key"]),)
    return QueryParts(tuple(eq), tuple(rng), _sort_items(command.get("sort")), projected, (), other)


@dataclass(frozen=True)
class IndexFit:
    """How one index serves one query."""

    index: tuple[tuple[str, int], ...]
    equality_prefix: int
    provides_sort: bool
    covers: bool

    @property
    def eligible(self) -> bool:
        return self.equality_prefix > 0


def index_fit(index: Sequence[tuple[str, int]], parts: QueryParts) -> IndexFit:
    """Evaluate one index against a query (see the module rules)."""
    idx = tuple((str(f), int(d)) for f, d in index)
    eq = set(parts.equality)
    prefix = 0
    for f, _ in idx:
        if f in eq:
            prefix += 1
        else:
            break
    provides = False
    if parts.sort:
        rest = idx[prefix:prefix + len(parts.sort)]
        if len(rest) == len(parts.sort) and all(f == sf for (f, _), (sf, _) in zip(rest, parts.sort)):
            same = all(d == sd for (_, d), (_, sd) in zip(rest, parts.sort))
            rev = all(d == -sd for (_, d), (_, sd) in zip(rest, parts.sort))
            provides = same or rev
    needed = parts.fields | set(parts.projected or ())
    covers = parts.projected is not None and needed <= {f for f, _ in idx} and not parts.other
    return IndexFit(idx, prefix, provides, covers)


def choose_index(indexes: Iterable[Sequence[tuple[str, int]]], parts: QueryParts) -> IndexFit | None:
    """The index the simulated planner picks (None: COLLSCAN)."""
    fits = [index_fit(ix, parts) for ix in indexes]
    fits = [f for f in fits if f.eligible and not parts.other]
    if not fits:
        return None
    return max(fits, key=lambda f: (f.equality_prefix, f.provides_sort, f.covers, -len(f.index)))


def format_index(index: Sequence[tuple[str, int]]) -> str:
    """``{ user_id: 1, created_at: -1 }`` — the way mongod prints a key pattern in planSummary."""
    return "{ " + ", ".join(f"{f}: {int(d)}" for f, d in index) + " }"


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
        ns, op, shape, problem, suggested_index, note.
    """
    have: dict[str, list[tuple]] = {}
    for coll, keys in existing:
        have.setdefault(coll, []).append(tuple((f, int(d)) for f, d in keys))
    rows = []
    for _, r in digest.iterrows():
        if not (r["collscan"] or r["in_memory_sort"]):
            continue
        cmd = r.get("command") or {}
        parts = query_parts(str(r["op"]), cmd)
        coll = str(r["ns"]).split(".", 1)[-1]
        problem = " + ".join(p for p, n in (("COLLSCAN", r["collscan"]), ("in-memory SORT", r["in_memory_sort"])) if n)
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
                         "suggested_index": format_index(ix) if ix else "—", "note": note})
    return pd.DataFrame(rows, columns=["ns", "op", "shape", "problem", "suggested_index", "note"])


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
