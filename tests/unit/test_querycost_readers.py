"""Readers: each source format, kind detection, gzip, Extended JSON, and the bad-input corpus."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from bson import json_util

from analysis.errors import DataError, SourceError
from analysis.querycost.readers import ReadStats, read_records, require_usable

DATA = Path(__file__).resolve().parents[1] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad" / "querycost"


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


def test_gzip_log_equals_plain(tmp_path: Path) -> None:
    gz = tmp_path / "mongod.log.gz"
    gz.write_bytes(gzip.compress((DATA / "mongod_44.log").read_bytes()))
    plain, st1 = _read(DATA / "mongod_44.log")
    packed, st2 = _read(gz)
    assert [(r.shape, r.duration_ms) for r in plain] == [(r.shape, r.duration_ms) for r in packed]
    assert st1.files[0].reasons == st2.files[0].reasons


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


def test_explain_classic_find_and_aggregate() -> None:
    (find,), _ = _read(DATA / "explain_find_classic.json")
    assert (find.op, find.plan_summary, find.docs_examined, find.keys_examined, find.nreturned, find.duration_ms) == \
        ("find", "IXSCAN { user_id: 1 }", 1200, 1200, 5, 37.0)
    assert find.in_memory_sort and not find.collscan and find.source == "explain"
    (agg,), _ = _read(DATA / "explain_agg_classic.json")
    assert (agg.op, agg.ns, agg.plan_summary, agg.docs_examined, agg.nreturned) == \
        ("aggregate", "infra_mind.assessments", "IXSCAN { user_id: 1, created_at: -1 }", 1500, 1)
    assert agg.in_memory_sort  # $sort inside $facet
    assert agg.duration_ms == 48  # max of the $cursor time and the stage estimates


def test_explain_sbe_layout_concatenated_documents() -> None:
    recs, st = _read(DATA / "explain_sbe_two_docs.json")
    assert st.files[0].lines == 2
    find, agg = recs
    assert find.plan_summary == "IXSCAN { user_id: 1, created_at: -1 }" and not find.in_memory_sort
    assert agg.op == "aggregate" and agg.collscan and agg.in_memory_sort and agg.docs_examined == 25800


def test_explain_without_execution_stats_is_skipped() -> None:
    recs, st = _read(DATA / "explain_queryplanner_only.json")
    assert recs == [] and st.files[0].reasons == {"explain without executionStats (use explain('executionStats'))": 1}


@pytest.mark.parametrize(("name", "kind", "records", "problem"), [
    ("truncated.log.gz", "log", None, "truncated gzip"),
    ("corrupt_body.log.gz", "unreadable", 0, "corrupt gzip"),
    ("garbage.bin", "binary", 0, "binary content"),
    ("empty.log", "empty", 0, "empty file"),
    ("mongod_42_text.log", "legacy-text-log", 0, "MongoDB ≤ 4.2"),
    ("profile_cut.json", "profile", 2, "truncated export"),
    ("mongod_44_missing_fields.log", "log", 1, None),
])
def test_bad_corpus_is_counted_not_fatal(name: str, kind: str, records: int | None, problem: str | None) -> None:
    recs, st = _read(BAD / name)
    f = st.files[0]
    assert f.kind == kind
    if records is not None:
        assert f.records == records == len(recs)
    else:
        assert f.records > 0  # data before the cut is kept
    if problem:
        assert any(problem in p for p in f.problems), f.problems
    assert f.lines == f.records + f.skipped


def test_missing_fields_are_none_not_zero() -> None:
    recs, st = _read(BAD / "mongod_44_missing_fields.log")
    (r,) = recs
    assert r.docs_examined is None and r.reslen is None and r.plan_summary == "" and r.nreturned == 3
    assert st.files[0].reasons == {"missing durationMillis": 1, "slow query line without command": 1,
                                   "slow query line without attr": 1}


def test_nothing_usable_gives_one_line_error() -> None:
    st = ReadStats()
    list(read_records([BAD / "garbage.bin", BAD / "empty.log", BAD / "mongod_42_text.log"], st))
    with pytest.raises(DataError) as exc:
        require_usable(st)
    msg = str(exc.value)
    assert "\n" not in msg and "no usable slow queries in 3 file(s)" in msg and "empty file" in msg


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(read_records([tmp_path / "nope.log"]))


def test_detection_is_by_content_not_extension(tmp_path: Path) -> None:
    odd = tmp_path / "export.txt"
    shutil.copy(DATA / "profile_canonical_array.json", odd)
    recs, st = _read(odd)
    assert st.files[0].kind == "profile" and len(recs) == 3
