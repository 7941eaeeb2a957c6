"""Profiler entries (``system.profile`` documents, exported or read live) → rows.

Field mapping: ``millis``, ``docsExamined``, ``keysExamined``, ``nreturned``,
``responseLength``, ``planSummary``, ``hasSortStage``; ``op`` ``query`` / ``getmore`` /
``update`` / ``remove`` of older servers map to find / getMore / update / delete, and an
``op: "command"`` entry is a query when its command is one of
:data:`~analysis.querycost.records.QUERY_COMMANDS`. Documents are already decoded
(Extended JSON by :mod:`.jsonstream`, BSON by pymongo).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..internal import Classifier
from ..records import QUERY_COMMANDS, FileStats, as_int, command_name
from ..shapecache import ShapeCache
from .opstats import op_extras, query_hash

_PROFILE_OPS = {"query": "find", "getmore": "getMore", "update": "update", "remove": "delete"}


def profile_row(doc: Mapping[str, Any], st: FileStats, shapes: ShapeCache | None = None,
                classify: Classifier | None = None) -> tuple | None:
    """Normalize one profiler document; None (and counted in ``st``) if it is not a usable query.

    Parameters
    ----------
    doc : mapping
        One ``system.profile`` document.
    st : FileStats
        Where skips are counted.
    shapes : ShapeCache, optional
        A shape cache shared over the file (a fresh one when omitted).
    classify : Classifier, optional
        The internal-operation classifier shared over the file (a fresh one when omitted).

    Returns
    -------
    tuple or None
        A row in :data:`~analysis.querycost.records.ROW_FIELDS` order.
    """
    op_raw = doc.get("op")
    command = doc.get("command")
    if not isinstance(command, dict):
        command = doc.get("query") if isinstance(doc.get("query"), dict) else {}
    if op_raw == "command":
        name = command_name(command)
        op = QUERY_COMMANDS.get(name)
        if op is None:
            st.skip(f"non-query command: {name or '?'}")
            return None
    elif op_raw in _PROFILE_OPS:
        op = _PROFILE_OPS[op_raw]
    elif op_raw == "insert":
        st.skip("non-query command: insert")
        return None
    else:
        st.skip(f"unknown profiler op: {op_raw!r:.30}")
        return None
    shape_cmd: Mapping[str, Any] = command
    if op == "getMore":
        oc = doc.get("originatingCommand")
        shape_cmd = oc if isinstance(oc, dict) else {}
    millis = as_int(doc.get("millis"))
    if millis is None:
        st.skip("missing millis")
        return None
    plan = doc.get("planSummary") or ""
    shape, pipe_sort, example = (shapes or ShapeCache()).get(op, shape_cmd)
    ns = doc.get("ns") or ""
    app = doc.get("appName") or ""
    internal = (classify or Classifier())(ns, app, "", shape_cmd)
    return (
        doc.get("ts"), ns, op, shape, plan,
        float(millis), as_int(doc.get("docsExamined")), as_int(doc.get("keysExamined")), as_int(doc.get("nreturned")),
        as_int(doc.get("responseLength")), "COLLSCAN" in plan, pipe_sort or bool(doc.get("hasSortStage")),
        app, query_hash(doc), "profile", example, *op_extras(doc, internal, doc.get("client")),
    )
