"""Profiler exports: relaxed JSON lines and a canonical array agree (oracle: bson.json_util)."""

from __future__ import annotations

from pathlib import Path

from bson import json_util

from analysis.querycost.records import ReadStats
from analysis.querycost.sources.files import read_records

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"


def _read(*paths: Path):
    st = ReadStats()
    return list(read_records(list(paths), st)), st


def test_profile_relaxed_lines_and_canonical_array_agree() -> None:
    relaxed, st1 = _read(DATA / "profile_relaxed.jsonl")
    canonical, st2 = _read(DATA / "profile_canonical_array.json")
    assert st1.files[0].kind == st2.files[0].kind == "profile"
    assert st1.files[0].reasons == {"non-query command: insert": 1, "non-query command: serverStatus": 1, "not JSON": 1}
    assert len(canonical) == 3 and not st2.skipped
    key = lambda r: (r.ns, r.op, r.shape, r.plan_summary, r.duration_ms, r.docs_examined, r.nreturned, r.reslen,
                     r.collscan, r.in_memory_sort, r.timestamp)  # noqa: E731
    assert [key(r) for r in canonical] == [key(r) for r in relaxed[:3]]
    # oracle: pymongo's Extended JSON decoder
    docs = json_util.loads((DATA / "profile_canonical_array.json").read_text(),
                           json_options=json_util.JSONOptions(tz_aware=True))
    assert [r.duration_ms for r in canonical] == [d["millis"] for d in docs]
    assert [r.timestamp for r in canonical] == [d["ts"] for d in docs]
    gm = next(r for r in relaxed if r.op == "getMore")
    assert gm.shape == "{user_id: ?}" and gm.collscan
