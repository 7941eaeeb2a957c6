"""querycost.sources.indexes: exported $indexStats / getIndexes() files and the live read (privileges)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import mongomock
import pytest

from analysis.config import data_dir
from analysis.errors import DataError, SourceError
from analysis.querycost.sources.indexes import index_keys, read_files, read_live
from tests.unit.mongodb.recording import RecordingDb

SAMPLE = data_dir() / "querycost"


def test_sample_exports_keyed_by_collection() -> None:
    ev = read_files([str(SAMPLE / "sample_index_stats.json")], [str(SAMPLE / "sample_indexes.json")],
                    database="ignored")
    assert ev.synthetic and ev.as_of.isoformat() == "2025-11-04T10:15:00+00:00"
    by = {(i.ns, i.name): i for i in ev.indexes}
    assert len(by) == 14 and by[("infra_mind.assessments", "user_id_1")].ops > 0
    assert by[("infra_mind.assessments", "user_id_1_created_at_-1")].since > ev.as_of - timedelta(hours=2)  # built in the window
    assert by[("infra_mind.reports", "share_token_1")].unique and by[("infra_mind.assessments", "status_1")].hidden
    assert ("assessments", [("user_id", 1)]) in index_keys(ev)


def test_one_collection_array_and_mongosh_printed_get_indexes(tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    stats.write_text(json.dumps([{"name": "a_1", "key": {"a": 1}, "accesses": {"ops": {"$numberLong": "12"},
                                  "since": {"$date": "2025-10-01T00:00:00Z"}}}]))
    shell = tmp_path / "orders.txt"
    shell.write_text("[\n  { v: 2, key: { _id: 1 }, name: '_id_' },\n  { v: 2, key: { a: 1 }, name: 'a_1', sparse: true }\n]\n")
    ev = read_files([f"orders={stats}"], [str(shell)], database="shop")
    by = {i.name: i for i in ev.indexes}
    assert {i.ns for i in ev.indexes} == {"shop.orders"} and by["a_1"].ops == 12 and by["a_1"].sparse
    assert by["_id_"].ops is None and not ev.synthetic and ev.as_of is None


def test_mongosh_printed_index_stats_keep_their_dates(tmp_path: Path) -> None:
    """``ISODate('…')`` in shell output is a date: the window is known, so an unused verdict can be conclusive."""
    shell = tmp_path / "orders-stats.txt"
    shell.write_text("[\n  { name: 'a_1', key: { a: 1 }, host: 'db-0:27017',\n"
                     "    accesses: { ops: Long('0'), since: ISODate('2025-10-01T00:00:00.000Z') } }\n]\n")
    ev = read_files([f"orders={shell}"], [], database="shop")
    (a,) = [i for i in ev.indexes if i.name == "a_1"]
    assert a.since is not None and a.since.isoformat().startswith("2025-10-01T00:00:00") and a.ops == 0


def test_bad_export_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('"just a string"')
    with pytest.raises(DataError, match="x.json: not an index export"):
        read_files([str(bad)], [], database="d")
    with pytest.raises(SourceError, match="no such file"):
        read_files([str(tmp_path / "missing.json")], [], database="d")


class _NoIndexStats(RecordingDb):
    """A server whose user may list indexes but not read $indexStats (error code 13)."""

    def __getitem__(self, name):
        coll = super().__getitem__(name)

        def refuse(pipeline, **kwargs):
            err = RuntimeError("not authorized on infra_mind to execute command { aggregate: ... }")
            err.code = 13
            raise err
        coll.aggregate = refuse
        return coll


def test_live_without_the_privilege_gives_one_note_and_the_rest() -> None:
    db = mongomock.MongoClient().infra_mind
    db.assessments.create_index("user_id")
    ev = read_live(_NoIndexStats(db), ["assessments", "reports"], max_time_ms=900)
    assert [i.name for i in ev.indexes if i.ns == "infra_mind.assessments"] == ["_id_", "user_id_1"]
    # issue 19: one WARN line per refused read and reason, naming the collections (was one note per collection)
    (note,) = ev.notes
    assert note.startswith("WARN $indexStats not read on infra_mind.assessments, infra_mind.reports: ")
    assert "Unauthorized (13)" in note and "'indexStats' privilege" in note and "\n" not in note


def test_live_reads_stats_with_max_time() -> None:
    db = mongomock.MongoClient().infra_mind
    db.assessments.create_index("user_id")
    rec = RecordingDb(db, index_stats={"assessments": [{"name": "user_id_1", "accesses": {"ops": 3, "since": None}}]})
    ev = read_live(rec, ["assessments"], max_time_ms=900)
    assert [i.ops for i in ev.indexes if i.name == "user_id_1"] == [3]
    assert rec.calls and rec.without_max_time() == []
