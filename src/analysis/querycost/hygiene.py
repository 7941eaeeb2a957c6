"""Index hygiene: unused and redundant indexes, and which digested shapes use each index (pure).

Rules (a reader can check them by hand):

* **Unused** — ``$indexStats`` counted no operation (``accesses.ops == 0``) since
  ``accesses.since``. Statistics restart with the server (and with the index), and each
  replica-set member counts only what it served: an index is judged unused only when
  every member reported was observed for at least ``min_observation_days`` (else "not
  conclusive"), and reads routed to members not exported are not seen. ``_id_`` is never
  a candidate; a unique index enforces a constraint and a TTL index is read by the TTL
  monitor (not counted): both are kept.
* **Redundant** — an index whose keys are a strict prefix of another index's keys on the
  same collection, with the same directions, is served by the longer one. Not when the
  two differ in unique, partial filter, sparse, TTL, hidden or collation (the shorter one
  then does something the longer does not), nor for special keys (text, 2dsphere, hashed).
* **Shapes using an index** — digested shapes whose plan summary names the index's key
  pattern the way mongod prints it (``IXSCAN { user_id: 1 }``; ``_id_`` also for IDHACK and
  express ``_id`` lookups).
* **Advice: hide before drop.** A candidate is hidden first (``hideIndex``: the planner stops
  using it, writes still maintain it, ``unhideIndex`` brings it back at once); it is dropped
  only after a full business cycle without regressions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pandas as pd

from ..mongodb.explain.plan import format_key_pattern, number
from ..timeparse import parse_instant

#: Columns of the hygiene table.
HYGIENE_COLUMNS = ["status", "collection", "index", "keys", "properties", "ops", "observed_days", "shapes",
                   "executions", "verdict", "advice"]
HIDE = "hide, then drop after a clean cycle"


@dataclass(frozen=True)
class IndexInfo:
    """One index of one collection, with its usage statistics when known."""

    ns: str
    name: str
    keys: tuple[tuple[str, Any], ...]
    unique: bool = False
    sparse: bool = False
    partial: Mapping[str, Any] | None = field(default=None, compare=False)
    ttl_s: float | None = None
    hidden: bool = False
    collation: Mapping[str, Any] | None = field(default=None, compare=False)
    ops: int | None = None
    since: datetime | None = None
    hosts: int = 0

    @property
    def key_text(self) -> str:
        """The key pattern as mongod prints it (``{ user_id: 1, created_at: -1 }``)."""
        return format_key_pattern(dict(self.keys))

    @property
    def ordinary(self) -> bool:
        """Every key is ascending or descending (no text / 2dsphere / hashed key)."""
        return all(number(d) in (1.0, -1.0) for _, d in self.keys)

    def properties(self) -> str:
        """The options that change what the index does, as a short text."""
        props = [p for p, on in (("unique", self.unique), ("sparse", self.sparse), ("partial", bool(self.partial)),
                                 (_ttl_text(self.ttl_s), self.ttl_s is not None),
                                 ("hidden", self.hidden), ("collation", bool(self.collation))) if on]
        return ", ".join(props)


def _ttl_text(ttl_s: float | None) -> str:
    if ttl_s is None:
        return ""
    return f"TTL {ttl_s / 86400:g} d" if ttl_s >= 86400 else f"TTL {ttl_s:g} s"


def index_info(ns: str, spec: Mapping[str, Any]) -> IndexInfo:
    """An :class:`IndexInfo` from a ``listIndexes`` / ``getIndexes()`` entry (or an ``$indexStats`` ``spec``)."""
    key = spec.get("key") or {}
    ttl = number(spec.get("expireAfterSeconds"))
    return IndexInfo(ns=ns, name=str(spec.get("name", "")), keys=tuple((str(k), v) for k, v in key.items()),
                     unique=bool(spec.get("unique")), sparse=bool(spec.get("sparse")),
                     partial=spec.get("partialFilterExpression") or None, ttl_s=ttl, hidden=bool(spec.get("hidden")),
                     collation=spec.get("collation") or None)


def merge_usage(indexes: Iterable[IndexInfo], stats: Iterable[tuple[str, Mapping[str, Any]]]) -> list[IndexInfo]:
    """Attach ``$indexStats`` documents to the indexes (summed over hosts; the latest ``since`` kept).

    Parameters
    ----------
    indexes : iterable of IndexInfo
        From ``listIndexes`` / ``getIndexes()``. An index only ``$indexStats`` knows (with its
        ``spec``, 4.2+) is added.
    stats : iterable of (ns, document)
        ``$indexStats`` output documents with their namespace.

    Returns
    -------
    list of IndexInfo
    """
    by_key = {(ix.ns, ix.name): ix for ix in indexes}
    for ns, doc in stats:
        name = str(doc.get("name", ""))
        ix = by_key.get((ns, name)) or index_info(ns, doc.get("spec") or {"name": name, "key": doc.get("key") or {}})
        acc = doc.get("accesses") or {}
        ops = number(acc.get("ops"))
        since = parse_instant(acc.get("since"))  # datetime, Extended JSON or the ISO text of mongosh output
        later = max([d for d in (ix.since, since) if d is not None], default=None)
        by_key[(ns, name)] = replace(ix, ops=(ix.ops or 0) + int(ops or 0), since=later, hosts=ix.hosts + 1)
    return list(by_key.values())


def redundant_to(ix: IndexInfo, others: Sequence[IndexInfo]) -> IndexInfo | None:
    """The longer index ``ix`` is a strict prefix of (see the module rules), or None."""
    if ix.name == "_id_" or ix.unique or ix.ttl_s is not None or not ix.ordinary:
        return None
    for other in others:
        same_options = (other.sparse, other.partial, other.hidden, other.collation, other.ttl_s is None) == \
            (ix.sparse, ix.partial, ix.hidden, ix.collation, True)
        longer = len(other.keys) > len(ix.keys) and other.keys[:len(ix.keys)] == ix.keys
        if other.ns == ix.ns and other.name != ix.name and longer and same_options and other.ordinary:
            return other
    return None


def _observed_days(ix: IndexInfo, as_of: datetime | None) -> float | None:
    if ix.since is None or as_of is None:
        return None
    return (as_of - ix.since).total_seconds() / 86400.0


def _uses(ix: IndexInfo, plans: Sequence[tuple[str, int]]) -> tuple[int, int]:
    """(shapes, executions) among a collection's ``(plan summary, count)`` pairs that name the index."""
    marks = [ix.key_text] + (["IDHACK", "EXPRESS_IXSCAN { _id: 1 }"] if ix.name == "_id_" else [])
    hits = [n for plan, n in plans if any(m in plan for m in marks)]
    return len(hits), int(sum(hits))


def _plans_by_ns(digest: pd.DataFrame | None) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    if digest is None or not len(digest):
        return out
    for ns, plan, n in zip(digest["ns"], digest["plan_summary"], digest["count"]):
        out.setdefault(str(ns), []).append((str(plan), int(n)))
    return out


def _verdict(ix: IndexInfo, longer: IndexInfo | None, days: float | None, min_days: float) -> tuple[str, str]:
    if longer is not None:
        return f"REDUNDANT: prefix of {longer.name}", HIDE
    if ix.ops is None:
        return "no usage statistics", "export $indexStats to judge usage"
    if ix.ops > 0:
        return "used", ""
    if ix.name == "_id_":
        return "unused (_id_)", "keep: every collection has it"
    if ix.unique:
        return "unused, unique", "keep: it enforces uniqueness"
    if ix.ttl_s is not None:
        return "unused, TTL", "keep: the TTL monitor deletes through it (not counted)"
    if days is None or days < min_days:
        return "unused (not conclusive)", f"observed {days or 0:.1f} days < {min_days:g}: export again later"
    if ix.hidden:
        return "UNUSED (already hidden)", "drop after a clean cycle"
    return "UNUSED", HIDE


def index_hygiene(indexes: Sequence[IndexInfo], digest: pd.DataFrame | None = None, *,
                  as_of: datetime | None = None, min_observation_days: float = 7.0) -> pd.DataFrame:
    """The hygiene table: per index its usage, the shapes using it, a verdict and the advice.

    Parameters
    ----------
    indexes : sequence of IndexInfo
        Indexes with usage statistics (:func:`merge_usage`).
    digest : DataFrame, optional
        The per-shape digest (``ns``, ``plan_summary``, ``count``).
    as_of : datetime, optional
        When the statistics were read (for the observation window).
    min_observation_days : float
        Shorter windows make an "unused" verdict not conclusive.

    Returns
    -------
    DataFrame
        Columns :data:`HYGIENE_COLUMNS`, one row per index, by collection and index name;
        ``status`` WARN for a drop candidate, INFO when usage is unknown or not conclusive, else OK.
    """
    plans = _plans_by_ns(digest)
    same_ns: dict[str, list[IndexInfo]] = {}
    for ix in indexes:
        same_ns.setdefault(ix.ns, []).append(ix)
    rows = []
    for ix in sorted(indexes, key=lambda i: (i.ns, i.name)):
        longer = redundant_to(ix, same_ns[ix.ns])
        days = _observed_days(ix, as_of)
        shapes, execs = _uses(ix, plans.get(ix.ns, []))
        verdict, advice = _verdict(ix, longer, days, min_observation_days)
        status = "WARN" if advice in (HIDE, "drop after a clean cycle") else (
            "INFO" if verdict.startswith(("unused (not", "no usage")) else "OK")
        rows.append({"status": status, "collection": ix.ns.split(".", 1)[-1], "index": ix.name, "keys": ix.key_text,
                     "properties": ix.properties(), "ops": ix.ops, "observed_days": days, "shapes": shapes,
                     "executions": execs, "verdict": verdict, "advice": advice})
    return pd.DataFrame(rows, columns=HYGIENE_COLUMNS)


def drop_candidates(table: pd.DataFrame) -> pd.DataFrame:
    """The rows whose advice is to hide the index (unused or redundant)."""
    return table[table["advice"] == HIDE] if len(table) else table
