"""explain('executionStats') outputs: classic and SBE layouts, find and aggregate."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.querycost.records import ReadStats
from analysis.querycost.sources.files import read_records

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"


def _read(*paths: Path):
    st = ReadStats()
    return list(read_records(list(paths), st)), st


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


FORMATS = Path(__file__).resolve().parents[3] / "data" / "mongodb" / "explain"


def test_mongosh_printed_output_is_read_by_content() -> None:
    (rec,), st = _read(FORMATS / "wrapped_mongosh_70.mongosh.txt")
    assert st.files[0].kind == "explain" and st.files[0].lines == 1
    assert (rec.ns, rec.plan_summary, rec.docs_examined, rec.duration_ms) == \
        ("shop.orders", "IXSCAN { customer_id: 1, created_at: -1 }", 12, 2.0)


def test_sharded_explains_keep_their_namespace_and_scans() -> None:
    recs, _ = _read(FORMATS / "sharded_find_shard_merge_50.json", FORMATS / "sharded_aggregate_split_60.json")
    assert [(r.ns, r.op, r.collscan) for r in recs] == [("shop.orders", "find", True), ("shop.orders", "aggregate", True)]


def test_unknown_stage_is_a_named_problem_of_the_file() -> None:
    (rec,), st = _read(FORMATS / "unknown_stage.json")
    assert rec.docs_examined == 50
    assert st.problems == ["unknown_stage.json: unknown explain stage 'VECTOR_IXSCAN_V2' (summarized without it)",
                           "unknown_stage.json: unknown explain stage '$rankFusion' (summarized without it)"]


def test_an_array_of_several_explains_gives_one_row_each() -> None:
    recs, st = _read(FORMATS / "wrapped_compass_export.json")
    assert [r.op for r in recs] == ["find", "count"] and st.files[0].lines == st.files[0].records == 2


def test_explain_rows_carry_the_plan_cache_key_so_they_join_the_logs_plans(tmp_path: Path) -> None:
    doc = {"queryPlanner": {"namespace": "shop.orders", "queryHash": "2A227B45", "planCacheKey": "DDA6CEDD",
                            "winningPlan": {"stage": "FETCH", "inputStage": {"stage": "IXSCAN", "keyPattern": {"a": 1},
                                                                             "indexName": "a_1"}}},
           "executionStats": {"nReturned": 1, "executionTimeMillis": 2, "totalKeysExamined": 1,
                              "totalDocsExamined": 1},
           "command": {"find": "orders", "filter": {"a": 1}, "$db": "shop"}, "queryShapeHash": "AB" * 32}
    path = tmp_path / "explain.json"
    path.write_text(json.dumps(doc))
    (rec,), _ = _read(path)
    assert (rec.query_hash, rec.plan_cache_key, rec.shape_hash) == ("2A227B45", "DDA6CEDD", "AB" * 32)


def test_a_compass_explain_with_a_string_timestamp_is_read() -> None:
    """Issue 19's report: an 8.0 EXPRESS_IXSCAN explain saved from Compass, ``$clusterTime`` holding
    ``{"$timestamp": "7397118085368381441"}`` (a string), was refused whole. The fixture is the 8.0 express
    fixture of tests/data/mongodb/explain with the envelope fields Compass saves (the reported value)."""
    recs, st = _read(DATA / "explain_compass_80_string_timestamp.json")
    (rec,) = recs
    assert st.files[0].kind == "explain" and st.skipped == 0
    assert rec.plan_summary == "EXPRESS_IXSCAN { _id: 1 }" and rec.keys_examined == 1
