"""Explains of one server: the query layer (:func:`summarize_query`) and pipelines (:func:`summarize_pipeline`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..pipesort import blocking_sort_an_index_could_serve, computed_sort
from .plan import count, number, plan_facts, winning_tree
from .summary import (ExplainSummary, framework_of, hashes, is_covered, ns_from_command, op_name, slowest, total,
                      unique, verbosity_of)
from .vocabulary import CURSOR_STAGES, known_pipeline_stage


def summarize_query(doc: Mapping[str, Any], qp: Mapping[str, Any], es: Any) -> ExplainSummary:
    """Summarize a query-layer explain (find, count, distinct, a pushed-down aggregate).

    Parameters
    ----------
    doc : mapping
        The explain document (``explainVersion``, ``serverInfo``, ``command`` are read from it).
    qp : mapping
        Its ``queryPlanner`` section.
    es : mapping or None
        Its ``executionStats`` section.

    Returns
    -------
    ExplainSummary
    """
    facts = plan_facts(winning_tree(qp))
    es = es if isinstance(es, Mapping) else {}
    docs = count(es.get("totalDocsExamined"))
    root = facts.stages[0] if facts.stages else ""
    command = doc.get("command")
    qhash, pkey = hashes(qp)
    return ExplainSummary(
        ns=str(qp.get("namespace") or ns_from_command(command)),
        op=op_name(command, "count" if root in ("COUNT", "RECORD_STORE_FAST_COUNT") else "find"),
        framework=framework_of(doc, qp), explain_version=str(doc.get("explainVersion", "")),
        server_version=str((doc.get("serverInfo") or {}).get("version", "")), verbosity=verbosity_of(es),
        stages=facts.stages, plan_summary=facts.plan_summary, shards=(), indexes=facts.indexes,
        docs_examined=docs, keys_examined=count(es.get("totalKeysExamined")), n_returned=count(es.get("nReturned")),
        duration_ms=number(es.get("executionTimeMillis")), collscan=facts.collscan or facts.scanning_joins > 0,
        in_memory_sort=facts.in_memory_sort, covered=is_covered(facts, docs), query_hash=qhash, plan_cache_key=pkey,
        query_shape_hash=str(doc.get("queryShapeHash") or ""), unknown_stages=facts.unknown,
        command=command if isinstance(command, Mapping) else None,
        parsed_query=qp.get("parsedQuery") if isinstance(qp.get("parsedQuery"), Mapping) else None)


def pipeline_stage_name(stage: Mapping[str, Any]) -> str:
    """The ``$name`` of one ``stages[]`` entry (``"?"`` when it has none)."""
    return next((k for k in stage if k.startswith("$")), "?")


def summarize_pipeline(doc: Mapping[str, Any]) -> ExplainSummary:
    """Summarize an aggregation explain with ``stages[]`` (see :mod:`.summary`).

    Parameters
    ----------
    doc : mapping
        The explain document: its ``stages`` array, ``command`` and ``serverInfo`` are read.

    Returns
    -------
    ExplainSummary
        ``$cursor`` totals plus those of ``$lookup``; the last stage's documents returned.
    """
    stages = [s for s in doc["stages"] if isinstance(s, Mapping)]
    names = [pipeline_stage_name(s) for s in stages]
    cursors = [s[n] for s, n in zip(stages, names) if n in CURSOR_STAGES and isinstance(s[n], Mapping)]
    inner = [summarize_query({**doc, "command": None}, c.get("queryPlanner") or {}, c.get("executionStats")) for c in cursors]
    lookups = [s for s, n in zip(stages, names) if n == "$lookup"]
    sort = blocking_sort_an_index_could_serve(stages)  # a $sort on computed fields is no in-memory SORT
    computed = computed_sort(stages)
    sort_input = count(stages[computed.index - 1].get("nReturned")) if computed and computed.index else None
    docs = total([i.docs_examined for i in inner] + [count(s.get("totalDocsExamined")) for s in lookups])
    keys = total([i.keys_examined for i in inner] + [count(s.get("totalKeysExamined")) for s in lookups])
    later = [s for s, n in zip(stages, names) if n not in CURSOR_STAGES]
    nret = count(later[-1].get("nReturned")) if later and "nReturned" in later[-1] else (
        count(stages[-1].get("nReturned")) if stages and "nReturned" in stages[-1] else total([i.n_returned for i in inner]))
    duration = slowest([i.duration_ms for i in inner] + [number(s.get("executionTimeMillisEstimate")) for s in stages])
    lookup_scans = sum(count(s.get("collectionScans")) or 0 for s in lookups)
    timed = any("executionTimeMillisEstimate" in s or "nReturned" in s for s in stages)
    verbosity = max([i.verbosity for i in inner] + ["executionStats" if timed else "queryPlanner"],
                    key=("queryPlanner", "executionStats", "allPlansExecution").index)
    first = inner[0] if inner else None
    command = doc.get("command")
    unknown = [u for i in inner for u in i.unknown_stages] + [n for n in names if not known_pipeline_stage(n)]
    plan_stages = [st for i in inner for st in i.stages]
    return ExplainSummary(
        ns=first.ns if first and first.ns else ns_from_command(command), op=op_name(command, "aggregate"),
        framework=first.framework if first else framework_of(doc, {}), explain_version=str(doc.get("explainVersion", "")),
        server_version=str((doc.get("serverInfo") or {}).get("version", "")), verbosity=verbosity,
        stages=tuple(plan_stages + [n for n in names if n not in CURSOR_STAGES]),
        plan_summary=", ".join(unique([i.plan_summary for i in inner])), shards=(),
        indexes=unique([x for i in inner for x in i.indexes] + [str(x) for s in lookups for x in s.get("indexesUsed") or []]),
        docs_examined=docs, keys_examined=keys, n_returned=nret, duration_ms=duration,
        collscan=any(i.collscan for i in inner) or lookup_scans > 0,
        in_memory_sort=sort or any(i.in_memory_sort for i in inner),
        covered=bool(inner) and all(i.covered for i in inner) and not lookups,
        query_hash=first.query_hash if first else "", plan_cache_key=first.plan_cache_key if first else "",
        query_shape_hash=str(doc.get("queryShapeHash") or ""), unknown_stages=unique(unknown),
        command=command if isinstance(command, Mapping) else None, parsed_query=first.parsed_query if first else None,
        pipeline_sort=computed is not None, pipeline_sort_input=sort_input)
