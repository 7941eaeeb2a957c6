"""Explains of a sharded cluster (mongos): finds (``SHARD_MERGE`` …) and aggregates (``shards.<name>``).

Each shard's part is summarized like a one-server explain (:mod:`.single`) and kept as a
:class:`~.summary.ShardPlan`: which index it used, what it examined, and whether it scanned
its whole collection (a COLLSCAN on any shard makes the operation a COLLSCAN, and
:attr:`~.summary.ExplainSummary.collscan_shards` names the shards).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..pipesort import facet_sort, pipeline_sorts
from .plan import count, number
from .single import pipeline_stage_name, summarize_pipeline, summarize_query
from .summary import ExplainSummary, ShardPlan, op_name, slowest, total, unique, verbosity_of
from .vocabulary import known_pipeline_stage, known_plan_stage


def _shard_plan(name: str, s: ExplainSummary) -> ShardPlan:
    return ShardPlan(name, s.plan_summary, s.indexes, s.collscan, s.docs_examined, s.keys_examined, s.n_returned,
                     s.duration_ms)


def _combined(doc: Mapping[str, Any], parts: Sequence[tuple[str, ExplainSummary]], **fields: Any) -> ExplainSummary:
    """The cluster-wide summary of the shards' summaries; ``fields`` override the combined values."""
    subs = [s for _, s in parts]
    first = subs[0] if subs else None
    command = doc.get("command")
    base: dict[str, Any] = dict(
        ns=next((s.ns for s in subs if s.ns), ""), op=op_name(command, first.op if first else "find"),
        framework="+".join(sorted({s.framework for s in subs})) or "classic",
        explain_version=str(doc.get("explainVersion", "")),
        server_version=str((doc.get("serverInfo") or {}).get("version", "")) or (first.server_version if first else ""),
        verbosity=first.verbosity if first else "queryPlanner",
        stages=unique([st for s in subs for st in s.stages]), plan_summary=", ".join(unique([s.plan_summary for s in subs])),
        shards=tuple(_shard_plan(n, s) for n, s in parts), indexes=unique([i for s in subs for i in s.indexes]),
        docs_examined=total([s.docs_examined for s in subs]), keys_examined=total([s.keys_examined for s in subs]),
        n_returned=total([s.n_returned for s in subs]), duration_ms=slowest([s.duration_ms for s in subs]),
        collscan=any(s.collscan for s in subs), in_memory_sort=any(s.in_memory_sort for s in subs),
        pipeline_sort=any(s.pipeline_sort for s in subs),
        pipeline_sort_input=total([s.pipeline_sort_input for s in subs]),
        covered=bool(subs) and all(s.covered for s in subs), query_hash=first.query_hash if first else "",
        plan_cache_key=first.plan_cache_key if first else "", query_shape_hash=str(doc.get("queryShapeHash") or ""),
        unknown_stages=unique([u for s in subs for u in s.unknown_stages]),
        command=command if isinstance(command, Mapping) else None, parsed_query=first.parsed_query if first else None)
    base.update(fields)
    return ExplainSummary(**base)


def summarize_sharded_find(doc: Mapping[str, Any], qp: Mapping[str, Any]) -> ExplainSummary:
    """Summarize a sharded find / count / distinct explained through mongos.

    Parameters
    ----------
    doc : mapping
        The explain document.
    qp : mapping
        Its ``queryPlanner`` (``winningPlan.stage`` SHARD_MERGE, SINGLE_SHARD or SHARD_MERGE_SORT).

    Returns
    -------
    ExplainSummary
        Totals from mongos' ``executionStats`` (else summed over the shards); namespace, hashes
        and the plan summary from the shard plans.
    """
    wp = qp["winningPlan"]
    top = str(wp.get("stage", ""))
    es = doc.get("executionStats") if isinstance(doc.get("executionStats"), Mapping) else {}
    executed = {str(s.get("shardName")): s for s in (es.get("executionStages") or {}).get("shards") or []
                if isinstance(s, Mapping)}
    parts = []
    for sp in (s for s in wp.get("shards") or [] if isinstance(s, Mapping)):
        name = str(sp.get("shardName", "?"))
        sub = {"explainVersion": sp.get("explainVersion", doc.get("explainVersion", "")),
               "serverInfo": sp.get("serverInfo") or {}}
        parts.append((name, summarize_query(sub, sp, executed.get(name))))
    combined = _combined(doc, parts)
    docs, keys = count(es.get("totalDocsExamined")), count(es.get("totalKeysExamined"))
    return _combined(
        doc, parts, stages=(top, *combined.stages), verbosity=verbosity_of(es) if es else combined.verbosity,
        docs_examined=combined.docs_examined if docs is None else docs,
        keys_examined=combined.keys_examined if keys is None else keys,
        n_returned=count(es.get("nReturned")) if "nReturned" in es else combined.n_returned,
        duration_ms=number(es.get("executionTimeMillis")) if "executionTimeMillis" in es else combined.duration_ms,
        unknown_stages=unique([*([] if known_plan_stage(top) else [top]), *combined.unknown_stages]))


def summarize_sharded_aggregate(doc: Mapping[str, Any]) -> ExplainSummary:
    """Summarize a sharded aggregate (``shards.<name>`` explains, ``splitPipeline``).

    Parameters
    ----------
    doc : mapping
        The explain document.

    Returns
    -------
    ExplainSummary
        Totals summed over the shards, the duration of the slowest one; documents returned
        only when nothing but ``$mergeCursors`` runs on the merger (else None: a merger
        stage changes the count and explain does not report it).
    """
    parts = []
    for name, sub in doc["shards"].items():
        if isinstance(sub, Mapping):
            s = summarize_pipeline(sub) if isinstance(sub.get("stages"), list) else \
                summarize_query(sub, sub.get("queryPlanner") or {}, sub.get("executionStats"))
            parts.append((str(name), s))
    split = doc.get("splitPipeline") if isinstance(doc.get("splitPipeline"), Mapping) else {}
    merger = [s for s in split.get("mergerPart") or [] if isinstance(s, Mapping)]
    names = [pipeline_stage_name(s) for s in merger]
    combined = _combined(doc, parts)
    shards_part = [s for s in split.get("shardsPart") or [] if isinstance(s, Mapping)]
    sorts = [s for s in pipeline_sorts(shards_part + merger) if s.index >= len(shards_part)]  # the merger's
    merger_sort = facet_sort(merger) or any(not s.computed_by for s in sorts)
    merger_computed = any(s.computed_by for s in sorts)
    return _combined(
        doc, parts, op=op_name(doc.get("command"), "aggregate"), stages=(*combined.stages, *names),
        n_returned=combined.n_returned if set(names) <= {"$mergeCursors"} else None,
        in_memory_sort=combined.in_memory_sort or merger_sort,
        pipeline_sort=combined.pipeline_sort or merger_computed,
        unknown_stages=unique([*combined.unknown_stages, *(n for n in names if not known_pipeline_stage(n))]))
