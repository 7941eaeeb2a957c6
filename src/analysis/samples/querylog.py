"""The embedded default: a SYNTHETIC slow-query log, profiler export and explain outputs.

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

import argparse
import copy
import gzip
import json
import logging
import math
import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import bson
import mongomock
import orjson
from bson import json_util

from ..config import data_dir
from ..mongodb.commands import run_queries, wire_command
from ..mongodb.planner import IndexFit, choose_index, format_index, pipeline_blocking_sort, query_parts
from ..mongodb.queries import SEED_INDEXES, STRATEGIES
from .dataset import generate_dataset, load_into

log = logging.getLogger(__name__)

SYNTHETIC_APP = "synthetic-workbook"
DB_NAME = "infra_mind"
#: Indexes the simulated server has: the models' ``user_id`` indexes (the state before
#: the seed's Step 4). ``_id`` exists everywhere and serves none of the dashboard queries.
PRODUCTION_INDEXES: list[tuple[str, list[tuple[str, int]]]] = [
    ("assessments", [("user_id", 1)]),
    ("reports", [("user_id", 1)]),
]
#: Share of dashboard loads per strategy in the synthetic window (as if the endpoints ran side by side).
STRATEGY_MIX = {"legacy_full_scan": 0.5, "seed_facet": 0.35, "index_friendly": 0.15}
FIRST_BATCH = 101
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


def _hash8(*parts: str) -> str:
    return f"{zlib.crc32('|'.join(parts).encode()):08X}"


def build_workload(*, users: int = 120, docs_per_user: int = 200, seed: int = 7,
                   indexes: Sequence[tuple[str, Sequence[tuple[str, int]]]] = PRODUCTION_INDEXES,
                   sampled_users: int = 24) -> tuple[dict[tuple[str, str], list[SimOp]], dict[str, Any]]:
    """Run every strategy for a sample of users in mongomock and simulate the server ops.

    Returns
    -------
    (dict, dict)
        ``{(strategy, user): [SimOp, ...]}`` and metadata (dataset size, field presence).
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
    sims: dict[tuple[str, str], list[SimOp]] = {}
    for strategy in STRATEGIES:
        for user in chosen:
            executed, results = run_queries(db, strategy, user)
            ops: list[SimOp] = []
            for q in executed:
                ops += simulate(q, natural[q.collection], results[q.purpose], by_coll.get(q.collection, []),
                                sizes[q.collection])
            sims[(strategy, user)] = ops
    fields = sorted({f for _, keys in SEED_INDEXES for f, _ in keys})
    presence = {c: {f: round(sum(1 for d in docs if f in d) / max(len(docs), 1), 4) for f in fields}
                for c, docs in natural.items()}
    meta = {"users": users, "docs_per_user": docs_per_user, "seed": seed,
            "collection_sizes": {c: len(v) for c, v in natural.items()},
            "mean_doc_kib": {c: round(sum(s) / len(s) / 1024, 2) for c, s in sizes.items()},
            "indexes": [[c, [list(k) for k in keys]] for c, keys in indexes],
            "field_presence": presence, "sampled_users": len(chosen), "cost_model": COST,
            "strategy_mix": STRATEGY_MIX, "first_batch": FIRST_BATCH}
    return sims, meta


# ----------------------------------------------------------------------------- writers
def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _command_doc(op: SimOp, cursor_id: int, *, originating: bool = False) -> dict[str, Any]:
    if op.kind == "getMore" and not originating:
        return {"getMore": cursor_id, "collection": op.collection, "$db": DB_NAME}
    cmd = copy.deepcopy(op.command)
    cmd["$db"] = DB_NAME
    return cmd


def log_line(t: datetime, conn: int, op: SimOp, duration_ms: int, app: str, cursor_id: int) -> dict[str, Any]:
    """One mongod 4.4+ "Slow query" log document for a simulated op."""
    ns = f"{DB_NAME}.{op.collection}"
    shape_key = json.dumps(query_parts(op.kind if op.kind != "getMore" else "find", op.command).__dict__,
                           default=str, sort_keys=True)
    attr: dict[str, Any] = {"type": "command", "ns": ns, "appName": app,
                            "command": _command_doc(op, cursor_id)}
    if op.kind == "getMore":
        attr["originatingCommand"] = _command_doc(op, 0, originating=True)
    attr.update({"planSummary": op.plan_summary, "keysExamined": op.keys_examined,
                 "docsExamined": op.docs_examined})
    if op.has_sort_stage:
        attr["hasSortStage"] = True
    if op.cursor_exhausted:
        attr["cursorExhausted"] = True
    else:
        attr["cursorid"] = cursor_id
    attr.update({"numYields": op.docs_examined // 128, "nreturned": op.nreturned,
                 "queryHash": _hash8(ns, shape_key),
                 "planCacheKey": _hash8(ns, shape_key, op.plan_summary),
                 "queryFramework": "classic", "reslen": op.reslen,
                 "locks": {"FeatureCompatibilityVersion": {"acquireCount": {"r": 1 + op.docs_examined // 128}},
                           "Global": {"acquireCount": {"r": 1 + op.docs_examined // 128}}},
                 "readConcern": {"level": "local", "provenance": "implicitDefault"},
                 "storage": {}, "cpuNanos": int(duration_ms * 900_000) + 41_000,
                 "remote": f"10.0.3.{conn % 200 + 10}:{40000 + conn}", "protocol": "op_msg",
                 "durationMillis": duration_ms})
    return {"t": {"$date": _iso(t)}, "s": "I", "c": "COMMAND", "id": 51803, "ctx": f"conn{conn}",
            "msg": "Slow query", "attr": attr}


def profile_doc(t: datetime, conn: int, op: SimOp, duration_ms: int, app: str, cursor_id: int) -> dict[str, Any]:
    """One ``system.profile`` document for a simulated op (as the server writes it)."""
    line = log_line(t, conn, op, duration_ms, app, cursor_id)["attr"]
    doc: dict[str, Any] = {
        "op": {"find": "query", "aggregate": "command", "getMore": "getmore"}[op.kind],
        "ns": line["ns"], "command": line["command"],
    }
    if op.kind == "getMore":
        doc["originatingCommand"] = line["originatingCommand"]
    for src, dst in (("keysExamined", "keysExamined"), ("docsExamined", "docsExamined"),
                     ("hasSortStage", "hasSortStage"), ("cursorExhausted", "cursorExhausted"),
                     ("numYields", "numYield"), ("nreturned", "nreturned"), ("queryHash", "queryHash"),
                     ("planCacheKey", "planCacheKey"), ("queryFramework", "queryFramework"),
                     ("locks", "locks")):
        if src in line:
            doc[dst] = line[src]
    doc.update({"responseLength": op.reslen, "protocol": "op_msg", "millis": duration_ms,
                "planSummary": op.plan_summary, "ts": t, "client": line["remote"].split(":")[0],
                "appName": app, "allUsers": [{"user": "infra_mind_api", "db": "admin"}],
                "user": "infra_mind_api@admin"})
    return doc


def _plan_tree(op: SimOp) -> dict[str, Any]:
    if op.fit is None:
        tree: dict[str, Any] = {"stage": "COLLSCAN", "direction": "forward"}
    else:
        kp = {f: d for f, d in op.fit.index}
        tree = {"stage": "IXSCAN", "keyPattern": kp, "indexName": "_".join(f"{f}_{d}" for f, d in op.fit.index),
                "isMultiKey": False, "direction": "forward"}
        if not op.fit.covers:
            tree = {"stage": "FETCH", "inputStage": tree}
    if op.has_sort_stage and op.kind == "find":
        tree = {"stage": "SORT", "sortPattern": dict(query_parts("find", op.command).sort), "inputStage": tree}
    return tree


def explain_doc(op: SimOp, duration_ms: int, *, sbe: bool = False) -> dict[str, Any]:
    """An ``explain("executionStats")`` output for a simulated op (classic or SBE layout)."""
    ns = f"{DB_NAME}.{op.collection}"
    tree = _plan_tree(op)
    winning = {"queryPlan": tree, "slotBasedPlan": {"slots": "synthetic", "stages": "synthetic"}} if sbe else tree
    qp = {"namespace": ns, "indexFilterSet": False, "queryHash": _hash8(ns, op.plan_summary),
          "winningPlan": winning, "rejectedPlans": []}
    es = {"executionSuccess": True, "nReturned": op.nreturned, "executionTimeMillis": duration_ms,
          "totalKeysExamined": op.keys_examined, "totalDocsExamined": op.docs_examined}
    cmd = copy.deepcopy(op.command)
    cmd["$db"] = DB_NAME
    marker = "analysis.samples.querylog: figures from a cost model, not a server"
    if op.kind == "aggregate" and not sbe:
        es_c = dict(es, nReturned=op.matched)
        stages: list[dict[str, Any]] = [{"$cursor": {"queryPlanner": qp, "executionStats": es_c},
                                         "nReturned": es_c["nReturned"], "executionTimeMillisEstimate": duration_ms}]
        for s in cmd["pipeline"][1:]:
            stages.append({**s, "nReturned": op.nreturned, "executionTimeMillisEstimate": duration_ms})
        return {"explainVersion": "1", "stages": stages, "command": cmd, "ok": 1.0, "synthetic": marker}
    return {"explainVersion": "2" if sbe else "1", "queryPlanner": qp, "executionStats": es, "command": cmd,
            "ok": 1.0, "synthetic": marker}


def write_sample(out_dir: str | Path, *, loads: int = 900, profile_loads: int = 80, seed: int = 7,
                 start: datetime = datetime(2025, 11, 4, 9, 0, tzinfo=timezone.utc), **workload: Any) -> dict[str, Any]:
    """Write the embedded sample files (log .gz, profile export, explain outputs, metadata).

    Parameters
    ----------
    out_dir : str or Path
        Target directory (``data/querycost``).
    loads, profile_loads : int
        Dashboard loads in the log window (one hour) and in the profile window (the 15
        minutes after it; the two sources do not overlap).
    seed : int
        Seed of the workload and the noise.
    **workload
        Passed to :func:`build_workload` (users, docs_per_user, indexes, sampled_users).

    Returns
    -------
    dict
        The metadata written to ``sample_meta.json``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sims, meta = build_workload(seed=seed, **workload)
    rng = random.Random(seed + 1)
    keys = sorted(sims)
    strategies = list(STRATEGY_MIX)
    weights = [STRATEGY_MIX[s] for s in strategies]
    users = sorted({u for _, u in keys})

    def events(n: int, t0: datetime, window_s: float):
        times = sorted(rng.uniform(0, window_s) for _ in range(n))
        conn = 1000
        cursor = 7_000_000_000
        for ts in times:
            strategy = rng.choices(strategies, weights)[0]
            user = rng.choice(users)
            conn += 1
            t = t0 + timedelta(seconds=ts)
            app = f"{SYNTHETIC_APP}/{strategy}"
            for op in sims[(strategy, user)]:
                cursor += 1
                ms = op.cost_ms(rng)
                yield t, conn, op, int(ms), app, cursor
                t += timedelta(milliseconds=ms + 0.2)

    noise_rng = random.Random(seed + 2)
    log_path = out / "sample_slow_query.log.gz"
    lines = 0
    with log_path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        head = {"t": {"$date": _iso(start)}, "s": "I", "c": "CONTROL", "id": 20000, "ctx": "initandlisten",
                "msg": "SYNTHETIC SAMPLE", "attr": {"generator": "analysis.samples.querylog", "note":
                "synthetic-workbook: dashboard queries really run on generated data (mongomock); plan figures "
                "and durations from a documented cost model; logged as if slowms=0"}}
        fh.write(orjson.dumps(head) + b"\n")
        lines += 1
        for t, conn, op, ms, app, cur in events(loads, start, 3600.0):
            if noise_rng.random() < 0.3:
                fh.write(orjson.dumps({"t": {"$date": _iso(t - timedelta(milliseconds=3))}, "s": "I", "c": "NETWORK",
                                       "id": 22943, "ctx": "listener", "msg": "Connection accepted",
                                       "attr": {"remote": f"10.0.3.{conn % 200 + 10}:{40000 + conn}",
                                                "uuid": f"{conn:08x}-0000-4000-8000-000000000000",
                                                "connectionId": conn, "connectionCount": 40 + conn % 7}}) + b"\n")
                fh.write(orjson.dumps({"t": {"$date": _iso(t - timedelta(milliseconds=2))}, "s": "I", "c": "COMMAND",
                                       "id": 51803, "ctx": f"conn{conn}", "msg": "Slow query",
                                       "attr": {"type": "command", "ns": "admin.$cmd", "appName": app,
                                                "command": {"hello": 1, "$db": "admin"}, "numYields": 0,
                                                "reslen": 313, "protocol": "op_msg", "durationMillis": 0}})
                         + b"\n")
                lines += 2
            fh.write(orjson.dumps(log_line(t, conn, op, ms, app, cur)) + b"\n")
            lines += 1
    profile_path = out / "sample_profile.json"
    n_prof = 0
    with profile_path.open("w", encoding="utf-8") as fh:
        for t, conn, op, ms, app, cur in events(profile_loads, start + timedelta(hours=1), 900.0):
            fh.write(json_util.dumps(profile_doc(t, conn, op, ms, app, cur),
                                     json_options=json_util.RELAXED_JSON_OPTIONS) + "\n")
            n_prof += 1
    explains = []
    audited = users[0]
    for strategy in strategies:
        for i, op in enumerate(o for o in sims[(strategy, audited)] if o.kind != "getMore"):
            sbe = strategy == "index_friendly" and op.kind == "aggregate"
            explains.append(explain_doc(op, int(op.cost_ms(rng)), sbe=sbe))
    explain_path = out / "sample_explain.json"
    explain_path.write_text(json_util.dumps(explains, indent=1, json_options=json_util.RELAXED_JSON_OPTIONS) + "\n",
                            encoding="utf-8")
    meta.update({"log": log_path.name, "log_lines": lines, "log_window": [_iso(start), _iso(start + timedelta(hours=1))],
                 "log_loads": loads, "profile": profile_path.name, "profile_documents": n_prof,
                 "profile_window": [_iso(start + timedelta(hours=1)), _iso(start + timedelta(hours=1, minutes=15))],
                 "profile_loads": profile_loads, "explain": explain_path.name, "explain_documents": len(explains),
                 "explain_user": audited, "synthetic": True})
    (out / "sample_meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.samples.querylog [OUT_DIR]`` regenerates the embedded sample."""
    parser = argparse.ArgumentParser(description="regenerate the synthetic query-cost sample")
    parser.add_argument("out", nargs="?", default=str(data_dir() / "querycost"))
    args = parser.parse_args(argv)
    meta = write_sample(args.out)
    print(json.dumps({k: meta[k] for k in ("log_lines", "profile_documents", "explain_documents",
                                           "collection_sizes")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
