"""Write notebook 01's embedded SYNTHETIC sample: a slow-query log, a profiler export, explain outputs.

The operations come from :mod:`analysis.samples.querysim` (the dashboard workload really run on
generated data in mongomock; plan figures and durations from its documented cost model). This
module only writes them in the formats mongod writes (4.4+ JSON log lines, ``system.profile``
documents as ``mongoexport`` gives them, ``explain("executionStats")`` documents) and marks them
synthetic: the first log line, every ``appName`` (``synthetic-workbook/<strategy>``) and the explain
documents' ``synthetic`` field. Regenerate with ``python -m analysis.samples.querylog [OUT_DIR]``.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import random
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from bson import json_util

from ..config import data_dir
from ..mongodb.planner import query_parts
from .querysim import AFTER_BUILD, DB_NAME, STRATEGY_MIX, SYNTHETIC_APP, SimOp, build_workload

#: The member that wrote the synthetic log (its startup lines say so) and its replica set.
MEMBER_HOST = "db-0.synthetic"
REPLICA_SET = "rs0"
#: API servers the dashboard's connections come from (the clients table of the sample).
API_HOSTS = 6
#: The replica set's secondaries, whose OplogFetcher tails this member's oplog (internal operations).
SECONDARIES = ("10.0.3.201", "10.0.3.202")
#: Minutes of the log window with a slow period (lock waits: time waiting, not working), and its factor.
SLOW_MINUTES = (20, 30)
SLOW_FACTOR = 4.0
#: Minute of the log window at which querysim.BUILT_INDEX finishes building (plans flip after it).
FLIP_MINUTE = 40
#: replanReason the server logs when a cached plan is evicted (the first executions after the build).
REPLAN_REASON = "cached plan was less efficient than expected: expected trial execution to take 102 works but it took at least 1020 works"

def _shape_key(op: SimOp) -> str:
    """The text the sample's query hashes are made from: the op's query parts (filter, sort, projection)."""
    return json.dumps(query_parts(op.kind if op.kind != "getMore" else "find", op.command).__dict__,
                      default=str, sort_keys=True)


def _hash8(*parts: str) -> str:
    return f"{zlib.crc32('|'.join(parts).encode()):08X}"


# ----------------------------------------------------------------------------- writers
def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _command_doc(op: SimOp, cursor_id: int, *, originating: bool = False) -> dict[str, Any]:
    if op.kind == "getMore" and not originating:
        return {"getMore": cursor_id, "collection": op.collection, "$db": DB_NAME}
    cmd = copy.deepcopy(op.command)
    cmd["$db"] = DB_NAME
    return cmd


def _remote(conn: int) -> str:
    return f"10.0.3.{conn % API_HOSTS + 10}:{40000 + conn}"


def log_line(t: datetime, conn: int, op: SimOp, duration_ms: int, app: str, cursor_id: int, *, wait_ms: int = 0,
             replanned: bool = False) -> dict[str, Any]:
    """One mongod "Slow query" log document for a simulated op (8.0 format: ``workingMillis``, shape hashes).

    ``wait_ms`` of the duration were spent waiting for a lock (``timeAcquiringMicros``), so
    ``workingMillis`` is the rest; ``replanned`` marks an execution whose cached plan was evicted.
    """
    ns = f"{DB_NAME}.{op.collection}"
    shape_key = _shape_key(op)
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
    if replanned:
        attr.update({"replanned": True, "replanReason": REPLAN_REASON})
    acquire = {"acquireCount": {"r": 1 + op.docs_examined // 128}}
    glob = dict(acquire, acquireWaitCount={"r": 1}, timeAcquiringMicros={"r": wait_ms * 1000}) if wait_ms else acquire
    attr.update({"numYields": op.docs_examined // 128, "nreturned": op.nreturned,
                 "planCacheShapeHash": _hash8(ns, shape_key), "queryHash": _hash8(ns, shape_key),
                 "planCacheKey": _hash8(ns, shape_key, op.plan_summary),
                 "queryShapeHash": f"{zlib.crc32(shape_key.encode()):08X}" * 8,
                 "queryFramework": "classic", "reslen": op.reslen,
                 "locks": {"FeatureCompatibilityVersion": acquire, "Global": glob},
                 "readConcern": {"level": "local", "provenance": "implicitDefault"},
                 "storage": {"data": {"bytesRead": int(op.docs_examined * op.kib_per_doc * 1024) // 8}}
                 if op.docs_examined else {},
                 "cpuNanos": int((duration_ms - wait_ms) * 900_000) + 41_000,
                 "remote": _remote(conn), "protocol": "op_msg", "planningTimeMicros": 90 + op.keys_examined // 50,
                 "workingMillis": duration_ms - wait_ms, "durationMillis": duration_ms})
    return {"t": {"$date": _iso(t)}, "s": "I", "c": "COMMAND", "id": 51803, "ctx": f"conn{conn}",
            "msg": "Slow query", "attr": attr}


def profile_doc(t: datetime, conn: int, op: SimOp, duration_ms: int, app: str, cursor_id: int, *, wait_ms: int = 0,
                replanned: bool = False) -> dict[str, Any]:
    """One ``system.profile`` document for a simulated op (as the server writes it)."""
    line = log_line(t, conn, op, duration_ms, app, cursor_id, wait_ms=wait_ms, replanned=replanned)["attr"]
    doc: dict[str, Any] = {
        "op": {"find": "query", "aggregate": "command", "getMore": "getmore"}[op.kind],
        "ns": line["ns"], "command": line["command"],
    }
    if op.kind == "getMore":
        doc["originatingCommand"] = line["originatingCommand"]
    for src, dst in (("keysExamined", "keysExamined"), ("docsExamined", "docsExamined"),
                     ("hasSortStage", "hasSortStage"), ("cursorExhausted", "cursorExhausted"),
                     ("numYields", "numYield"), ("nreturned", "nreturned"), ("queryHash", "queryHash"),
                     ("planCacheShapeHash", "planCacheShapeHash"), ("queryShapeHash", "queryShapeHash"),
                     ("planCacheKey", "planCacheKey"), ("queryFramework", "queryFramework"), ("locks", "locks"),
                     ("replanned", "replanned"), ("replanReason", "replanReason"), ("storage", "storage"),
                     ("cpuNanos", "cpuNanos"), ("planningTimeMicros", "planningTimeMicros"),
                     ("workingMillis", "workingMillis")):
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
    shape_key = _shape_key(op)  # the log's hashes, so explains join the log's plans
    qp = {"namespace": ns, "indexFilterSet": False, "queryHash": _hash8(ns, shape_key),
          "planCacheKey": _hash8(ns, shape_key, op.plan_summary),
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
        Passed to :func:`~analysis.samples.querysim.build_workload` (users, docs_per_user,
        indexes, sampled_users).

    Returns
    -------
    dict
        The metadata written to ``sample_meta.json``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sims, meta = build_workload(seed=seed, **workload)
    minute = timedelta(minutes=1)
    loads_of = _Loads(sims, random.Random(seed + 1), flip_at=start + FLIP_MINUTE * minute,
                      slow=(start + SLOW_MINUTES[0] * minute, start + SLOW_MINUTES[1] * minute))
    log_path = out / "sample_slow_query.log.gz"
    with log_path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        lines = _write_log(fh, loads_of.events(loads, start, 3600.0), start, random.Random(seed + 2))
    profile_path = out / "sample_profile.json"
    with profile_path.open("w", encoding="utf-8") as fh:
        n_prof = 0
        for t, conn, op, ms, app, cur, wait, rep in loads_of.events(profile_loads, start + timedelta(hours=1), 900.0):
            fh.write(json_util.dumps(profile_doc(t, conn, op, ms, app, cur, wait_ms=wait, replanned=rep),
                                     json_options=json_util.RELAXED_JSON_OPTIONS) + "\n")
            n_prof += 1
    audited = loads_of.users[0]
    explains = _explains(sims, audited, loads_of.rng)
    explain_path = out / "sample_explain.json"
    explain_path.write_text(json_util.dumps(explains, indent=1, json_options=json_util.RELAXED_JSON_OPTIONS) + "\n",
                            encoding="utf-8")
    meta.update({"log": log_path.name, "log_lines": lines, "log_window": [_iso(start), _iso(start + timedelta(hours=1))],
                 "log_loads": loads, "profile": profile_path.name, "profile_documents": n_prof,
                 "profile_window": [_iso(start + timedelta(hours=1)), _iso(start + timedelta(hours=1, minutes=15))],
                 "profile_loads": profile_loads, "explain": explain_path.name, "explain_documents": len(explains),
                 "explain_user": audited, "synthetic": True, "secondaries": list(SECONDARIES),
                 "slow_minutes": list(SLOW_MINUTES), "slow_factor": SLOW_FACTOR, "flip_minute": FLIP_MINUTE})
    (out / "sample_meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


#: One logged operation: (time, connection id, op, duration ms, appName, cursor id, lock wait ms, replanned).
_Event = tuple[datetime, int, SimOp, int, str, int, int, bool]


class _Loads:
    """Dashboard loads drawn from the workload: strategy by :data:`STRATEGY_MIX`, user uniformly.

    Loads from ``flip_at`` on run with the plans of the index built then (``AFTER_BUILD``
    simulations), the first executions of a changed plan marked ``replanned``; operations
    inside ``slow`` take :data:`SLOW_FACTOR` times longer, the extra time spent waiting for a lock.
    """

    def __init__(self, sims: dict[tuple[str, str], list[SimOp]], rng: random.Random, *,
                 flip_at: datetime | None = None, slow: tuple[datetime, datetime] | None = None) -> None:
        self.sims = sims
        self.rng = rng
        self.strategies = list(STRATEGY_MIX)
        self.weights = [STRATEGY_MIX[s] for s in self.strategies]
        self.users = sorted({u for s, u in sims if AFTER_BUILD not in s})
        self.flip_at, self.slow = flip_at, slow
        self.replans: dict[tuple[str, int], int] = {}

    def _ops(self, strategy: str, user: str, t: datetime) -> list[tuple[SimOp, bool]]:
        before = self.sims[(strategy, user)]
        after = self.sims.get((strategy + AFTER_BUILD, user))
        if self.flip_at is None or t < self.flip_at or after is None:
            return [(op, False) for op in before]
        out = []
        for i, (a, b) in enumerate(zip(after, before)):
            n = self.replans.get((strategy, i), 0) if a.plan_summary != b.plan_summary else 99
            self.replans[(strategy, i)] = n + 1
            out.append((a, n < 3))
        return out

    def events(self, n: int, t0: datetime, window_s: float) -> Iterator[_Event]:
        """``n`` loads at uniform times in the window, each op after the previous one ends."""
        rng = self.rng
        times = sorted(rng.uniform(0, window_s) for _ in range(n))
        conn = 1000
        cursor = 7_000_000_000
        for ts in times:
            strategy = rng.choices(self.strategies, self.weights)[0]
            user = rng.choice(self.users)
            conn += 1
            t = t0 + timedelta(seconds=ts)
            app = f"{SYNTHETIC_APP}/{strategy}"
            for op, replanned in self._ops(strategy, user, t):
                cursor += 1
                ms = op.cost_ms(rng)
                slow = self.slow is not None and self.slow[0] <= t < self.slow[1]
                total = ms * SLOW_FACTOR if slow else ms
                yield t, conn, op, int(total), app, cursor, int(total) - int(ms) if slow else 0, replanned
                t += timedelta(milliseconds=total + 0.2)


def _noise_lines(t: datetime, conn: int, app: str) -> list[dict[str, Any]]:
    """A connection accepted and a ``hello`` logged before a load (other components, non-query commands)."""
    return [{"t": {"$date": _iso(t - timedelta(milliseconds=3))}, "s": "I", "c": "NETWORK",
             "id": 22943, "ctx": "listener", "msg": "Connection accepted",
             "attr": {"remote": _remote(conn), "uuid": f"{conn:08x}-0000-4000-8000-000000000000",
                      "connectionId": conn, "connectionCount": 40 + conn % 7}},
            {"t": {"$date": _iso(t - timedelta(milliseconds=2))}, "s": "I", "c": "COMMAND",
             "id": 51803, "ctx": f"conn{conn}", "msg": "Slow query",
             "attr": {"type": "command", "ns": "admin.$cmd", "appName": app,
                      "command": {"hello": 1, "$db": "admin"}, "numYields": 0,
                      "reslen": 313, "protocol": "op_msg", "durationMillis": 0}}]


def oplog_line(t: datetime, conn: int, secondary: str, term_ts: int, n: int, wait_ms: int) -> dict[str, Any]:
    """A secondary's OplogFetcher getMore tailing this member's oplog (tailable, awaitData; a COLLSCAN by design)."""
    ts = {"$timestamp": {"t": term_ts, "i": 1}}
    origin = {"find": "oplog.rs", "filter": {"ts": {"$gte": ts}}, "tailable": True, "oplogReplay": True,
              "awaitData": True, "maxTimeMS": 60000, "batchSize": 13981010, "term": 3,
              "readConcern": {"afterClusterTime": ts}, "$db": "local"}
    return {"t": {"$date": _iso(t)}, "s": "I", "c": "COMMAND", "id": 51803, "ctx": f"conn{conn}", "msg": "Slow query",
            "attr": {"type": "command", "ns": "local.oplog.rs",
                     "command": {"getMore": 8_300_000_000 + conn, "collection": "oplog.rs", "batchSize": 13981010,
                                 "maxTimeMS": 5000, "term": 3, "lastKnownCommittedOpTime": {"ts": ts, "t": 3},
                                 "$db": "local"},
                     "originatingCommand": origin, "planSummary": "COLLSCAN", "cursorid": 8_300_000_000 + conn,
                     "keysExamined": 0, "docsExamined": n, "numYields": 0, "nreturned": n, "reslen": 220 + 310 * n,
                     "locks": {"Global": {"acquireCount": {"r": 1}}}, "readConcern": {"afterClusterTime": ts},
                     "remote": f"{secondary}:{38000 + conn}", "protocol": "op_msg",
                     "workingMillis": max(1, n // 40), "durationMillis": wait_ms + max(1, n // 40)}}


def _oplog_docs(start: datetime, window_s: float, rng: random.Random) -> list[tuple[datetime, dict[str, Any]]]:
    """Each secondary's slow oplog getMores over the window (one every ~40 s, mostly awaitData waiting)."""
    out = []
    for k, host in enumerate(SECONDARIES):
        at = rng.uniform(0, 40)
        while at < window_s:
            t = start + timedelta(seconds=at)
            out.append((t, oplog_line(t, 90 + k, host, int(t.timestamp()), rng.randint(1, 400), rng.randint(900, 5000))))
            at += rng.uniform(25, 55)
    return out


def _startup_lines(start: datetime) -> list[dict[str, Any]]:
    """What a replica-set member logs about itself: host and port, replica set name, its state (PRIMARY)."""
    t = {"$date": _iso(start)}
    return [{"t": t, "s": "I", "c": "CONTROL", "id": 4615611, "ctx": "initandlisten", "msg": "MongoDB starting",
             "attr": {"pid": 4242, "port": 27017, "dbPath": "/data/db", "architecture": "64-bit",
                      "host": MEMBER_HOST}},
            {"t": t, "s": "I", "c": "CONTROL", "id": 23403, "ctx": "initandlisten", "msg": "Build Info",
             "attr": {"buildInfo": {"version": "8.0.4"}}},
            {"t": t, "s": "I", "c": "CONTROL", "id": 21951, "ctx": "initandlisten",
             "msg": "Options set by command line",
             "attr": {"options": {"net": {"bindIp": "*", "port": 27017}, "replication": {"replSetName": REPLICA_SET}}}},
            {"t": t, "s": "I", "c": "REPL", "id": 21358, "ctx": "ReplCoord-0", "msg": "Replica set state transition",
             "attr": {"newState": "PRIMARY", "oldState": "SECONDARY"}}]


def _write_log(fh: BinaryIO, events: Iterator[_Event], start: datetime, noise_rng: random.Random) -> int:
    """Write the synthetic mongod log (marker line, noise, one line per op, oplog tailing) in time order.

    Returns the line count.
    """
    head = {"t": {"$date": _iso(start)}, "s": "I", "c": "CONTROL", "id": 20000, "ctx": "initandlisten",
            "msg": "SYNTHETIC SAMPLE", "attr": {"generator": "analysis.samples.querylog", "note":
            "synthetic-workbook: dashboard queries really run on generated data (mongomock); plan figures "
            "and durations from a documented cost model; a replica-set member (secondaries tail its oplog), "
            "an index built at minute 40, a slow period (lock waits) in minutes 20-30; logged as if slowms=0"}}
    docs: list[tuple[datetime, dict[str, Any]]] = []
    for t, conn, op, ms, app, cur, wait, replanned in events:
        if noise_rng.random() < 0.3:
            docs += [(t, d) for d in _noise_lines(t, conn, app)]
        docs.append((t, log_line(t, conn, op, ms, app, cur, wait_ms=wait, replanned=replanned)))
    docs += _oplog_docs(start, 3600.0, noise_rng)
    docs.sort(key=lambda td: td[1]["t"]["$date"])
    docs[:0] = [(start, d) for d in _startup_lines(start)]
    fh.write(orjson.dumps(head) + b"\n")
    fh.writelines(orjson.dumps(d) + b"\n" for _, d in docs)
    return 1 + len(docs)


def _explains(sims: dict[tuple[str, str], list[SimOp]], audited: str, rng: random.Random) -> list[dict[str, Any]]:
    """One explain per command of the audited user's load, per strategy (SBE for index_friendly aggregates)."""
    explains = []
    for strategy in STRATEGY_MIX:
        for op in (o for o in sims[(strategy, audited)] if o.kind != "getMore"):
            sbe = strategy == "index_friendly" and op.kind == "aggregate"
            explains.append(explain_doc(op, int(op.cost_ms(rng)), sbe=sbe))
    return explains


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
