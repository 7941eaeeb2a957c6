"""Query shapes computed once per distinct command structure (the readers' shape cache).

A busy log repeats a few hundred command structures millions of times with other
values; :class:`ShapeCache` computes each structure's shape (:func:`.shape.command_shape`)
and pipeline blocking-sort flag once. Pure computation: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from ..mongodb.planner import pipeline_blocking_sort
from .records import QUERY_COMMANDS, command_name
from .shape import command_shape

#: Command fields that never belong to a shape (sessions, routing, options) — left out of the cache key.
_VOLATILE = frozenset({
    "lsid", "$db", "$clusterTime", "txnNumber", "autocommit", "startTransaction", "$readPreference",
    "readConcern", "writeConcern", "maxTimeMS", "comment", "batchSize", "cursor", "$audit", "$client",
    "mayBypassWriteBlocking", "apiVersion", "apiStrict", "shardVersion", "databaseVersion", "$configTime",
    "$topologyTime", "$configServerState", "clientOperationKey", "runtimeConstants", "needsMerge", "fromMongos",
})
# String values the shape replaces by "?": a JSON string after a colon that does not start with "$" and
# holds no escape — except after the keys whose string value the shape keeps ($count, $lookup's from...).
_MASK_STR = re.compile(
    rb':"(?=[^"\\$])(?<!"\$count":")(?<!"\$unwind":")(?<!"\$sortByCount":")(?<!"\$out":")(?<!"from":")'
    rb'(?<!"localField":")(?<!"foreignField":")(?<!"as":")(?<!"key":")[^"\\]*"')
# Lists made only of such strings (the shape prints any literal list as [?]).
_MASK_LIST = re.compile(rb'\["[^"\\$][^"\\]*"(?:,"[^"\\$][^"\\]*")*\]')
#: Volatile fields whose value may hold numbers (the rest are strings, masked anyway).
_VOLATILE_NUMERIC = frozenset({
    "$clusterTime", "txnNumber", "comment", "readConcern", "writeConcern", "$readPreference", "shardVersion",
    "databaseVersion", "$configTime", "$topologyTime", "$configServerState", "runtimeConstants",
})


class ShapeCache:
    """Query shapes computed once per distinct command structure.

    The cache key is the command (volatile fields dropped) serialized by orjson with
    string values and string lists masked by two C-speed regex substitutions. Masking
    only touches values the shape replaces by ``?`` anyway, so equal keys imply equal
    shapes (the key is at least as fine as the shape; numbers are kept). Commands that
    cannot be keyed safely (escapes in strings, non-JSON types) are shaped directly.
    A small first-level cache keyed on the exact serialized command skips the masking
    for commands seen verbatim (the same user reloading the same page). Both caches are
    bounded: :attr:`MAX` entries (then cleared) and :attr:`EXACT_MAX` (first in, first out).
    """

    MAX = 20_000
    EXACT_MAX = 512

    def __init__(self) -> None:
        self._d: dict[bytes, tuple[str, bool, dict]] = {}
        self._exact: dict[tuple[str, bytes], tuple[str, bool, dict]] = {}

    @staticmethod
    def compute(op: str, cmd: Mapping[str, Any]) -> tuple[str, bool, dict]:
        """(shape, pipeline needs an in-memory sort, example command) without the cache."""
        return (command_shape(_shape_op(op, cmd), cmd), pipeline_blocking_sort(cmd.get("pipeline")),
                dict(cmd) if not isinstance(cmd, dict) else cmd)

    def get(self, op: str, cmd: Mapping[str, Any]) -> tuple[str, bool, dict]:
        """(shape, blocking sort, example command) of ``cmd`` run as ``op``."""
        try:
            b = orjson.dumps(cmd if _VOLATILE_NUMERIC.isdisjoint(cmd) else
                             {k: v for k, v in cmd.items() if k not in _VOLATILE}, default=str)
        except (TypeError, orjson.JSONEncodeError):
            return self.compute(op, cmd)
        exact = self._exact.get((op, b))
        if exact is not None:
            return exact
        if b"\\" in b:
            return self.compute(op, cmd)
        raw = b
        if b'["' in b:
            b = _MASK_LIST.sub(b"[?]", b)
        key = op.encode() + b"|" + _MASK_STR.sub(b":?", b)
        hit = self._d.get(key)
        if hit is None:
            if len(self._d) >= self.MAX:
                self._d.clear()
            hit = self._d[key] = self.compute(op, cmd)
        if len(self._exact) >= self.EXACT_MAX:
            del self._exact[next(iter(self._exact))]  # first in, first out
        self._exact[(op, raw)] = hit
        return hit


def _shape_op(op: str, cmd: Mapping[str, Any]) -> str:
    """The op used to print a shape (a getMore prints its originating command)."""
    if op == "getMore":
        return QUERY_COMMANDS.get(command_name(cmd), "find")
    return op
