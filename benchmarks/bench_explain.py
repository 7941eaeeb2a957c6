"""Explain summarizing throughput and index-hygiene time, each beside a bare reference measured in the same run.

* explain: every explain fixture of ``tests/data/mongodb/explain`` (classic / SBE / sharded /
  pipeline layouts, MongoDB 3.6 → 8.0) cycled to :data:`DOCS` documents, decoded once; timed:
  :func:`analysis.mongodb.explain.summarize_explain` over all of them, beside ``json.loads`` of
  the same documents' JSON text (what reading them from a file costs at least) — target
  ≥ 5,000 documents/s;
* index hygiene: :data:`INDEXES` indexes over 50 collections (prefix chains, options, usage
  statistics) and a 2,000-shape digest; timed: :func:`analysis.querycost.hygiene.index_hygiene`
  (redundancy is pairwise per collection) — target ≤ 1 s.

Best of 3 each (``time.perf_counter``).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from analysis.mongodb.explain import explain_documents, summarize_explain
from analysis.querycost.hygiene import index_hygiene, index_info, merge_usage

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "mongodb" / "explain"
DOCS = 20_000
INDEXES = 500
EXPLAIN_TARGET_PER_S = 5_000
HYGIENE_TARGET_S = 1.0


def _best(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _explains() -> list:
    base = [d for p in sorted(FIXTURES.glob("*.json")) if not p.name.endswith(".expected.json")
            for d in explain_documents(json.loads(p.read_text())["input"])]
    return [base[i % len(base)] for i in range(DOCS)]


def _indexes():
    now = datetime(2025, 11, 4, tzinfo=timezone.utc)
    defs, stats = [], []
    for i in range(INDEXES):
        ns = f"db.c{i % 50}"
        width = 1 + i % 4
        keys = {f"f{(i // 200 + k) % 6}": (1 if k % 2 == 0 else -1) for k in range(width)}  # prefix chains
        opts = {"unique": True} if i % 17 == 0 else ({"sparse": True} if i % 13 == 0 else {})
        defs.append(index_info(ns, {"name": f"ix{i}", "key": keys, **opts}))
        stats.append((ns, {"name": f"ix{i}", "accesses": {"ops": 0 if i % 3 else i, "since": now - timedelta(days=9)}}))
    digest = pd.DataFrame({"ns": [f"db.c{i % 50}" for i in range(2000)],
                           "plan_summary": [f"IXSCAN {{ f{i % 6}: 1 }}" for i in range(2000)],
                           "count": [1 + i % 7 for i in range(2000)]})
    return merge_usage(defs, stats), digest, now


def main() -> dict:
    docs = _explains()
    t_parse = _best(lambda: [summarize_explain(d) for d in docs])
    texts = [json.dumps(d) for d in docs]
    t_json = _best(lambda: [json.loads(t) for t in texts])
    indexes, digest, now = _indexes()
    t_hyg = _best(lambda: index_hygiene(indexes, digest, as_of=now))
    table = index_hygiene(indexes, digest, as_of=now)
    out = {
        "explain_documents": len(docs), "explain_s": round(t_parse, 3), "explain_docs_per_s": round(len(docs) / t_parse),
        "json_loads_s": round(t_json, 3), "ratio_explain_vs_json_loads": round(t_json / t_parse, 2),
        "explain_target_met": len(docs) / t_parse >= EXPLAIN_TARGET_PER_S,
        "hygiene_indexes": len(indexes), "hygiene_s": round(t_hyg, 3), "hygiene_target_met": t_hyg <= HYGIENE_TARGET_S,
        "hygiene_redundant": int(table["verdict"].str.startswith("REDUNDANT").sum()),
        "hygiene_unused": int((table["verdict"] == "UNUSED").sum()),
    }
    print(f"explain: {len(docs):,} documents ({len(set(map(id, docs)))} distinct) summarized in {t_parse:.3f} s = "
          f"{out['explain_docs_per_s']:,} docs/s (target ≥ {EXPLAIN_TARGET_PER_S:,}); json.loads of the same "
          f"documents {t_json:.3f} s (ratio json.loads / summarize {out['ratio_explain_vs_json_loads']:.2f}×)")
    print(f"index hygiene: {len(indexes)} indexes, {len(digest):,}-shape digest in {t_hyg:.3f} s "
          f"(target ≤ {HYGIENE_TARGET_S:g} s); {out['hygiene_redundant']} redundant, {out['hygiene_unused']} unused")
    return out


if __name__ == "__main__":
    main()
