"""analysis.mongodb.explain: one fixture per documented explain format, each with its expected summary."""

from __future__ import annotations

import json
from pathlib import Path

import mongomock
import pytest

from analysis.errors import DataError, SourceError
from analysis.mongodb.explain import (explain_all, explain_documents, is_explain, parse_shell_output,
                                      summarize_explain)
from analysis.mongodb.queries import planned_queries

DATA = Path(__file__).resolve().parents[2] / "data" / "mongodb" / "explain"
CASES = sorted([*DATA.glob("*.json"), *DATA.glob("*.mongosh.txt")])
CASES = [p for p in CASES if not p.name.endswith(".expected.json")]

#: Every format the issue lists → the fixture(s) that hold it.
FORMATS = {
    "classic 3.6": "classic_36_find_ixscan", "classic 4.2 allPlansExecution": "classic_42_find_sort_allplans",
    "queryPlanner only": "queryplanner_only_50", "SBE queryPlan + slotBasedPlan": "sbe_60_find_ixscan",
    "8.0 EXPRESS_IXSCAN (keyPattern string)": "express_80_ixscan_id",
    "8.0 EXPRESS_CLUSTERED_IXSCAN": "express_80_clustered", "CLUSTERED_IXSCAN": "clustered_ixscan_60",
    "COUNT_SCAN": "count_scan_50", "IDHACK": "idhack_44", "DISTINCT_SCAN": "distinct_scan_70",
    "SORT_MERGE": "sort_merge_in_60", "OR": "or_ixscans_50", "SUBPLAN": "subplan_or_42",
    "SHARD_MERGE": "sharded_find_shard_merge_50", "SINGLE_SHARD": "sharded_find_single_shard_44",
    "SHARD_MERGE_SORT": "sharded_find_merge_sort_70", "sharded aggregate splitPipeline": "sharded_aggregate_split_60",
    "sharded aggregate pushed down": "sharded_aggregate_pushed_down_70", "sharded aggregate 3.6": "sharded_aggregate_36",
    "$cursor": "aggregate_cursor_group_sort_44", "$geoNearCursor": "aggregate_geonearcursor_60",
    "$lookup indexesUsed": "aggregate_lookup_indexes_used_60", "$lookup collectionScans": "aggregate_lookup_collscan_50",
    "$facet": "aggregate_facet_sort_inside_70", "SBE EQ_LOOKUP": "sbe_eq_lookup_70",
    "mongosh output": "wrapped_mongosh_70.mongosh", "Compass export": "wrapped_compass_export",
    "mongosh 2 session (prompt, '| ' continuation lines), 9.0": "recorded_mongosh_90_session.mongosh",
    "JSON array of several": "wrapped_array_of_several", "envelope": "wrapped_recorded_envelope",
    "unknown stage": "unknown_stage",
    "not MongoDB's explain (FerretDB on PostgreSQL)": "ferretdb_124_postgresql",
}


def _load(path: Path) -> tuple[list, list]:
    """(summaries, expected) of one fixture; JSON is decoded plainly (Extended JSON wrappers kept)."""
    if path.name.endswith(".mongosh.txt"):
        docs = explain_documents(parse_shell_output(path.read_text(encoding="utf-8")))
        expected = json.loads(path.with_name(path.name.replace(".mongosh.txt", ".expected.json")).read_text())
    else:
        expected = json.loads(path.read_text(encoding="utf-8"))
        docs = explain_documents(expected["input"])
    return [summarize_explain(d).to_dict() for d in docs], expected["expected"]


def test_every_listed_format_has_a_fixture() -> None:
    stems = {p.name.removesuffix(".json").removesuffix(".txt") for p in CASES}
    assert {f: s for f, s in FORMATS.items() if s not in stems} == {}


@pytest.mark.parametrize("path", CASES, ids=[p.name.split(".")[0] for p in CASES])
def test_fixture_summary(path: Path) -> None:
    got, expected = _load(path)
    assert expected, "a fixture must hold at least one explain"
    assert got == expected


def test_sharded_find_names_the_scanning_shard_and_takes_the_namespace_from_the_shards() -> None:
    doc = json.loads((DATA / "sharded_find_shard_merge_50.json").read_text())["input"]
    s = summarize_explain(doc)
    assert "namespace" not in doc["queryPlanner"] and s.ns == "shop.orders"
    assert s.collscan and s.collscan_shards == ("shard02",)
    assert [(p.shard, p.plan_summary, p.docs_examined) for p in s.shards] == [
        ("shard01", "IXSCAN { status: 1 }", 2600), ("shard02", "COLLSCAN", 40000)]


def test_express_key_pattern_string_is_kept_as_mongod_prints_it() -> None:
    doc = json.loads((DATA / "express_80_ixscan_id.json").read_text())["input"]
    assert isinstance(doc["queryPlanner"]["winningPlan"]["keyPattern"], str)
    s = summarize_explain(doc)
    assert s.plan_summary == "EXPRESS_IXSCAN { _id: 1 }" and s.indexes == ("_id_",)
    assert s.query_hash == "A300CFDE" and s.query_shape_hash.startswith("4C5B2F0E")


def test_unknown_stages_are_named_not_fatal() -> None:
    s = summarize_explain(json.loads((DATA / "unknown_stage.json").read_text())["input"])
    assert s.unknown_stages == ("VECTOR_IXSCAN_V2", "$rankFusion") and s.docs_examined == 50


@pytest.mark.parametrize("doc", [{"ok": 1, "cursor": {}}, {"stages": "nope"}, {"explainVersion": "1"}])
def test_not_an_explain(doc) -> None:
    assert not is_explain(doc) and explain_documents(doc) == []
    with pytest.raises(DataError, match="not an explain output"):
        summarize_explain(doc)


def test_unreadable_shell_output_is_one_line() -> None:
    with pytest.raises(DataError, match="mongosh output not readable") as info:
        parse_shell_output("{\n  stage: `COLLSCAN`\n}")
    assert "\n" not in str(info.value)


class _Server:
    """mongomock reads; every explain answered with a recorded reply (or refused)."""

    def __init__(self, reply=None):
        self.db, self.reply, self.commands = mongomock.MongoClient().db, reply, []

    def command(self, cmd):
        self.commands.append(cmd)
        if self.reply is None:
            raise RuntimeError("not authorized on db with mongodb://auditor:pw-77@db:27017 to execute command\nmore")
        return self.reply


def test_explain_all_sends_max_time_ms_and_summarizes() -> None:
    reply = json.loads((DATA / "recorded_mongo6_find_collscan.json").read_text())["input"]
    server = _Server(reply)
    queries = planned_queries("index_friendly", "u-1", ["a"])
    out = explain_all(server, queries, max_time_ms=1234)
    assert [e.query for e in out] == queries and all(e.summary.collscan for e in out)
    assert all(c["maxTimeMS"] == 1234 and c["explain"]["maxTimeMS"] == 1234 for c in server.commands)


def test_explain_all_failure_is_one_redacted_line_naming_the_query() -> None:
    with pytest.raises(SourceError, match="explain of index_friendly/") as info:
        explain_all(_Server(), planned_queries("index_friendly", "u-1"), max_time_ms=100)
    assert "\n" not in str(info.value) and "pw-77" not in str(info.value)
