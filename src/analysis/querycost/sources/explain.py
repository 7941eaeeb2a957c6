"""``explain("executionStats")`` outputs of ``find`` and ``aggregate`` → rows.

Classic and SBE plan layouts. Field mapping: ``executionTimeMillis``,
``totalDocsExamined``, ``totalKeysExamined``, ``nReturned`` of ``executionStats``; the
plan summary is built from ``queryPlanner.winningPlan`` the way mongod writes it
(:func:`plan_summary_of`). An aggregate whose first stage is a ``$cursor`` takes the
largest of the cursor time and the stage estimates as its duration, and the last
stage's ``nReturned``. Explains have no timestamp and no response size.

(The dashboard's live explain reads plans with its own parser today; one shared parser
in :mod:`analysis.mongodb` is a later change.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...mongodb.planner import pipeline_blocking_sort
from ..records import QUERY_COMMANDS, FileStats, as_int, command_name
from ..shape import command_shape


def _plan_nodes(node: Any) -> Iterator[Mapping[str, Any]]:
    """All stage nodes of a (classic or SBE ``queryPlan``) plan tree, depth first."""
    if not isinstance(node, dict):
        return
    yield node
    for key in ("inputStage", "queryPlan", "thenStage", "elseStage", "outerStage", "innerStage"):
        if key in node:
            yield from _plan_nodes(node[key])
    for key in ("inputStages", "shards"):
        for child in node.get(key) or []:
            yield from _plan_nodes(child)
    if "winningPlan" in node:
        yield from _plan_nodes(node["winningPlan"])


def plan_summary_of(winning_plan: Any) -> tuple[str, bool]:
    """Build mongod's ``planSummary`` text and the blocking-SORT flag from a winning plan.

    Parameters
    ----------
    winning_plan : dict
        ``queryPlanner.winningPlan`` — classic (the stage tree) or SBE (``{queryPlan, slotBasedPlan}``).

    Returns
    -------
    (str, bool)
        e.g. ``("IXSCAN { user_id: 1, created_at: -1 }", False)`` or ``("COLLSCAN", True)``.
    """
    access: list[str] = []
    sort = False
    for node in _plan_nodes(winning_plan):
        stage = str(node.get("stage", ""))
        if stage in ("SORT", "SORT_SIMPLE", "SORT_DEFAULT"):
            sort = True
        if stage in ("COLLSCAN", "IDHACK", "EOF", "CLUSTERED_IXSCAN") or stage.startswith("EXPRESS"):
            access.append(stage)
        elif stage in ("IXSCAN", "DISTINCT_SCAN", "COUNT_SCAN"):
            kp = node.get("keyPattern")
            if isinstance(kp, dict):
                access.append(f"{stage} {{ " + ", ".join(f"{k}: {_fmt_dir(v)}" for k, v in kp.items()) + " }")
            else:
                access.append(f"{stage} {node.get('indexName', '?')}")
    seen: list[str] = []
    for a in access:
        if a not in seen:
            seen.append(a)
    return ", ".join(seen), sort


def _fmt_dir(v: Any) -> str:
    n = as_int(v)
    return str(n) if n is not None else json.dumps(v)


def explain_row(doc: Mapping[str, Any], st: FileStats) -> tuple | None:
    """Normalize one explain output; None (and counted in ``st``) without execution statistics.

    Parameters
    ----------
    doc : mapping
        An ``explain("executionStats")`` result of a find or an aggregate.
    st : FileStats
        Where skips are counted.

    Returns
    -------
    tuple or None
        A row in :data:`~analysis.querycost.records.ROW_FIELDS` order.
    """
    command = doc.get("command") if isinstance(doc.get("command"), dict) else {}
    stages = doc.get("stages")
    if isinstance(stages, list) and stages and isinstance(stages[0], dict) and "$cursor" in stages[0]:
        qp, es, op, duration, nret, pipe_sort = _cursor_pipeline(stages)
    else:
        qp = doc.get("queryPlanner") or {}
        es = doc.get("executionStats") or {}
        op = QUERY_COMMANDS.get(command_name(command), "aggregate" if "pipeline" in command else "find")
        duration = as_int(es.get("executionTimeMillis"))
        nret = as_int(es.get("nReturned"))
        pipe_sort = False
    if not es:
        st.skip("explain without executionStats (use explain('executionStats'))")
        return None
    if duration is None:
        st.skip("explain without executionTimeMillis")
        return None
    plan, sort = plan_summary_of(qp.get("winningPlan"))
    pipe_sort = pipe_sort or pipeline_blocking_sort(command.get("pipeline"))
    ns = qp.get("namespace") or ""
    if not ns and command:
        ns = f"{command.get('$db', '')}.{command.get(command_name(command), '')}"
    shape_cmd = command if command else {"filter": qp.get("parsedQuery") or {}}
    return (
        None, ns, op, command_shape(op, shape_cmd), plan, float(duration),
        as_int(es.get("totalDocsExamined")), as_int(es.get("totalKeysExamined")), nret, None,
        "COLLSCAN" in plan, sort or pipe_sort, "", qp.get("queryHash") or "", "explain", shape_cmd,
    )


def _cursor_pipeline(stages: list) -> tuple[dict, dict, str, int | None, int | None, bool]:
    """(queryPlanner, executionStats, op, duration, nReturned, blocking sort) of a ``$cursor`` pipeline explain."""
    cursor = stages[0]["$cursor"]
    qp = cursor.get("queryPlanner") or {}
    es = cursor.get("executionStats") or {}
    later = [s for s in stages[1:] if isinstance(s, dict)]
    estimates = [as_int(s.get("executionTimeMillisEstimate")) for s in stages if isinstance(s, dict)]
    estimates = [e for e in estimates if e is not None]
    duration = as_int(es.get("executionTimeMillis"))
    if estimates:
        duration = max([duration or 0, *estimates])
    nret = as_int(later[-1].get("nReturned")) if later and "nReturned" in later[-1] else as_int(es.get("nReturned"))
    stage_specs = [{k: v for k, v in s.items() if k.startswith("$")} for s in later]
    pipe_sort = pipeline_blocking_sort([{"$match": {}}] + stage_specs)
    return qp, es, "aggregate", duration, nret, pipe_sort
