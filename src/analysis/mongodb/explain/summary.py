"""What an explain says, summarized: :class:`ExplainSummary`, :class:`ShardPlan` and their small helpers.

The parser (:func:`analysis.mongodb.explain.summarize_explain`) reads four layouts, told
apart by their fields:

* **query** — ``queryPlanner`` (+ ``executionStats``): find, count, distinct, an aggregate
  pushed down whole to the query layer; classic (``winningPlan`` is the stage tree) or
  slot-based (``winningPlan.queryPlan`` + ``slotBasedPlan``, ``explainVersion`` "2");
* **pipeline** — ``stages[]``: the first stage is ``$cursor`` / ``$geoNearCursor`` (a query
  explain inside); ``$lookup`` adds its ``totalDocsExamined``, ``totalKeysExamined``,
  ``collectionScans`` and ``indexesUsed`` (5.0+); a ``$sort`` stage, or one inside
  ``$facet``, is a blocking in-memory sort (a sort an index serves is absorbed into the
  query layer and never shows as a stage);
* **sharded find** — ``queryPlanner.winningPlan.stage`` is ``SHARD_MERGE``, ``SINGLE_SHARD``
  or ``SHARD_MERGE_SORT`` with ``shards[]``; each shard is summarized on its own (its
  winning plan joined with ``executionStats.executionStages.shards[]`` by ``shardName``);
  the namespace comes from the shard plans;
* **sharded aggregate** — ``shards.<name>`` holds each shard's explain (``stages[]`` or
  ``queryPlanner``), ``splitPipeline`` its ``shardsPart`` / ``mergerPart``.

Totals: documents / keys examined are summed over ``$cursor`` stages, ``$lookup`` and shards;
the duration is ``executionTimeMillis`` (an aggregate: the largest of it and the stage
estimates; sharded aggregate: the slowest shard). Anything an explain leaves out is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .plan import PlanFacts

#: Command name → the operation name the workbook uses.
OPS = {"find": "find", "aggregate": "aggregate", "count": "count", "distinct": "distinct",
       "findAndModify": "findAndModify", "findandmodify": "findAndModify", "update": "update", "delete": "delete"}


@dataclass(frozen=True)
class ShardPlan:
    """What one shard did for a sharded operation."""

    shard: str
    plan_summary: str
    indexes: tuple[str, ...]
    collscan: bool
    docs_examined: int | None
    keys_examined: int | None
    n_returned: int | None
    duration_ms: float | None


@dataclass(frozen=True)
class ExplainSummary:
    """One explain document, summarized (fields an explain does not hold are None or empty).

    ``verbosity`` is ``queryPlanner``, ``executionStats`` or ``allPlansExecution``;
    ``framework`` ``classic`` or ``sbe`` (``classic+sbe`` when shards differ);
    ``unknown_stages`` names stages this reader does not know (the summary is still made).
    ``query_hash`` is ``planCacheShapeHash`` (8.0) or ``queryHash`` (4.2+),
    ``plan_cache_key`` ``planCacheKey``, ``query_shape_hash`` the 8.0 ``queryShapeHash``:
    the keys a digest groups plan flips by. ``command`` (the explained command, 5.0+) and
    ``parsed_query`` (the planner's filter) are kept for query shapes, not compared.
    ``pipeline_sort`` / ``pipeline_sort_input``: a blocking ``$sort`` on computed fields and its input;
    ``not_mongodb``: what a server's explain holds instead of MongoDB's plan (then nothing is judged).
    """

    ns: str
    op: str
    framework: str
    explain_version: str
    server_version: str
    verbosity: str
    stages: tuple[str, ...]
    plan_summary: str
    shards: tuple[ShardPlan, ...]
    indexes: tuple[str, ...]
    docs_examined: int | None
    keys_examined: int | None
    n_returned: int | None
    duration_ms: float | None
    collscan: bool
    in_memory_sort: bool
    covered: bool
    query_hash: str
    plan_cache_key: str
    query_shape_hash: str
    unknown_stages: tuple[str, ...]
    command: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    parsed_query: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    #: a blocking pipeline ``$sort`` on computed fields (after ``$group``…): no index serves it, so it is
    #: not an in-memory SORT (:mod:`analysis.mongodb.pipesort`)
    pipeline_sort: bool = False
    #: documents entering that ``$sort`` (``nReturned`` of the stage before it), when the explain says
    pipeline_sort_input: int | None = None
    #: set when the explain is not MongoDB's (no ``winningPlan``, ``stages`` or ``shards``; e.g. a
    #: PostgreSQL plan from FerretDB): its top-level keys. Nothing is judged from it.
    not_mongodb: str = ""

    @property
    def has_execution_stats(self) -> bool:
        """The explain ran the query (``executionStats`` or ``allPlansExecution``)."""
        return self.verbosity != "queryPlanner"

    @property
    def collscan_shards(self) -> tuple[str, ...]:
        """The shards that scanned their whole collection."""
        return tuple(s.shard for s in self.shards if s.collscan)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data (lists for tuples; the command left out)."""
        d = asdict(self)
        d.pop("command")
        d.pop("parsed_query")
        return _listed(d)


def _listed(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_listed(v) for v in value]
    if isinstance(value, dict):
        return {k: _listed(v) for k, v in value.items()}
    return value


def total(values: Sequence[int | None]) -> int | None:
    """Sum of the values present (None when none is)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def slowest(values: Sequence[float | None]) -> float | None:
    """Largest of the values present (None when none is)."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def unique(items: Sequence[str]) -> tuple[str, ...]:
    """Non-empty items, first occurrence kept, in order."""
    return tuple(dict.fromkeys(i for i in items if i))


def op_name(command: Any, default: str) -> str:
    """The operation of an explained command (its first key), ``default`` without a command."""
    if isinstance(command, Mapping) and command:
        name = next(iter(command))
        return OPS.get(name, "aggregate" if "pipeline" in command else default)
    return default


def hashes(qp: Any) -> tuple[str, str]:
    """(plan cache shape hash or query hash, plan cache key) of a ``queryPlanner`` section."""
    qp = qp if isinstance(qp, Mapping) else {}
    return str(qp.get("planCacheShapeHash") or qp.get("queryHash") or ""), str(qp.get("planCacheKey") or "")


def framework_of(doc: Mapping[str, Any], qp: Any) -> str:
    """``sbe`` for explainVersion 2 or a ``slotBasedPlan``, else ``classic``."""
    wp = qp.get("winningPlan") if isinstance(qp, Mapping) else None
    sbe = str(doc.get("explainVersion", "")).startswith("2") or (isinstance(wp, Mapping) and "slotBasedPlan" in wp)
    return "sbe" if sbe else "classic"


def verbosity_of(es: Any) -> str:
    """The verbosity an ``executionStats`` section shows."""
    if not isinstance(es, Mapping) or not es:
        return "queryPlanner"
    return "allPlansExecution" if es.get("allPlansExecution") else "executionStats"


def ns_from_command(command: Any) -> str:
    """``<$db>.<collection>`` of an explained command (``""`` without ``$db``)."""
    if not isinstance(command, Mapping) or not command:
        return ""
    coll = next(iter(command.values()))
    return f"{command.get('$db', '')}.{coll}" if isinstance(coll, str) and command.get("$db") else ""


def is_covered(facts: PlanFacts, docs: int | None) -> bool:
    """An index answered without reading documents (no FETCH / COLLSCAN, 0 documents examined)."""
    return facts.uses_index and not facts.reads_documents and not docs
