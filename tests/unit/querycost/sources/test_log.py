"""mongod 4.4+ JSON log lines: records, skip reasons, missing fields."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.querycost.records import ReadStats
from analysis.querycost.sources.files import read_records

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[3] / "data" / "bad" / "querycost"


def _read(*paths: Path):
    st = ReadStats()
    return list(read_records(list(paths), st)), st


def test_log_records_and_skip_reasons() -> None:
    recs, st = _read(DATA / "mongod_44.log")
    f = st.files[0]
    assert f.kind == "log"
    assert (f.lines, f.records, f.skipped) == (18, 9, 9)
    assert f.reasons == {"other log message": 3, "not a JSON log line": 2, "write batch (statements are counted)": 1,
                         "non-query command: insert": 1, "non-query command: hello": 1,
                         "non-query command: createIndexes": 1}
    ops = sorted(r.op for r in recs)
    assert ops == ["aggregate", "count", "delete", "distinct", "find", "find", "find", "getMore", "update"]
    first = recs[0]
    # oracle: the raw line decoded by the stdlib
    raw = json.loads((DATA / "mongod_44.log").read_text().splitlines()[2])["attr"]
    assert (first.ns, first.duration_ms, first.docs_examined, first.nreturned, first.reslen, first.query_hash) == \
        (raw["ns"], raw["durationMillis"], raw["docsExamined"], raw["nreturned"], raw["reslen"], raw["queryHash"])
    assert first.collscan and first.timestamp.isoformat() == "2025-11-04T09:00:01.120000+00:00"
    getmore = next(r for r in recs if r.op == "getMore")
    assert getmore.shape == first.shape  # shaped by its originating command
    agg = next(r for r in recs if r.op == "aggregate")
    assert agg.in_memory_sort and not agg.collscan  # $sort inside $facet
    sort_find = next(r for r in recs if r.op == "find" and "sort" in r.shape)
    assert sort_find.in_memory_sort  # hasSortStage
    upd = next(r for r in recs if r.op == "update")
    assert upd.shape == "{_id: ?} u {$set: {status: ?, updated_at: ?}}" and upd.nreturned is None


def test_missing_fields_are_none_not_zero() -> None:
    recs, st = _read(BAD / "mongod_44_missing_fields.log")
    (r,) = recs
    assert r.docs_examined is None and r.reslen is None and r.plan_summary == "" and r.nreturned == 3
    assert st.files[0].reasons == {"missing durationMillis": 1, "slow query line without command": 1,
                                   "slow query line without attr": 1}
