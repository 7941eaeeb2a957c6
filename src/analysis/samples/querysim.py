"""The simulated server behind notebook 01's SYNTHETIC sample: the workload and the cost model.

What is true and what is modelled
---------------------------------
The dashboard workload is really executed: every dashboard load runs the planned
queries of its strategy (:func:`analysis.mongodb.commands.run_queries`) against
the generated Infra Mind dataset (:func:`analysis.samples.dataset.generate_dataset`)
in mongomock. So the commands, ``nreturned`` and ``reslen`` (``bson.encode`` of the
documents each batch returns, plus the 100-byte cursor envelope) are true for that data.

Plan figures are **simulated**, from the data, with the rules of
:mod:`analysis.querycost.advice` over a stated index set (default
:data:`PRODUCTION_INDEXES`: the ``user_id`` indexes the models declare, no index on
``recommendations`` besides ``_id``):

* ``COLLSCAN`` examines the documents in natural (insertion) order up to the last one the
  batch needs — the whole collection when a blocking sort or an aggregation needs all
  matches; ``keysExamined`` 0;
* ``IXSCAN`` examines one key per matching entry plus the key that ends the scan, and
  fetches one document per key unless the index covers the query (then 0);
* a ``find`` returns its first batch of 101 documents, the rest in one ``getMore``
  (our batches stay far below 16 MiB); a blocking sort does all the work in the first batch.

Durations come from this **cost model** (milliseconds; lognormal noise σ = 0.3; mongod
logs whole milliseconds, rounded down)::

    BASE 0.08 + 0.0006·keys + docs·(0.0018 + 0.0009·KiB per doc)
      + 0.0012·n·log2(n) for an in-memory sort of n documents
      + 0.004·n·(sub-pipelines) for a $facet over n documents
      + 0.006·KiB returned

— plausible magnitudes for a WiredTiger cache-resident working set (µs per key step, a
few µs per multi-KiB document), not measurements. The log is written as if
``slowms: 0`` (every operation logged, which a short audit window may use); its
first line, every ``appName`` (``synthetic-workbook/<strategy>``) and the explain
documents' ``synthetic`` field mark it synthetic. Nothing here reached a real server.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bson
import mongomock

from ..mongodb.commands import run_queries, wire_command
from ..mongodb.planner import IndexFit, choose_index, format_index, pipeline_blocking_sort, query_parts
from ..mongodb.queries import SEED_INDEXES, STRATEGIES
from .dataset import generate_dataset, load_into

SYNTHETIC_APP = "synthetic-workbook"
DB_NAME = "infra_mind"
#: Indexes the simulated server has: the models' ``user_id`` indexes (the state before
#: the seed's Step 4). ``_id`` exists everywhere and serves none of the dashboard queries.
PRODUCTION_INDEXES: list[tuple[str, list[tuple[str, int]]]] = [
    ("assessments", [("user_id", 1)]),
    ("reports", [("user_id", 1)]),
]
#: An index built during the synthetic log window (a rolling build, as the audit recommends): loads after
#: it run with the plans the simulated planner picks with it — a plan flip of the shapes it serves.
BUILT_INDEX: tuple[str, list[tuple[str, int]]] = ("assessments", [("user_id", 1), ("created_at", -1)])
#: Share of dashboard loads per strategy in the synthetic window (as if the endpoints ran side by side).
STRATEGY_MIX = {"legacy_full_scan": 0.5, "seed_facet": 0.35, "index_friendly": 0.15}
FIRST_BATCH = 101
#: Suffix of the strategy keys of the loads simulated after :data:`BUILT_INDEX` was built.
AFTER_BUILD = "@after-build"
CURSOR_ENVELOPE_BYTES = 100
COST = {"base": 0.08, "key": 0.0006, "doc": 0.0018, "doc_kib": 0.0009, "sort": 0.0012,
        "facet": 0.004, "wire_kib": 0.006, "sigma": 0.3}


@dataclass
class SimOp:
    """One simulated server operation (a command or a getMore)."""

    kind: str  # "find", "aggregate", "getMore"
    collection: str
    command: dict[str, Any]
    plan_summary: str
    keys_examined: int
    docs_examined: int
    nreturned: int
    reslen: int
    has_sort_stage: bool
    sort_n: int
    facet_n: int
    kib_per_doc: float
    fit: IndexFit | None
    cursor_exhausted: bool = True
    matched: int = 0

    def cost_ms(self, rng: random.Random) -> float:
        """Duration from the cost model (see the module docstring), with noise."""
        c = COST
        ms = (c["base"] + c["key"] * self.keys_examined
              + self.docs_examined * (c["doc"] + c["doc_kib"] * self.kib_per_doc)
              + (c["sort"] * self.sort_n * math.log2(self.sort_n) if self.sort_n > 1 else 0.0)
              + c["facet"] * self.facet_n + c["wire_kib"] * self.reslen / 1024)
        return ms * math.exp(rng.gauss(0.0, c["sigma"]))


def _matches(doc: Mapping[str, Any], flt: Mapping[str, Any]) -> bool:
    """Equality / ``$in`` on top-level fields: all the dashboard's filters need."""
    for k, v in flt.items():
        have = doc.get(k)
        if isinstance(v, Mapping) and "$in" in v:
            if have not in v["$in"]:
                return False
        elif isinstance(v, Mapping) and "$eq" in v:
            if have != v["$eq"]:
                return False
        elif isinstance(v, Mapping):
            raise ValueError(f"sample matcher: unsupported filter {v!r:.80}")
        elif have != v:
            return False
    return True


def _leading_filter(op: str, cmd: Mapping[str, Any]) -> Mapping[str, Any]:
    if op == "aggregate":
        p = cmd.get("pipeline") or []
        return p[0].get("$match", {}) if p and isinstance(p[0], Mapping) else {}
    return cmd.get("filter") or {}


def _reslen(docs: Sequence[Mapping[str, Any]]) -> int:
    return CURSOR_ENVELOPE_BYTES + sum(len(bson.encode(d)) for d in docs)


def simulate(q: Any, collection_docs: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]],
             indexes: Sequence[Sequence[tuple[str, int]]], doc_sizes: Sequence[int]) -> list[SimOp]:
    """Simulate the server operations one planned query causes (see the module rules).

    Parameters
    ----------
    q : PlannedQuery
        The query.
    collection_docs : sequence of dict
        The collection in natural (insertion) order.
    results : sequence of dict
        What the query returned (run in mongomock).
    indexes : sequence of key lists
        Indexes of that collection on the simulated server.
    doc_sizes : sequence of int
        BSON size of each document of ``collection_docs``.

    Returns
    -------
    list of SimOp
        The command, then a getMore when the first batch does not hold every result.
    """
    op, cmd = wire_command(q)
    parts = query_parts(op, cmd)
    fit = choose_index(indexes, parts)
    flt = _leading_filter(op, cmd)
    positions = [i for i, d in enumerate(collection_docs) if _matches(d, flt)]
    n, total = len(positions), len(collection_docs)
    kib = (sum(doc_sizes[i] for i in positions) / n / 1024) if n else 1.0
    plan = "COLLSCAN" if fit is None else f"IXSCAN {format_index(fit.index)}"
    covered = fit is not None and fit.covers
    if op == "aggregate":
        pipeline = cmd["pipeline"]
        facets = [s["$facet"] for s in pipeline if isinstance(s, Mapping) and "$facet" in s]
        blocking = pipeline_blocking_sort(pipeline) or bool(parts.sort and not (fit and fit.provides_sort))
        keys = 0 if fit is None else n + 1
        docs = total if fit is None else (0 if covered else n)
        return [SimOp("aggregate", q.collection, cmd, plan, keys, docs, len(results), _reslen(results), blocking,
                      n if blocking else 0, n * sum(len(f) for f in facets), kib, fit, matched=n)]
    sort_needed = bool(parts.sort) and not (fit is not None and fit.provides_sort)
    limit = q.limit or 0
    first = results[:FIRST_BATCH] if not limit or limit > FIRST_BATCH else results
    rest = results[len(first):]
    ops: list[SimOp] = []
    if sort_needed or (limit and limit <= FIRST_BATCH and fit is None and parts.sort):
        # blocking sort: all work in the first batch
        keys = 0 if fit is None else n + 1
        docs = total if fit is None else (0 if covered else n)
        ops.append(SimOp("find", q.collection, cmd, plan, keys, docs, len(first), _reslen(first), True, n, 0, kib,
                         fit, cursor_exhausted=not rest))
        done_keys, done_docs = keys, docs
    else:
        need = len(first)
        if fit is None:
            docs = (positions[need - 1] + 1) if (rest and need) else total
            keys = 0
        else:
            keys = need + (0 if rest or (limit and need == limit) else 1)
            docs = 0 if covered else need
        ops.append(SimOp("find", q.collection, cmd, plan, keys, docs, len(first), _reslen(first), False, 0, 0, kib,
                         fit, cursor_exhausted=not rest))
        done_keys, done_docs = keys, docs
    if rest:
        if fit is None:
            keys, docs = 0, total - done_docs
        else:
            keys, docs = (n + 1) - done_keys, 0 if covered else max(n - done_docs, 0)
        ops.append(SimOp("getMore", q.collection, cmd, plan, keys, docs, len(rest), _reslen(rest), False, 0, 0,
                         kib, fit))
    for o in ops:
        o.matched = n
    return ops


def scoped_db(natural: Mapping[str, Sequence[dict[str, Any]]], user: str) -> Any:
    """A mongomock database holding only ``user``'s documents of ``natural``, in their natural order.

    Every dashboard query is scoped to one user (``user_id``, or ``assessment_id`` in the user's
    assessments), so it returns the same documents, in the same order, as on the whole dataset
    (tested) — while mongomock's ``aggregate`` copies the whole collection before its ``$match``: on the
    embedded sample's 2,580 documents per collection that copying was 90 % of the generation time. The
    plan figures are still simulated on the whole collections.
    """
    assessments = [d for d in natural["assessments"] if d.get("user_id") == user]
    ids = {str(d["_id"]) for d in assessments}
    mine = {"assessments": assessments,
            "recommendations": [d for d in natural["recommendations"] if d.get("assessment_id") in ids],
            "reports": [d for d in natural["reports"] if d.get("user_id") == user]}
    db = mongomock.MongoClient()[DB_NAME]
    load_into(db, {c: [dict(d) for d in docs] for c, docs in mine.items()})
    return db


def build_workload(*, users: int = 120, docs_per_user: int = 200, seed: int = 7,
                   indexes: Sequence[tuple[str, Sequence[tuple[str, int]]]] = PRODUCTION_INDEXES,
                   sampled_users: int = 24, built_index: tuple[str, Sequence[tuple[str, int]]] | None = BUILT_INDEX,
                   ) -> tuple[dict[tuple[str, str], list[SimOp]], dict[str, Any]]:
    """Run every strategy for a sample of users in mongomock and simulate the server ops.

    Returns
    -------
    (dict, dict)
        ``{(strategy, user): [SimOp, ...]}`` and metadata (dataset size, field presence). With
        ``built_index``, the same loads simulated once that index exists are under the keys
        ``(strategy + AFTER_BUILD, user)``.
    """

    data = generate_dataset(users=users, docs_per_user=docs_per_user, seed=seed)
    db = mongomock.MongoClient()[DB_NAME]
    load_into(db, data)
    natural = {c: list(db[c].find()) for c in data}
    sizes = {c: [len(bson.encode(d)) for d in docs] for c, docs in natural.items()}
    by_coll: dict[str, list] = {}
    for coll, keys in indexes:
        by_coll.setdefault(coll, []).append(list(keys))
    rng = random.Random(seed)
    all_users = sorted({d["user_id"] for d in data["assessments"]})
    chosen = [all_users[0]] + rng.sample(all_users[1:], min(sampled_users - 1, len(all_users) - 1))
    after = {c: [*ixs] for c, ixs in by_coll.items()}
    if built_index is not None:
        after.setdefault(built_index[0], []).append(list(built_index[1]))
    scoped = {user: scoped_db(natural, user) for user in chosen}
    sims: dict[tuple[str, str], list[SimOp]] = {}
    for strategy in STRATEGIES:
        for user in chosen:
            executed, results = run_queries(scoped[user], strategy, user)
            for suffix, ixs in (("", by_coll), (AFTER_BUILD, after if built_index is not None else None)):
                if ixs is not None:
                    sims[(strategy + suffix, user)] = [
                        op for q in executed for op in simulate(q, natural[q.collection], results[q.purpose],
                                                                ixs.get(q.collection, []), sizes[q.collection])]
    fields = sorted({f for _, keys in SEED_INDEXES for f, _ in keys})
    presence = {c: {f: round(sum(1 for d in docs if f in d) / max(len(docs), 1), 4) for f in fields}
                for c, docs in natural.items()}
    meta = {"users": users, "docs_per_user": docs_per_user, "seed": seed,
            "collection_sizes": {c: len(v) for c, v in natural.items()},
            "mean_doc_kib": {c: round(sum(s) / len(s) / 1024, 2) for c, s in sizes.items()},
            "indexes": [[c, [list(k) for k in keys]] for c, keys in indexes],
            "field_presence": presence, "sampled_users": len(chosen), "cost_model": COST,
            "strategy_mix": STRATEGY_MIX, "first_batch": FIRST_BATCH,
            "built_index": [built_index[0], [list(k) for k in built_index[1]]] if built_index else None}
    return sims, meta
