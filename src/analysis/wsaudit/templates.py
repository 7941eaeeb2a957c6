"""Dotted JSON paths and ``{placeholder}`` templates: the JSON helpers of profiles, the forge and the client."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: What :func:`get_path` returns when the path is absent.
MISSING = object()


def get_path(obj: Any, path: str) -> Any:
    """Value at a dotted ``path`` (``data.user_id``; list indexes allowed) or a sentinel."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return MISSING
    return cur


def lookup(obj: Any, path: str, default: Any = None) -> Any:
    """Public form of :func:`get_path` returning ``default`` when absent."""
    v = get_path(obj, path) if path else MISSING
    return default if v is MISSING else v


def set_path(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of ``obj`` with ``value`` stored at dotted ``path`` (dicts created)."""
    out = json.loads(json.dumps(obj))
    cur = out
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[part] = nxt
        cur = nxt
    cur[parts[-1]] = value
    return out


def render(template: Any, **values: str) -> Any:
    """Substitute ``{name}`` placeholders inside every string of a JSON-like template."""
    if isinstance(template, str):
        for k, v in values.items():
            template = template.replace("{" + k + "}", v)
        return template
    if isinstance(template, Mapping):
        return {k: render(v, **values) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, **values) for v in template]
    return template


def drop_placeholder(template: Any, placeholder: str = "{token}") -> Any:
    """Remove every mapping entry whose value is exactly ``placeholder`` (the 'no token' message)."""
    if isinstance(template, Mapping):
        return {k: drop_placeholder(v, placeholder) for k, v in template.items() if v != placeholder}
    if isinstance(template, list):
        return [drop_placeholder(v, placeholder) for v in template]
    return template
