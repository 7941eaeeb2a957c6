"""Index definitions and usage statistics: exported JSON files or a live server (read-only).

Files (``index_stats_paths``: ``$indexStats`` output; ``indexes_paths``: ``getIndexes()``
output), relaxed or canonical Extended JSON, or mongosh's printed output, in one of two forms:

* one document keyed by collection — what the runbook's one-liner writes::

    mongosh "$MONGO_URI" --quiet --eval 'EJSON.stringify({exported_at: new Date(), database: db.getName(),
      ...Object.fromEntries(db.getCollectionNames().map(c => [c, db[c].aggregate([{$indexStats: {}}]).toArray()]))})'

  (``getIndexes()`` in place of the aggregate for the definitions); the keys ``exported_at``,
  ``database`` and ``synthetic`` are not collections;
* the plain array of one collection (``db.c.aggregate([{$indexStats: {}}])`` /
  ``db.c.getIndexes()``), given as ``COLLECTION=path`` (else the file's stem is the collection).

Live (:func:`read_live`): ``listIndexes`` and ``$indexStats`` per collection, each with
``maxTimeMS``; a read the server refuses for any reason (no ``indexStats`` privilege, a server
that does not implement ``$indexStats``…) is one WARN line naming it, and the rest of the audit
runs. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...config import resolve_path
from ...errors import DataError, SourceError, one_line
from ...timeparse import parse_instant
from ...mongodb import ejson
from ...mongodb.explain import looks_like_shell_output, parse_shell_output
from ...mongodb.explain.plan import number
from ..hygiene import IndexInfo, index_info, merge_usage
from .live import Refusals

_RESERVED = ("exported_at", "database", "synthetic")


@dataclass
class IndexEvidence:
    """Indexes with their usage, when they were read, and what the reader should know."""

    indexes: list[IndexInfo] = field(default_factory=list)
    as_of: datetime | None = None
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)


def _decode(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if looks_like_shell_output(text[:4096]):
        values = parse_shell_output(text)
        return values[0] if len(values) == 1 else values
    return ejson.loads(text)


def _by_collection(spec: str, database: str) -> tuple[dict[str, list], dict[str, Any]]:
    """``({ns: [documents]}, reserved keys)`` of one file given as ``path`` or ``COLLECTION=path``."""
    coll, _, raw = spec.rpartition("=") if "=" in spec else ("", "", spec)
    path = resolve_path(raw)
    if not path.is_file():
        raise SourceError(f"{raw}: no such file")
    try:
        value = _decode(path)
    except (ValueError, DataError) as exc:
        raise DataError(f"{raw}: not an index export ({one_line(exc, 160)})") from None
    if isinstance(value, list):
        return {f"{database}.{coll or path.stem}": value}, {}
    if not isinstance(value, Mapping):
        raise DataError(f"{raw}: not an index export (expected a JSON array or a document keyed by collection)")
    db = str(value.get("database") or database)
    return ({f"{db}.{c}": docs for c, docs in value.items() if c not in _RESERVED and isinstance(docs, list)},
            {k: value[k] for k in _RESERVED if k in value})


def read_files(index_stats_paths: Sequence[str], indexes_paths: Sequence[str], *, database: str) -> IndexEvidence:
    """Indexes and usage from exported files (see the module text).

    Parameters
    ----------
    index_stats_paths, indexes_paths : sequence of str
        ``$indexStats`` and ``getIndexes()`` exports (``path`` or ``COLLECTION=path``).
    database : str
        Database of collections a file does not name.

    Returns
    -------
    IndexEvidence
        ``as_of`` is the latest ``exported_at`` (else None); ``synthetic`` when a file says so.

    Raises
    ------
    SourceError, DataError
        A file is missing or is not an index export (one line naming it).
    """
    ev = IndexEvidence()
    defs: list[IndexInfo] = []
    stats: list[tuple[str, Mapping[str, Any]]] = []
    for paths, into_stats in ((indexes_paths, False), (index_stats_paths, True)):
        for spec in paths:
            by_ns, meta = _by_collection(spec, database)
            ev.synthetic |= bool(meta.get("synthetic"))
            exported = parse_instant(meta.get("exported_at"))
            if exported is not None:
                ev.as_of = max(d for d in (ev.as_of, exported) if d is not None)
            for ns, docs in by_ns.items():
                if into_stats:
                    stats += [(ns, d) for d in docs if isinstance(d, Mapping)]
                else:
                    defs += [index_info(ns, d) for d in docs if isinstance(d, Mapping)]
    ev.indexes = merge_usage(defs, stats)
    return ev


def read_live(db: Any, collections: Sequence[str], *, max_time_ms: int,
              refusals: Refusals | None = None) -> IndexEvidence:
    """Indexes (``listIndexes``) and usage (``$indexStats``) of a live database, read-only.

    Parameters
    ----------
    db : Database
        A (read-only) pymongo database.
    collections : sequence of str
        Collections to read.
    max_time_ms : int
        ``maxTimeMS`` of each command.
    refusals : Refusals, optional
        Where refusals are noted (a new one otherwise; its lines become ``notes``).

    Returns
    -------
    IndexEvidence
        ``as_of`` now (UTC); one WARN note per read the server refused and reason (``listIndexes`` /
        ``$indexStats``, whatever the reason: Unauthorized, NotImplemented, CommandNotFound, …), naming
        the collections; the rest is read.
    """
    own = refusals is None
    refusals = Refusals() if refusals is None else refusals
    ev = IndexEvidence(as_of=datetime.now(timezone.utc))
    defs: list[IndexInfo] = []
    stats: list[tuple[str, Mapping[str, Any]]] = []
    for coll in collections:
        ns = f"{db.name}.{coll}"
        for what in ("listIndexes", "$indexStats"):
            try:
                if what == "listIndexes":
                    reply = db.command({"listIndexes": coll, "maxTimeMS": max_time_ms})
                    defs += [index_info(ns, d) for d in reply["cursor"]["firstBatch"]]
                else:
                    stats += [(ns, d) for d in db[coll].aggregate([{"$indexStats": {}}], maxTimeMS=max_time_ms)]
            except Exception as exc:  # noqa: BLE001 - an optional read: one WARN line, the audit goes on
                refusals.add(what, exc, ns)
    ev.indexes = merge_usage(defs, stats)
    if own:
        ev.notes += refusals.lines()
    return ev


def index_keys(ev: IndexEvidence) -> list[tuple[str, list[tuple[str, int]]]]:
    """The indexes as ``(collection, [(field, direction)])`` for the index advice (``_id_`` left out)."""
    out = []
    for ix in ev.indexes:
        if ix.name != "_id_" and ix.ordinary:
            out.append((ix.ns.split(".", 1)[-1], [(f, int(number(d) or 1)) for f, d in ix.keys]))
    return out


__all__ = ["IndexEvidence", "read_files", "read_live", "index_keys"]
