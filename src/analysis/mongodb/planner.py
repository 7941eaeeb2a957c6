"""How MongoDB's query planner can use an index: predicate analysis, index fit, choice.

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

Also :func:`pipeline_blocking_sort`: which aggregation ``$sort`` the server does in memory although an
index could serve it (:mod:`.pipesort` tells those from a blocking ``$sort`` on computed fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .pipesort import blocking_sort_an_index_could_serve

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


def pipeline_blocking_sort(pipeline: Any) -> bool:
    """True when a pipeline holds a ``$sort`` the server does in memory although an index could serve it.

    That is a ``$sort`` inside a ``$facet`` sub-pipeline, or a top-level ``$sort`` on stored fields
    that follows a stage other than ``$match``/``$sort`` (only a leading ``$match``/``$sort`` prefix
    is pushed down to the query layer, where an index may serve it). A ``$sort`` on fields an
    earlier stage computed (after ``$group``…) is not one: no index can serve it
    (:func:`analysis.mongodb.pipesort.computed_sort`).
    """
    return blocking_sort_an_index_could_serve(pipeline)
