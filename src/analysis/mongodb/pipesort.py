"""An aggregation pipeline's ``$sort`` stages: which one an index could serve, which one none can.

A pipeline's ``$sort`` is one of three things (what the query-cost audit reports for each):

* **pushed down** — in the leading ``$match`` / ``$sort`` prefix: the query layer runs it, an index
  can serve it (a plan ``SORT`` stage when none does; explain and the log's ``hasSortStage`` say so);
* **in memory, an index could have served it** — a ``$sort`` inside ``$facet`` (never pushed down;
  the advice moves the list to a ``find().sort().limit()``), or a top-level ``$sort`` on stored fields
  behind another stage (``$unwind`` of other fields, ``$lookup``…);
* **blocking, on computed fields** — a top-level ``$sort`` on fields an earlier stage computed:
  every field after ``$group``, ``$bucket``, ``$bucketAuto``, ``$sortByCount``, ``$count``,
  ``$replaceRoot`` / ``$replaceWith`` or ``$facet``; the fields a ``$project`` / ``$addFields`` /
  ``$set`` computes (an expression, not ``0`` / ``1``), an ``$unwind`` path, a ``$lookup``'s ``as``,
  a ``$setWindowFields`` output. No index can serve it; its cost is its input (the documents the
  computing stage emits), reported apart from plan SORT stages and kept out of index advice.

Pipelines are read as the command holds them (``{"$sort": {"total": -1}}``) or as explain's
``stages[]`` prints them (``{"$sort": {"sortKey": {"total": -1}}, "nReturned": 6}``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: Stages whose output documents are new: every field after them is computed.
NEW_DOCUMENTS = frozenset({"$group", "$bucket", "$bucketAuto", "$sortByCount", "$count", "$replaceRoot",
                           "$replaceWith", "$facet"})
_PREFIX = ("$match", "$sort")


@dataclass(frozen=True)
class PipelineSort:
    """One top-level ``$sort`` of a pipeline.

    Attributes
    ----------
    index : int
        Its position in the pipeline.
    fields : tuple of str
        The sort keys.
    pushed_down : bool
        In the leading ``$match`` / ``$sort`` prefix (the query layer runs it).
    computed_by : str
        The stage that computed a sort key (``""``: the keys are stored fields).
    """

    index: int
    fields: tuple[str, ...]
    pushed_down: bool
    computed_by: str


def _name(stage: Any) -> str:
    return next((str(k) for k in stage if str(k).startswith("$")), "") if isinstance(stage, Mapping) else ""


def _sort_keys(body: Any) -> tuple[str, ...]:
    spec = body.get("sortKey", body) if isinstance(body, Mapping) else {}
    return tuple(str(k) for k in spec) if isinstance(spec, Mapping) else ()


def _computed_fields(name: str, body: Any) -> dict[str, str]:
    """Fields a stage computes (``field → stage``)."""
    if name in ("$project", "$addFields", "$set") and isinstance(body, Mapping):
        return {str(f): name for f, v in body.items() if not (isinstance(v, (bool, int)) and v in (0, 1))}
    if name == "$unwind":
        path = body.get("path") if isinstance(body, Mapping) else body
        return {str(path).lstrip("$"): name} if isinstance(path, str) else {}
    if name in ("$lookup", "$graphLookup") and isinstance(body, Mapping) and isinstance(body.get("as"), str):
        return {body["as"]: name}
    if name == "$setWindowFields" and isinstance(body, Mapping) and isinstance(body.get("output"), Mapping):
        return {str(f): name for f in body["output"]}
    return {}


def _computed_by(field: str, computed: Mapping[str, str], everything: str) -> str:
    if everything:
        return everything
    parts = field.split(".")
    return next((computed[p] for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if p in computed), "")


def pipeline_sorts(pipeline: Any) -> Iterator[PipelineSort]:
    """Every top-level ``$sort`` of a pipeline, with where it runs and what computed its keys."""
    if not isinstance(pipeline, list):
        return
    computed: dict[str, str] = {}
    everything = ""
    prefix = True
    for i, stage in enumerate(pipeline):
        name = _name(stage)
        if not name:
            continue
        body = stage[name]
        if name == "$sort":
            keys = _sort_keys(body)
            by = next((b for b in (_computed_by(k, computed, everything) for k in keys) if b), "")
            yield PipelineSort(i, keys, prefix, by)
        elif name in NEW_DOCUMENTS:
            everything = everything or name
        else:
            computed.update({f: s for f, s in _computed_fields(name, body).items() if f not in computed})
        if name not in _PREFIX:
            prefix = False


def facet_sort(pipeline: Any) -> bool:
    """A ``$facet`` of the pipeline holds a ``$sort`` in a sub-pipeline (always in memory)."""
    if not isinstance(pipeline, list):
        return False
    for stage in pipeline:
        body = stage.get("$facet") if isinstance(stage, Mapping) else None
        if isinstance(body, Mapping) and any(isinstance(sub, list) and any(_name(s) == "$sort" for s in sub)
                                             for sub in body.values()):
            return True
    return False


def computed_sort(pipeline: Any) -> PipelineSort | None:
    """The first top-level ``$sort`` on computed fields (blocking; no index can serve it), or None.

    Examples
    --------
    >>> computed_sort([{"$match": {"a": 1}}, {"$group": {"_id": "$r", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}])
    PipelineSort(index=2, fields=('n',), pushed_down=False, computed_by='$group')
    >>> computed_sort([{"$match": {"a": 1}}, {"$sort": {"t": -1}}]) is None
    True
    """
    return next((s for s in pipeline_sorts(pipeline) if s.computed_by), None)


def blocking_sort_an_index_could_serve(pipeline: Any) -> bool:
    """A ``$sort`` the server runs in memory although an index could serve it (see the module text)."""
    return facet_sort(pipeline) or any(not s.pushed_down and not s.computed_by for s in pipeline_sorts(pipeline))


def only_computed_sorts(pipeline: Any) -> bool:
    """Every ``$sort`` of the pipeline is on computed fields (so a SORT its log line or explain reports is one)."""
    sorts = list(pipeline_sorts(pipeline))
    return bool(sorts) and all(s.computed_by for s in sorts) and not facet_sort(pipeline)


#: Stages that pass every document on (a ``$sort`` followed only by them returns its whole input).
_PRESERVING = frozenset({"$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$sort"})


def sort_input_is_output(pipeline: Any, sort: PipelineSort) -> bool:
    """The documents a pipeline returns are those its ``$sort`` took (only reshaping stages follow it)."""
    return isinstance(pipeline, list) and all(_name(s) in _PRESERVING for s in pipeline[sort.index + 1:])
