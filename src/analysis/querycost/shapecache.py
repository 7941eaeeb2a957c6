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

import msgspec
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


_EMPTY = msgspec.Raw(b"")


class _ShapeFields(msgspec.Struct, omit_defaults=True, gc=False):
    """Every command field a shape, a blocking sort or the tailable-cursor rule reads (:func:`.shape.command_shape`)."""

    filter: msgspec.Raw = _EMPTY
    query: msgspec.Raw = _EMPTY
    q: msgspec.Raw = _EMPTY
    sort: msgspec.Raw = _EMPTY
    projection: msgspec.Raw = _EMPTY
    fields: msgspec.Raw = _EMPTY
    hint: msgspec.Raw = _EMPTY
    collation: msgspec.Raw = _EMPTY
    skip: msgspec.Raw = _EMPTY
    limit: msgspec.Raw = _EMPTY
    pipeline: msgspec.Raw = _EMPTY
    u: msgspec.Raw = _EMPTY
    update: msgspec.Raw = _EMPTY
    remove: msgspec.Raw = _EMPTY
    multi: msgspec.Raw = _EMPTY
    upsert: msgspec.Raw = _EMPTY
    key: msgspec.Raw = _EMPTY
    tailable: msgspec.Raw = _EMPTY
    awaitData: msgspec.Raw = _EMPTY


_SHAPE_FIELDS = msgspec.json.Decoder(_ShapeFields).decode
_ENCODE = msgspec.json.Encoder().encode


class SkeletonCache:
    """Shapes of raw logged commands, computed once per skeleton (the log reader's fast path).

    A shape depends on the op, the command's name (its first key) and on the fields of
    :class:`_ShapeFields` only (filter, sort, projection, limit, pipeline, …; never ``lsid``,
    ``$clusterTime``, ``$db``, read preferences), so a command's skeleton is its name and those
    fields — taken out of the raw bytes by msgspec in C, re-encoded in one fixed order — with
    the values the shape replaces by ``?`` masked by C-speed regex substitutions: string values,
    numbers other than ``-1``, ``0`` and ``1``, and lists made only of literals. Every command of
    one skeleton has the same shape: the shape prints literals as ``?`` and lists of literals as
    ``[?]``; the numbers it prints (sort and hint directions) are ``1`` / ``-1``, kept; the ones
    it tests for truth (projection flags, ``limit``, ``skip``) are ``0`` (kept) or not (a sort
    value other than 1 / -1 is one the server rejects). The few keys whose string value a shape
    keeps (``$lookup``'s ``from`` …, ``$count``, ``$unwind``, distinct's ``key``) are found once
    per skeleton; commands of such a skeleton are keyed again with those values kept
    (:class:`ShapeCache`'s mask). The shape, the pipeline's blocking sort and the tailable-cursor
    flag are computed from the first command of a skeleton decoded with orjson, which is also its
    example command. Commands seen verbatim are found by their bytes first (while at least one in
    twenty is: a log of sessions repeats none). A command's name is part of the skeleton where the
    shape prints it (a getMore's originating command); elsewhere the op decides. Bounded: :attr:`MAX`
    skeletons and :attr:`EXACT_MAX` verbatim commands, each cleared when full.
    """

    MAX = 20_000
    EXACT_MAX = 2048

    def __init__(self) -> None:
        self._exact: dict[tuple[str, bytes], Skeleton] = {}  # verbatim commands
        self._d: dict[tuple[str, bytes, bytes], Any] = {}  # a Skeleton, or _REFINE: key again with kept strings
        self._refined: dict[tuple[str, bytes, bytes], Skeleton] = {}
        #: decoded commands (the log reader's general path)
        self.fallback = ShapeCache()
        self._use_exact = True
        self._lookups = self._hits = 0

    def get(self, op: str, raw: bytes) -> Skeleton:
        """The skeleton entry of the raw command ``raw`` (a JSON object) run as ``op``.

        Raises
        ------
        orjson.JSONDecodeError
            ``raw`` is not JSON.
        """
        hit = self.get_many([op], [raw])[0]
        if hit is None:
            raise orjson.JSONDecodeError("not a JSON command", raw.decode(errors="replace"), 0)
        return hit

    def get_many(self, ops: list[str], raws: list[bytes], names: list[bytes] | None = None) -> list[Skeleton | None]:
        """:meth:`get` of many commands at once (one regex pass over them all); None for one that is not JSON.

        ``names``: the command names where they matter (a getMore's originating command; ``b""``
        elsewhere: the op decides the shape), computed from the commands when not given.
        """
        if names is None:
            names = [r[2:r.find(b'"', 2)] if op == "getMore" else b"" for op, r in zip(ops, raws)]
        if not self._use_exact:
            return self._masked_many(ops, raws, names)
        exact = self._exact
        keys = list(zip(ops, raws))
        got: list = list(map(exact.get, keys))
        miss = [i for i, hit in enumerate(got) if hit is None]
        self._lookups += len(got)
        self._hits += len(got) - len(miss)
        if self._lookups >= 4096 and self._hits < self._lookups // 20:
            self._use_exact = False  # this log repeats no command verbatim: stop looking (speed only)
        if not miss:
            return got
        found = self._masked_many([ops[i] for i in miss], [raws[i] for i in miss], [names[i] for i in miss])
        if len(exact) + len(miss) > self.EXACT_MAX:
            exact.clear()
        for i, hit in zip(miss, found):
            got[i] = hit
            if hit is not None:
                exact[keys[i]] = hit
        return got

    def _masked_many(self, ops: list[str], raws: list[bytes], names: list[bytes]) -> list[Skeleton | None]:
        try:
            fields = [_ENCODE(_SHAPE_FIELDS(r)) for r in raws]
        except (msgspec.DecodeError, msgspec.ValidationError):
            fields = [_fields_or_raw(r) for r in raws]
        joined = _MASK_VALUES.sub(b":", b"\n".join(fields))
        if b"[" in joined:
            joined = _MASK_LITERAL_LIST.sub(b"[?]", joined)
        masked = joined.split(b"\n")
        if len(masked) != len(raws):  # a raw newline (not one a log line can hold): one by one
            masked = [_masked(f) for f in fields]
        d = self._d
        got: list = list(map(d.get, zip(ops, names, masked)))
        for i, hit in enumerate(got):
            if hit is None:
                key = (ops[i], names[i], masked[i])
                try:
                    hit = _REFINE if _KEPT_MASKED.search(masked[i]) else self._decoded(ops[i], orjson.loads(raws[i]))
                except orjson.JSONDecodeError:
                    continue
                if len(d) >= self.MAX:
                    d.clear()
                    self._refined.clear()
                got[i] = d[key] = hit
        if _REFINE in got:
            self._refine_many(ops, names, fields, raws, got)
        return got

    def _refine_many(self, ops: list[str], names: list[bytes], fields: list[bytes], raws: list[bytes],
                     got: list) -> None:
        """Key again, in one regex pass, the commands of skeletons that hold strings a shape keeps."""
        idx = [i for i, hit in enumerate(got) if hit is _REFINE]
        joined = _MASK_NUM.sub(b":", _MASK_STR.sub(b":?", b"\n".join([fields[i] for i in idx])))
        if b"[" in joined:
            joined = _MASK_LITERAL_LIST.sub(b"[?]", joined)
        keys = joined.split(b"\n")
        if len(keys) != len(idx):
            keys = [_refined_key(fields[i]) for i in idx]
        for i, key in zip(idx, keys):
            k = (ops[i], names[i], key)
            hit = self._refined.get(k)
            if hit is None:
                try:
                    hit = self._refined[k] = self._decoded(ops[i], orjson.loads(raws[i]))
                except orjson.JSONDecodeError:
                    hit = None
            got[i] = hit

    def _decoded(self, op: str, cmd: Any) -> Skeleton:
        if type(cmd) is not dict:
            cmd = {}
        shape, sort, example = self.fallback.get(op, cmd)
        return Skeleton(shape, sort, example, bool(cmd.get("tailable") and cmd.get("awaitData")))


def _fields_or_raw(raw: bytes) -> bytes:
    """The shape fields of one command, or the whole command when msgspec does not take it (orjson decides)."""
    try:
        return _ENCODE(_SHAPE_FIELDS(raw))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return b"\x00" + raw  # never a skeleton of another command; its decoding says whether it is JSON


def _masked(b: bytes) -> bytes:
    b = _MASK_VALUES.sub(b":", b)
    return _MASK_LITERAL_LIST.sub(b"[?]", b) if b"[" in b else b


def _refined_key(b: bytes) -> bytes:
    b = _MASK_NUM.sub(b":", _MASK_STR.sub(b":?", b))
    return _MASK_LITERAL_LIST.sub(b"[?]", b) if b"[" in b else b
