"""One plan tree → its facts: stages, mongod's plan summary, indexes, COLLSCAN, blocking SORT, covered.

A plan tree is ``queryPlanner.winningPlan`` (classic), its ``queryPlan`` (slot-based
engine, ``explainVersion`` "2") or a shard's winning plan. Children are followed through
``inputStage``, ``inputStages``, ``outerStage``, ``innerStage``, ``thenStage`` and
``elseStage``. Numbers may be plain JSON numbers, Extended JSON wrappers
(``{"$numberLong": "7"}``) or BSON ``Int64`` / ``Decimal128`` values (:func:`number`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .vocabulary import (BARE_ACCESS, DOCUMENT_STAGES, KEYED_ACCESS, SCANNING_JOINS, SORT_STAGES,
                         known_plan_stage)

_CHILD = ("inputStage", "outerStage", "innerStage", "thenStage", "elseStage")
_EJSON_NUMBER = ("$numberLong", "$numberInt", "$numberDouble", "$numberDecimal")


def number(value: Any) -> float | None:
    """A number from JSON, Extended JSON (canonical or relaxed) or BSON; None when absent or not a number.

    Examples
    --------
    >>> number(3), number({"$numberLong": "42"}), number("4.5"), number(True), number(None)
    (3.0, 42.0, 4.5, None, None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        value = next((value[k] for k in _EJSON_NUMBER if k in value), None)
    elif hasattr(value, "to_decimal"):  # bson.Decimal128
        value = value.to_decimal()
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def count(value: Any) -> int | None:
    """:func:`number` as an int (counts: documents, keys, returned)."""
    n = number(value)
    return None if n is None else int(n)


def format_key_pattern(kp: Any) -> str:
    """A key pattern the way mongod prints it in ``planSummary``: ``{ a: 1, loc: "2dsphere" }``.

    MongoDB 8.0 express stages already give the pattern as that string; it is kept as is.
    """
    if isinstance(kp, str):
        return kp
    if not isinstance(kp, Mapping):
        return "?"
    parts = []
    for field_name, direction in kp.items():
        n = number(direction)
        parts.append(f"{field_name}: {int(n) if n is not None and n == int(n) else json.dumps(direction)}")
    return "{ " + ", ".join(parts) + " }"


def plan_nodes(tree: Any) -> Iterator[Mapping[str, Any]]:
    """Every stage node of a plan tree, depth first (``queryPlan`` wrappers unwrapped)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        if "queryPlan" in node and "stage" not in node:
            stack.append(node["queryPlan"])
            continue
        yield node
        children = [node[k] for k in _CHILD if k in node]
        children += list(node.get("inputStages") or [])
        stack.extend(reversed(children))


@dataclass(frozen=True)
class PlanFacts:
    """What one plan tree says."""

    stages: tuple[str, ...]
    access: tuple[str, ...]          # plan-summary parts, in plan order, unique
    indexes: tuple[str, ...]         # index names used, unique
    collscan: bool
    in_memory_sort: bool
    reads_documents: bool
    scanning_joins: int              # SBE EQ_LOOKUP that read the whole foreign collection
    unknown: tuple[str, ...]

    @property
    def plan_summary(self) -> str:
        """mongod's ``planSummary`` text, e.g. ``IXSCAN { user_id: 1 }`` or ``COLLSCAN``."""
        return ", ".join(self.access)

    @property
    def uses_index(self) -> bool:
        """The plan scans an index (an access stage with a key pattern, or IDHACK)."""
        return bool(self.indexes)


def _index_name(stage: str, node: Mapping[str, Any]) -> str:
    if stage in ("IDHACK", "EXPRESS_IXSCAN") and not node.get("indexName"):
        return "_id_"
    return str(node.get("indexName") or format_key_pattern(node.get("keyPattern")))


def plan_facts(tree: Any) -> PlanFacts:
    """Walk a plan tree once and collect its facts (see :class:`PlanFacts`)."""
    stages: list[str] = []
    access: dict[str, None] = {}
    indexes: dict[str, None] = {}
    unknown: dict[str, None] = {}
    joins = 0
    for node in plan_nodes(tree):
        stage = str(node.get("stage", ""))
        if not stage:
            continue
        stages.append(stage)
        if not known_plan_stage(stage):
            unknown[stage] = None
        if stage in KEYED_ACCESS:
            kp = node.get("keyPattern")
            access[f"{stage} {format_key_pattern(kp)}" if kp is not None else stage] = None
            indexes[_index_name(stage, node)] = None
        elif stage in BARE_ACCESS:
            access[stage] = None
            if stage == "IDHACK":
                indexes["_id_"] = None
        elif stage == "EQ_LOOKUP":
            if node.get("indexName"):
                indexes[str(node["indexName"])] = None
            joins += node.get("strategy") in SCANNING_JOINS
    return PlanFacts(tuple(stages), tuple(access), tuple(indexes), "COLLSCAN" in stages,
                     any(s in SORT_STAGES for s in stages), any(s in DOCUMENT_STAGES for s in stages), joins,
                     tuple(unknown))


def winning_tree(query_planner: Any) -> Any:
    """The winning plan of a ``queryPlanner`` section (SBE: its ``queryPlan``)."""
    wp = query_planner.get("winningPlan") if isinstance(query_planner, Mapping) else None
    if isinstance(wp, Mapping) and "queryPlan" in wp and "stage" not in wp:
        return wp["queryPlan"]
    return wp
