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
from .querysim import DB_NAME, STRATEGY_MIX, SYNTHETIC_APP, SimOp, build_workload

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
    loads_of = _Loads(sims, random.Random(seed + 1))
    log_path = out / "sample_slow_query.log.gz"
    with log_path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        lines = _write_log(fh, loads_of.events(loads, start, 3600.0), start, random.Random(seed + 2))
    profile_path = out / "sample_profile.json"
    with profile_path.open("w", encoding="utf-8") as fh:
        n_prof = 0
        for t, conn, op, ms, app, cur in loads_of.events(profile_loads, start + timedelta(hours=1), 900.0):
            fh.write(json_util.dumps(profile_doc(t, conn, op, ms, app, cur),
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
                 "explain_user": audited, "synthetic": True})
    (out / "sample_meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


#: One logged operation: (time, connection id, op, duration ms, appName, cursor id).
_Event = tuple[datetime, int, SimOp, int, str, int]


class _Loads:
    """Dashboard loads drawn from the workload: strategy by :data:`STRATEGY_MIX`, user uniformly."""

    def __init__(self, sims: dict[tuple[str, str], list[SimOp]], rng: random.Random) -> None:
        self.sims = sims
        self.rng = rng
        self.strategies = list(STRATEGY_MIX)
        self.weights = [STRATEGY_MIX[s] for s in self.strategies]
        self.users = sorted({u for _, u in sims})

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
            for op in self.sims[(strategy, user)]:
                cursor += 1
                ms = op.cost_ms(rng)
                yield t, conn, op, int(ms), app, cursor
                t += timedelta(milliseconds=ms + 0.2)


def _noise_lines(t: datetime, conn: int, app: str) -> list[dict[str, Any]]:
    """A connection accepted and a ``hello`` logged before a load (other components, non-query commands)."""
    return [{"t": {"$date": _iso(t - timedelta(milliseconds=3))}, "s": "I", "c": "NETWORK",
             "id": 22943, "ctx": "listener", "msg": "Connection accepted",
             "attr": {"remote": f"10.0.3.{conn % 200 + 10}:{40000 + conn}",
                      "uuid": f"{conn:08x}-0000-4000-8000-000000000000",
                      "connectionId": conn, "connectionCount": 40 + conn % 7}},
            {"t": {"$date": _iso(t - timedelta(milliseconds=2))}, "s": "I", "c": "COMMAND",
             "id": 51803, "ctx": f"conn{conn}", "msg": "Slow query",
             "attr": {"type": "command", "ns": "admin.$cmd", "appName": app,
                      "command": {"hello": 1, "$db": "admin"}, "numYields": 0,
                      "reslen": 313, "protocol": "op_msg", "durationMillis": 0}}]


def _write_log(fh: BinaryIO, events: Iterator[_Event], start: datetime, noise_rng: random.Random) -> int:
    """Write the synthetic mongod log (marker line, noise, one line per op); return the line count."""
    head = {"t": {"$date": _iso(start)}, "s": "I", "c": "CONTROL", "id": 20000, "ctx": "initandlisten",
            "msg": "SYNTHETIC SAMPLE", "attr": {"generator": "analysis.samples.querylog", "note":
            "synthetic-workbook: dashboard queries really run on generated data (mongomock); plan figures "
            "and durations from a documented cost model; logged as if slowms=0"}}
    fh.write(orjson.dumps(head) + b"\n")
    lines = 1
    for t, conn, op, ms, app, cur in events:
        if noise_rng.random() < 0.3:
            for doc in _noise_lines(t, conn, app):
                fh.write(orjson.dumps(doc) + b"\n")
            lines += 2
        fh.write(orjson.dumps(log_line(t, conn, op, ms, app, cur)) + b"\n")
        lines += 1
    return lines


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
