"""Index definitions and ``$indexStats`` of notebook 01's SYNTHETIC server, consistent with its workload.

The simulated server (:mod:`analysis.samples.querysim`) plans the dashboard queries over its
stated index set (``sample_meta.json``: ``indexes``). This module exports that set as
``getIndexes()`` would, plus indexes the workload never uses (so index hygiene has something
to find), and ``$indexStats`` whose counts follow the sample:

* ``accesses.since`` — the server started :data:`UPTIME_DAYS` days before the log window;
  the statistics are read at the end of the profile window (``exported_at``);
* ``accesses.ops`` — the commands of the sample's log and profile windows whose plan summary
  names the index, extrapolated at the same rate over the whole uptime; 0 for every index
  no simulated plan uses. The index the workload builds during the log window (``built_index``,
  at ``flip_minute``) counts from its build: ``since`` is the build time and ``ops`` what the
  windows ran on it after that, not extrapolated.

The extra indexes (:data:`EXTRA_INDEXES`): ``assessments {created_at: -1}`` (no dashboard query
can use it), a hidden ``assessments {status: 1}``, ``reports {status: 1}`` (a prefix of
``{status: 1, report_type: 1}``), ``reports {report_type: 1}`` with a case-insensitive
collation beside ``{report_type: 1, status: 1}`` (not redundant: the collations differ), a TTL
``reports {created_at: 1}`` and a unique sparse ``reports {share_token: 1}``. No dashboard query's
equality field leads any of them, so the simulated plans stay what they were.
Regenerate with ``python -m analysis.samples.indexstats [DATA_DIR]`` after ``analysis.samples.querylog``.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from bson import json_util

from ..config import data_dir
from ..mongodb.planner import format_index
from .querysim import DB_NAME

UPTIME_DAYS = 9
HOST = "mongo-0.synthetic.invalid:27017"
MARK = "SYNTHETIC: analysis.samples.indexstats (index set of the simulated server; ops from the sample's workload)"
#: (collection, keys, options) the workload never uses.
EXTRA_INDEXES: list[tuple[str, list[tuple[str, int]], dict[str, Any]]] = [
    ("assessments", [("created_at", -1)], {}),
    ("assessments", [("status", 1)], {"hidden": True}),
    ("reports", [("status", 1)], {}),
    ("reports", [("status", 1), ("report_type", 1)], {}),
    ("reports", [("report_type", 1)], {"collation": {"locale": "en", "strength": 2}}),
    ("reports", [("report_type", 1), ("status", 1)], {}),
    ("reports", [("created_at", 1)], {"expireAfterSeconds": 31_536_000}),
    ("reports", [("share_token", 1)], {"unique": True, "sparse": True}),
]


def _name(keys: Sequence[tuple[str, int]]) -> str:
    return "_".join(f"{f}_{d}" for f, d in keys)


def plan_counts(log_lines: Iterable[bytes], profile_docs: Iterable[dict[str, Any]]) -> Counter:
    """Commands (getMores left out) per (namespace, plan summary) in the sample's log and profile."""
    counts: Counter = Counter()
    for line in log_lines:
        doc = orjson.loads(line)
        attr = doc.get("attr") or {}
        if doc.get("msg") == "Slow query" and next(iter(attr.get("command") or {}), "") in ("find", "aggregate"):
            counts[(attr.get("ns"), attr.get("planSummary"))] += 1
    for doc in profile_docs:
        if doc.get("op") in ("query", "command") and doc.get("planSummary"):
            counts[(doc.get("ns"), doc.get("planSummary"))] += 1
    return counts


def index_exports(meta: dict[str, Any], counts: Counter) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(getIndexes export, $indexStats export)`` documents keyed by collection (see the module text)."""
    start = datetime.fromisoformat(meta["log_window"][0])
    exported = datetime.fromisoformat(meta["profile_window"][1])
    since = start - timedelta(days=UPTIME_DAYS)
    window_h = (exported - start).total_seconds() / 3600.0
    uptime_h = (exported - since).total_seconds() / 3600.0
    sets: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {c: [([("_id", 1)], {})]
                                                                            for c in meta["collection_sizes"]}
    for coll, keys in meta["indexes"]:
        sets[coll].append(([(f, int(d)) for f, d in keys], {}))
    for coll, keys, opts in EXTRA_INDEXES:
        sets[coll].append((keys, opts))
    built: dict[tuple[str, str], datetime] = {}
    if meta.get("built_index"):
        coll, keys = meta["built_index"]
        sets[coll].append(([(f, int(d)) for f, d in keys], {}))
        built[(coll, _name(keys))] = start + timedelta(minutes=meta.get("flip_minute", 0))
    defs: dict[str, Any] = {"synthetic": MARK, "database": DB_NAME, "exported_at": exported}
    stats: dict[str, Any] = dict(defs)
    for coll, entries in sets.items():
        specs = [{"v": 2, "key": dict(keys), "name": "_id_" if keys == [("_id", 1)] else _name(keys), **opts}
                 for keys, opts in entries]
        defs[coll] = specs
        stats[coll] = [{"name": s["name"], "key": s["key"], "host": HOST,
                        "accesses": _accesses(counts, coll, s, built.get((coll, s["name"])), since,
                                              uptime_h / window_h), "spec": s}
                       for s in specs]
    return defs, stats


def _accesses(counts: Counter, coll: str, spec: dict[str, Any], built_at: datetime | None, since: datetime,
              scale: float) -> dict[str, Any]:
    """``accesses`` of one index: the windows' commands on it (scaled to the uptime unless built in the window)."""
    plan = f"IXSCAN {format_index(list(spec['key'].items()))}"
    n = 0 if spec["name"] == "_id_" else sum(c for (ns, p), c in counts.items() if ns == f"{DB_NAME}.{coll}" and p == plan)
    if built_at is not None:
        return {"ops": n, "since": built_at}
    return {"ops": round(n * scale), "since": since}


def write_index_sample(out_dir: str | Path) -> dict[str, Any]:
    """Write ``sample_indexes.json`` and ``sample_index_stats.json`` next to the sample (see the module text).

    Returns
    -------
    dict
        Per file name, the number of indexes written.
    """
    out = Path(out_dir)
    meta = json.loads((out / "sample_meta.json").read_text(encoding="utf-8"))
    with gzip.open(out / meta["log"], "rb") as fh:
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
    profile = [json_util.loads(ln) for ln in (out / meta["profile"]).read_text(encoding="utf-8").splitlines() if ln]
    defs, stats = index_exports(meta, plan_counts(lines, profile))
    written = {}
    for name, doc in (("sample_indexes.json", defs), ("sample_index_stats.json", stats)):
        (out / name).write_text(json_util.dumps(doc, indent=1, json_options=json_util.RELAXED_JSON_OPTIONS) + "\n",
                                encoding="utf-8")
        written[name] = sum(len(v) for v in doc.values() if isinstance(v, list))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.samples.indexstats [DATA_DIR]`` regenerates the index exports of the sample."""
    parser = argparse.ArgumentParser(description="regenerate the synthetic index exports of the query-cost sample")
    parser.add_argument("out", nargs="?", default=str(data_dir() / "querycost"))
    print(json.dumps(write_index_sample(parser.parse_args(argv).out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
