"""Query shapes: a query with its values replaced, its keys and operators kept.

Two queries have the same shape when they differ only in literal values:
``{user_id: "u1"}`` and ``{user_id: "u2"}`` are one shape; ``$in`` lists of any
length are one shape; ``{user_id: {$eq: "u1"}}`` and ``{user_id: {$in: [...]}}`` are
two. Sort specifications keep their directions (they decide which index can serve
them), projections keep their include/exclude flags, aggregation expressions keep
their field paths (``"$status"``) and operators.

Rules (what the normalizer does):

* a literal (string, number, bool, null, date, ObjectId...) becomes ``?``;
* an Extended JSON type wrapper (``{"$oid": ...}``, ``{"$date": ...}``,
  ``{"$numberLong": ...}``...) is a literal, not an operator;
* a list made only of literals becomes ``[?]`` whatever its length;
* a list holding documents keeps one normalized entry per element (``$or``, ``$and``);
* keys of a filter document are sorted (a conjunction does not depend on the order
  the driver wrote it in); keys of a sort specification keep their order;
* strings starting with ``$`` inside aggregation stages are field paths or variables
  and are kept; other strings are literals.

The printable form is mongo-shell-like and deterministic, e.g.
``{user_id: ?} sort {created_at: -1} limit ?`` (the operation is kept
next to the shape, not inside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Extended JSON type wrappers (relaxed and canonical) — values, not operators.
EXTJSON_KEYS = frozenset({
    "$oid", "$date", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal", "$binary",
    "$uuid", "$timestamp", "$regularExpression", "$symbol", "$code", "$scope", "$minKey",
    "$maxKey", "$undefined", "$dbPointer", "$type_",
})
Q = "?"


def _is_extjson_value(d: Mapping[str, Any]) -> bool:
    return bool(d) and next(iter(d)) in EXTJSON_KEYS


def normalize_filter(value: Any) -> Any:
    """Normalize a query predicate (filter / ``$match``) to its shape.

    Parameters
    ----------
    value : Any
        A filter document as decoded from JSON or BSON.

    Returns
    -------
    Any
        Nested dicts/lists with literals replaced by ``"?"``; dict keys sorted.
    """
    if isinstance(value, dict):
        if _is_extjson_value(value):
            return Q
        return {k: normalize_filter(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        if not any(isinstance(v, (dict, list, tuple)) for v in value):
            return [Q]
        return [normalize_filter(v) for v in value]
    return Q


def normalize_expr(value: Any) -> Any:
    """Normalize an aggregation expression: keep operators and ``$field`` paths."""
    if isinstance(value, dict):
        if _is_extjson_value(value):
            return Q
        return {k: normalize_expr(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [normalize_expr(v) for v in value]
        if all(i == Q for i in items):
            return [Q]
        return items
    if isinstance(value, str) and value.startswith("$"):
        return value
    return Q


def normalize_sort(value: Any) -> Any:
    """Keep a sort specification's keys, order and directions."""
    if isinstance(value, dict):
        return {k: (v if isinstance(v, (int, float)) and not isinstance(v, bool) else normalize_expr(v))
                for k, v in value.items()}
    return normalize_expr(value)


def normalize_projection(value: Any) -> Any:
    """Keep projected keys with their include (1) / exclude (0) flag; sort keys."""
    if not isinstance(value, dict):
        return normalize_expr(value)
    out = {}
    for k in sorted(value):
        v = value[k]
        if isinstance(v, bool) or isinstance(v, (int, float)):
            out[k] = 1 if v else 0
        else:
            out[k] = normalize_expr(v)
    return out


def normalize_stage(stage: Mapping[str, Any]) -> Any:
    """Normalize one aggregation stage."""
    out: dict[str, Any] = {}
    for name, spec in stage.items():
        if name == "$match":
            out[name] = normalize_filter(spec)
        elif name == "$sort":
            out[name] = normalize_sort(spec)
        elif name == "$project":
            out[name] = normalize_projection(spec)
        elif name == "$facet" and isinstance(spec, dict):
            out[name] = {k: normalize_pipeline(v) for k, v in spec.items()}
        elif name in ("$lookup", "$unionWith") and isinstance(spec, dict):
            out[name] = {k: (normalize_pipeline(v) if k == "pipeline" else
                             v if isinstance(v, str) else normalize_expr(v)) for k, v in spec.items()}
        elif name in ("$count", "$unwind", "$sortByCount", "$out") and isinstance(spec, str):
            out[name] = spec  # field names / paths, not values
        else:
            out[name] = normalize_expr(spec)
    return out


def normalize_pipeline(pipeline: Any) -> list[Any]:
    """Normalize an aggregation pipeline stage by stage (order kept)."""
    if not isinstance(pipeline, (list, tuple)):
        return [normalize_expr(pipeline)]
    return [normalize_stage(s) if isinstance(s, dict) else normalize_expr(s) for s in pipeline]


def format_shape(value: Any) -> str:
    """Print a normalized value mongo-shell-like and deterministically."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {format_shape(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(format_shape(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value == Q:
        return Q
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)


def _key(k: str) -> str:
    if k and all(c.isalnum() or c in "_$." for c in k):
        return k
    return '"' + k + '"'


def command_shape(op: str, command: Mapping[str, Any]) -> str:
    """The printable shape of one command document.

    Parameters
    ----------
    op : str
        The normalized operation: ``find``, ``aggregate``, ``count``, ``distinct``,
        ``update``, ``delete``, ``findAndModify``, ``getMore``.
    command : Mapping
        The command document as logged / profiled (``{"find": "coll", "filter": ...}``),
        or for a write the statement (``{"q": ..., "u": ...}``). For ``getMore`` pass
        the originating command.

    Returns
    -------
    str
        A stable printable shape, e.g. ``{user_id: ?} sort {created_at: -1}``.
    """
    parts: list[str] = []
    if op == "aggregate" or "pipeline" in command:
        parts.append(format_shape(normalize_pipeline(command.get("pipeline", []))))
    elif op in ("update", "delete"):
        q = command.get("q", command.get("query", command.get("filter", {})))
        parts.append(format_shape(normalize_filter(q)))
        u = command.get("u")
        if isinstance(u, list):
            parts.append("u " + format_shape(normalize_pipeline(u)))
        elif isinstance(u, dict):
            # update operators and their fields are kept; replacement documents become "replace"
            if u and all(k.startswith("$") for k in u):
                parts.append("u " + format_shape({k: (normalize_filter(v) if isinstance(v, dict) else Q)
                                                  for k, v in u.items()}))
            else:
                parts.append("u <replacement>")
        for flag in ("multi", "upsert"):
            if command.get(flag):
                parts.append(flag)
    elif op == "distinct":
        parts.append(f"key {command.get('key', '?')}")
        parts.append(format_shape(normalize_filter(command.get("query", {}))))
    else:
        filt = command.get("filter", command.get("query", command.get("q", {})))
        if not isinstance(filt, dict):
            filt = {}
        parts.append(format_shape(normalize_filter(filt)))
        for part, label in (("sort", "sort"), ("projection", "project"), ("fields", "project"),
                            ("hint", "hint"), ("collation", "collation")):
            v = command.get(part)
            if v:
                if part == "sort":
                    parts.append(f"{label} {format_shape(normalize_sort(v))}")
                elif part in ("projection", "fields"):
                    parts.append(f"{label} {format_shape(normalize_projection(v))}")
                elif part == "hint":
                    parts.append(f"{label} {format_shape(normalize_sort(v)) if isinstance(v, dict) else '?'}")
                else:
                    parts.append(f"{label} ?")
        for part in ("skip", "limit"):
            if command.get(part):
                parts.append(f"{part} ?")
        if op == "findAndModify":
            if command.get("remove"):
                parts.append("remove")
            elif isinstance(command.get("update"), dict):
                parts.append("u " + format_shape({k: (normalize_filter(v) if isinstance(v, dict) else Q)
                                                  for k, v in command["update"].items()}))
    return " ".join(parts)
