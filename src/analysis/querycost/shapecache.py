"""Query shapes computed once per distinct command structure (the readers' shape caches).

A busy log repeats a few hundred command structures millions of times with other
values; :class:`ShapeCache` computes each structure's shape (:func:`.shape.command_shape`)
and pipeline blocking-sort flag once for decoded commands, :class:`SkeletonCache` for the
raw bytes of a logged command (the log reader's fast path: the command is never decoded,
except once per skeleton). Pure computation: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

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
    rb'(?<!"localField":")(?<!"foreignField":")(?<!"as":")(?<!"key":")(?<!"coll":")[^"\\]*"')
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


# The skeleton's masks (literal replacements: a template would leave re's C fast path). One pass masks every string
# value after a colon that does not start with "$" and holds no escape, whatever its key, to ':"' (its closing
# quote is left), and every number after a colon but -1, 0 and 1 (sort directions, projection flags, and the zero
# a truthiness test tells apart; exponents are left as they are) to ':'.
_MASK_VALUES = re.compile(rb':(?:"[^"\\$][^"\\]*(?=")|-?(?:[2-9]|[01]\d|[01]\.\d*[1-9])[\d.]*(?=[,}\]]))')
_MASK_NUM = re.compile(rb':-?(?:[2-9]|[01]\d|[01]\.\d*[1-9])[\d.]*(?=[,}\]])')
# Lists made only of literals (strings not starting with "$", numbers, booleans, null).
_LIT = rb'(?:"[^"\\$][^"\\]*"|-?\d+(?:\.\d+)?|true|false|null)'
_MASK_LITERAL_LIST = re.compile(rb"\[" + _LIT + rb"(?:," + _LIT + rb")*\]")
# A masked string value of a key whose string value the shape keeps (such skeletons are keyed again).
_KEPT_MASKED = re.compile(rb'"(?:\$count|\$unwind|\$sortByCount|\$out|from|localField|foreignField|as|key|coll)":"[,}\]]')


#: A skeleton whose commands are keyed again with the strings a shape keeps.
_REFINE = object()


class Skeleton(NamedTuple):
    """What every command of one skeleton shares: shape, blocking sort, an example, a tailable awaitData cursor."""

    shape: str
    blocking_sort: bool
    example: dict
    tailable_await: bool


class SkeletonCache:
    """Shapes of raw logged commands, computed once per skeleton (the log reader's fast path).

    A command's skeleton is its raw JSON with the values the shape replaces by ``?`` masked by
    C-speed regex substitutions: string values, numbers other than ``-1``, ``0`` and ``1``, and
    lists made only of literals. Every command of one skeleton has the same shape: the shape
    prints literals as ``?`` and lists of literals as ``[?]``; the numbers it prints (sort and
    hint directions) are ``1`` / ``-1``, kept; the ones it tests for truth (projection flags,
    ``limit``, ``skip``) are ``0`` (kept) or not (a sort value other than 1 / -1 is one the
    server rejects). The few keys whose string value a shape keeps (``$lookup``'s ``from`` …,
    ``$count``, ``$unwind``, distinct's ``key``) are found once per skeleton; commands of such a
    skeleton are keyed again with those values kept (:class:`ShapeCache`'s mask). The shape, the
    pipeline's blocking sort and the tailable-cursor flag are computed from the first command of
    a skeleton decoded with orjson, which is also its example command. A command with an escape
    is decoded and shaped by :class:`ShapeCache`. Bounded: :attr:`MAX` skeletons, then cleared.
    """

    MAX = 20_000
    EXACT_MAX = 2048

    def __init__(self) -> None:
        self._exact: dict[tuple[str, bytes], Skeleton] = {}  # verbatim commands (bounded: cleared when full)
        self._d: dict[tuple[str, bytes], Any] = {}  # a Skeleton, or _REFINE: key again with kept strings
        self._refined: dict[tuple[str, bytes], Skeleton] = {}
        #: decoded commands (those with an escape, and the log reader's general path)
        self.fallback = ShapeCache()

    def get(self, op: str, raw: bytes) -> Skeleton:
        """The skeleton entry of the raw command ``raw`` (a JSON object without escapes) run as ``op``.

        Raises
        ------
        orjson.JSONDecodeError
            ``raw`` is not JSON (only when it is decoded: a new skeleton).
        """
        b = _MASK_VALUES.sub(b":", raw)
        if b"[" in b:
            b = _MASK_LITERAL_LIST.sub(b"[?]", b)
        return self._lookup(op, raw, b)

    def get_many(self, ops: list[str], raws: list[bytes]) -> list[Skeleton | None]:
        """:meth:`get` of many commands at once; None for one that is not JSON.

        Commands seen verbatim before (the same page reloaded) are found by their bytes; the
        others are masked in one regex pass over them all.
        """
        exact = self._exact
        keys = list(zip(ops, raws))
        got: list = list(map(exact.get, keys))
        if None not in got:
            return got
        miss = [i for i, hit in enumerate(got) if hit is None]
        found = self._masked_many([ops[i] for i in miss], [raws[i] for i in miss])
        if len(exact) + len(miss) > self.EXACT_MAX:
            exact.clear()
        for i, hit in zip(miss, found):
            got[i] = hit
            if hit is not None:
                exact[keys[i]] = hit
        return got

    def _masked_many(self, ops: list[str], raws: list[bytes]) -> list[Skeleton | None]:
        joined = _MASK_VALUES.sub(b":", b"\n".join(raws))
        if b"[" in joined:
            joined = _MASK_LITERAL_LIST.sub(b"[?]", joined)
        masked = joined.split(b"\n")
        if len(masked) != len(raws):  # a raw newline (not one a log line can hold): one by one
            masked = [self._masked(r) for r in raws]
        got: list = list(map(self._d.get, zip(ops, masked)))
        if None in got:
            for i, hit in enumerate(got):
                if hit is None:
                    try:
                        got[i] = self._lookup(ops[i], raws[i], masked[i])
                    except orjson.JSONDecodeError:
                        got[i] = None
        if _REFINE in got:
            self._refine_many(ops, raws, got)
        return got

    def _refine_many(self, ops: list[str], raws: list[bytes], got: list) -> None:
        """Key again, in one regex pass, the commands of skeletons that hold strings a shape keeps."""
        idx = [i for i, hit in enumerate(got) if hit is _REFINE]
        joined = _MASK_NUM.sub(b":", _MASK_STR.sub(b":?", b"\n".join([raws[i] for i in idx])))
        if b"[" in joined:
            joined = _MASK_LITERAL_LIST.sub(b"[?]", joined)
        keys = joined.split(b"\n")
        if len(keys) != len(idx):
            keys = [self._refined_key(raws[i]) for i in idx]
        for i, key in zip(idx, keys):
            hit = self._refined.get((ops[i], key))
            if hit is None:
                try:
                    hit = self._refined[(ops[i], key)] = self._decoded(ops[i], orjson.loads(raws[i]))
                except orjson.JSONDecodeError:
                    hit = None
            got[i] = hit

    @staticmethod
    def _refined_key(raw: bytes) -> bytes:
        b = _MASK_NUM.sub(b":", _MASK_STR.sub(b":?", raw))
        return _MASK_LITERAL_LIST.sub(b"[?]", b) if b"[" in b else b

    @staticmethod
    def _masked(raw: bytes) -> bytes:
        b = _MASK_VALUES.sub(b":", raw)
        return _MASK_LITERAL_LIST.sub(b"[?]", b) if b"[" in b else b

    def _lookup(self, op: str, raw: bytes, masked: bytes) -> Skeleton:
        key = (op, masked)
        hit = self._d.get(key)
        if hit is None:
            if len(self._d) >= self.MAX:
                self._d.clear()
                self._refined.clear()
            hit = self._d[key] = _REFINE if _KEPT_MASKED.search(masked) else self._decoded(op, orjson.loads(raw))
        if hit is _REFINE:
            return self._refine(op, raw)
        return hit

    def _refine(self, op: str, raw: bytes) -> Skeleton:
        """A skeleton with the strings a shape keeps left in the key."""
        key = (op, self._refined_key(raw))
        hit = self._refined.get(key)
        if hit is None:
            hit = self._refined[key] = self._decoded(op, orjson.loads(raw))
        return hit

    def _decoded(self, op: str, cmd: Any) -> Skeleton:
        if type(cmd) is not dict:
            cmd = {}
        shape, sort, example = self.fallback.get(op, cmd)
        return Skeleton(shape, sort, example, bool(cmd.get("tailable") and cmd.get("awaitData")))
