"""The stage names explain output uses, MongoDB 3.6 → 8.0 (what is known, what reads, what sorts).

Plan stages are the classic query-solution names (``queryPlanner.winningPlan``, the SBE
``queryPlan`` and mongos' sharded wrappers); aggregation stages are the ``stages[]`` names.
A name in neither list is reported as unknown by the parser (never a crash, never a
silent skip). Lower-case names are slot-based execution internals (``executionStages``
of an SBE plan): they are not classified.
"""

from __future__ import annotations

#: Access stages printed bare in a plan summary (mongod's ``planSummary``).
BARE_ACCESS = frozenset({"COLLSCAN", "IDHACK", "EOF", "CLUSTERED_IXSCAN", "EXPRESS_CLUSTERED_IXSCAN",
                         "EXPRESS_UPDATE", "EXPRESS_DELETE", "VIRTUAL_SCAN", "RECORD_STORE_FAST_COUNT",
                         "MULTI_ITERATOR", "SAMPLE_FROM_TIMESERIES_BUCKET"})
#: Access stages printed with their key pattern (``IXSCAN { a: 1 }``).
KEYED_ACCESS = frozenset({"IXSCAN", "COUNT_SCAN", "DISTINCT_SCAN", "EXPRESS_IXSCAN", "GEO_NEAR_2D",
                          "GEO_NEAR_2DSPHERE"})
#: Blocking in-memory sorts of the query layer (SORT_MERGE merges sorted inputs: not blocking).
SORT_STAGES = frozenset({"SORT", "SORT_SIMPLE", "SORT_DEFAULT"})
#: Stages that read whole documents (a plan with one of them is not covered).
DOCUMENT_STAGES = frozenset({"FETCH", "COLLSCAN", "IDHACK", "CLUSTERED_IXSCAN", "EXPRESS_IXSCAN",
                             "EXPRESS_CLUSTERED_IXSCAN", "TEXT_MATCH", "GEO_NEAR_2D", "GEO_NEAR_2DSPHERE"})
#: mongos' stages of a sharded find.
SHARD_STAGES = frozenset({"SHARD_MERGE", "SINGLE_SHARD", "SHARD_MERGE_SORT", "SHARD_WRITE"})
#: Every other documented plan stage.
OTHER_PLAN_STAGES = frozenset({
    "AND_HASH", "AND_SORTED", "BATCHED_DELETE", "CACHED_PLAN", "COUNT", "DELETE", "ENSURE_SORTED", "EQ_LOOKUP",
    "EQ_LOOKUP_UNWIND", "FETCH", "GROUP", "KEEP_MUTATIONS", "LIMIT", "MATCH", "MOCK", "MULTI_PLAN", "OR",
    "PROJECTION", "PROJECTION_COVERED", "PROJECTION_DEFAULT", "PROJECTION_SIMPLE", "QUEUED_DATA",
    "REPLACE_ROOT", "RETURN_KEY", "SEARCH", "SENTINEL", "SHARDING_FILTER", "SKIP", "SORT_KEY_GENERATOR",
    "SORT_MERGE", "SPOOL", "SUBPLAN", "TEXT", "TEXT_MATCH", "TEXT_OR", "TIMESERIES_MODIFY", "TS_MODIFY",
    "TRIAL", "UNPACK_SAMPLED_TS_BUCKET", "UNPACK_TIMESERIES_BUCKET", "UNPACK_TS_BUCKET", "UNWIND", "UPDATE",
    "UPSERT", "WINDOW",
})
PLAN_STAGES = BARE_ACCESS | KEYED_ACCESS | SORT_STAGES | SHARD_STAGES | OTHER_PLAN_STAGES

#: Aggregation stages (the documented list plus the names only explain shows).
PIPELINE_STAGES = frozenset({
    "$addFields", "$bucket", "$bucketAuto", "$changeStream", "$changeStreamSplitLargeEvent", "$collStats",
    "$count", "$currentOp", "$densify", "$documents", "$facet", "$fill", "$geoNear", "$graphLookup", "$group",
    "$indexStats", "$limit", "$listLocalSessions", "$listSampledQueries", "$listSearchIndexes", "$listSessions",
    "$lookup", "$match", "$merge", "$out", "$planCacheStats", "$project", "$querySettings", "$queryStats",
    "$redact", "$replaceRoot", "$replaceWith", "$sample", "$search", "$searchMeta", "$set", "$setWindowFields",
    "$shardedDataDistribution", "$skip", "$sort", "$sortByCount", "$unionWith", "$unset", "$unwind",
    "$vectorSearch",
    # explain-only names
    "$cursor", "$geoNearCursor", "$mergeCursors",
})
#: Stages whose body is a query-layer explain (queryPlanner / executionStats).
CURSOR_STAGES = frozenset({"$cursor", "$geoNearCursor"})
#: $lookup strategies of an SBE ``EQ_LOOKUP`` that read the whole foreign collection.
SCANNING_JOINS = frozenset({"NestedLoopJoin", "HashJoin"})


def known_plan_stage(name: str) -> bool:
    """Whether a plan stage name is documented (``EXPRESS_*`` included; SBE lower-case names pass)."""
    return name in PLAN_STAGES or name.startswith("EXPRESS_") or not name.isupper()


def known_pipeline_stage(name: str) -> bool:
    """Whether an aggregation stage name is documented (``$_internal*`` stages pass)."""
    return name in PIPELINE_STAGES or name.startswith("$_internal")
