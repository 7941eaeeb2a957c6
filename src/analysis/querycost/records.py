"""What a query record is: the row layout, the record and read-statistics types, the op vocabulary.

Every source (log, profile export, explain output, live server) yields rows as tuples
in :data:`ROW_FIELDS` order (cheap to build and to fold into a digest); small inputs can
be read as :class:`QueryRecord` objects instead. What a reader could not use is counted
in a :class:`FileStats` per file and a :class:`ReadStats` over all files;
:func:`require_usable` turns "nothing usable at all" into one
:class:`~analysis.errors.DataError` line. Pure types and helpers: no I/O here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import DataError

#: Commands whose cost is a query (command name → the record's ``op``); everything else
#: in a "Slow query" line or a profiler ``command`` entry is counted as skipped.
QUERY_COMMANDS = {
    "find": "find", "aggregate": "aggregate", "count": "count", "distinct": "distinct",
    "findAndModify": "findAndModify", "findandmodify": "findAndModify", "getMore": "getMore",
}

#: The fields every source yields first, in order (explain outputs stop here).
BASE_FIELDS = ("timestamp", "ns", "op", "shape", "plan_summary", "duration_ms", "docs_examined",
               "keys_examined", "nreturned", "reslen", "collscan", "in_memory_sort", "app_name",
               "query_hash", "source", "command")
#: What logs and profiles add when the server recorded it (None / "" / False otherwise):
#: ``internal`` is the category of an internal operation (:mod:`analysis.querycost.internal`),
#: ``""`` for an application query; times in ms (``working_ms``: 8.0's ``workingMillis``) or µs.
EXTRA_FIELDS = ("internal", "working_ms", "num_yields", "bytes_read", "cpu_nanos", "wait_us", "flow_us",
                "planning_us", "replanned", "replan_reason", "plan_cache_key", "client", "shape_hash")
#: The fields of a full row, in order (the tuple layout logs and profiles yield).
ROW_FIELDS = BASE_FIELDS + EXTRA_FIELDS
#: The extra fields of a source that records none of them.
NO_EXTRAS: tuple = ("", None, None, None, None, None, None, None, False, "", "", "", "")


@dataclass(slots=True)
class QueryRecord:
    """One query execution, whatever the source.

    ``timestamp`` is timezone-aware UTC when the source has one (explains have none).
    Numeric fields are ``None`` when the source does not record them (e.g. ``reslen``
    in an explain, ``nreturned`` of an update, fields older servers omit).
    """

    timestamp: datetime | None
    ns: str
    op: str
    shape: str
    plan_summary: str
    duration_ms: float
    docs_examined: int | None
    keys_examined: int | None
    nreturned: int | None
    reslen: int | None
    collscan: bool
    in_memory_sort: bool
    app_name: str
    query_hash: str
    source: str  # "log", "profile" or "explain"
    #: the command (or write statement) the shape was taken from; for a getMore, its
    #: originating command. Raw values: used for index advice, never displayed as is.
    command: dict = field(default_factory=dict, repr=False)
    internal: str = ""
    working_ms: float | None = None
    num_yields: int | None = None
    bytes_read: int | None = None
    cpu_nanos: int | None = None
    wait_us: int | None = None
    flow_us: int | None = None
    planning_us: int | None = None
    replanned: bool = False
    replan_reason: str = ""
    plan_cache_key: str = ""
    client: str = ""
    shape_hash: str = ""


@dataclass
class FileStats:
    """What one file held: its kind, units read (lines or documents), records, skips."""

    path: str
    kind: str = "unknown"
    lines: int = 0
    records: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    #: what the file says about the server that wrote it (a log's startup and replication lines):
    #: host, port, rs (replica set), shard (cluster role), version, role (last state) and role_at
    provenance: dict[str, str] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` units skipped for ``reason``."""
        self.skipped += n
        self.reasons[reason] += n

    def merge(self, other: FileStats) -> None:
        """Fold the stats of another part of the same file (a byte range) into these.

        Counts add up; the kind and each provenance field are the first known; the role is
        the one of the latest state transition (``role_at``); problems are kept once each.
        """
        if self.kind in ("unknown", "") and other.kind not in ("unknown", ""):
            self.kind = other.kind
        self.lines += other.lines
        self.records += other.records
        self.skipped += other.skipped
        self.reasons.update(other.reasons)
        self.problems += [q for q in other.problems if q not in self.problems]
        prov, theirs = self.provenance, other.provenance
        for k, v in theirs.items():
            if k not in ("role", "role_at") and v and not prov.get(k):
                prov[k] = v
        if theirs.get("role") and theirs.get("role_at", "") >= prov.get("role_at", ""):
            prov["role"], prov["role_at"] = theirs["role"], theirs.get("role_at", "")


@dataclass
class ReadStats:
    """Totals over all files read (and the per-file detail)."""

    files: list[FileStats] = field(default_factory=list)

    @property
    def lines(self) -> int:
        """Units read (lines or documents) over all files."""
        return sum(f.lines for f in self.files)

    @property
    def records(self) -> int:
        """Usable queries over all files."""
        return sum(f.records for f in self.files)

    @property
    def skipped(self) -> int:
        """Units skipped over all files."""
        return sum(f.skipped for f in self.files)

    @property
    def reasons(self) -> Counter:
        """Why units were skipped, with counts, over all files."""
        total: Counter = Counter()
        for f in self.files:
            total.update(f.reasons)
        return total

    @property
    def problems(self) -> list[str]:
        """File-level problems, each prefixed with its file name."""
        return [f"{Path(f.path).name}: {p}" for f in self.files for p in f.problems]

    def summary(self) -> str:
        """One line: files, units read, records, skipped and the top reasons."""
        top = ", ".join(f"{r} ×{n}" for r, n in self.reasons.most_common(4))
        return (f"{len(self.files)} file(s), {self.lines} lines/documents read, {self.records} queries, "
                f"{self.skipped} skipped" + (f" ({top})" if top else ""))

    def table(self) -> list[dict[str, Any]]:
        """Per-file rows for display."""
        return [{"file": Path(f.path).name, "kind": f.kind, "read": f.lines, "queries": f.records,
                 "skipped": f.skipped,
                 "why skipped": "; ".join(f"{r} ×{n}" for r, n in f.reasons.most_common()),
                 "problems": "; ".join(f.problems)} for f in self.files]


#: File kinds that are MongoDB evidence (a log, a profile export, an explain output).
EVIDENCE_KINDS = frozenset({"log", "text-log", "profile", "explain"})


def evidence_lines(stats: ReadStats) -> int:
    """Units read from the files that are MongoDB evidence (what "no slow query in N lines" may speak of)."""
    return sum(f.lines for f in stats.files if f.kind in EVIDENCE_KINDS)


def require_usable(stats: ReadStats) -> None:
    """Raise one :class:`DataError` line when no file is MongoDB evidence at all.

    A log with no slow application query (a healthy server) is evidence: the audit
    reports it as a finding, not an error. Only inputs of which no file is a MongoDB
    log, profile export or explain output (empty, binary, text that is none of them, unrelated
    JSON) raise.

    Parameters
    ----------
    stats : ReadStats
        What was read.

    Raises
    ------
    DataError
        ``no usable slow queries in N file(s): <problems or summary>``.
    """
    if stats.records == 0 and not any(f.kind in EVIDENCE_KINDS for f in stats.files):
        detail = "; ".join(stats.problems) or stats.summary()
        raise DataError(f"no usable slow queries in {len(stats.files)} file(s): {detail}")


def as_int(v: Any) -> int | None:
    """An int from a JSON number or an Extended JSON number wrapper (None when absent or unreadable).

    Examples
    --------
    >>> as_int({"$numberLong": "42"}), as_int(3.9), as_int(True), as_int(None)
    (42, 3, None, None)
    """
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, dict):
        for k in ("$numberLong", "$numberInt", "$numberDouble"):
            if k in v:
                try:
                    return int(float(v[k]))
                except (TypeError, ValueError):
                    return None
    return None


def command_name(command: Mapping[str, Any]) -> str:
    """The command's name: its first key (``""`` for an empty or non-document command)."""
    return next(iter(command), "") if isinstance(command, Mapping) else ""
