"""Per-shape digest of query records (what mloginfo --queries / pt-mongodb-query-digest compute).

Key: (namespace, operation, query shape, plan summary, internal category). Per key: count,
total / mean / p50 / p95 / p99 / max duration, documents and keys examined, documents
returned, the examined-per-returned ratios, COLLSCAN and in-memory SORT counts, response
bytes total and mean, share of total time, and — when the server logged them — time
working (8.0 ``workingMillis``), yields, bytes read, CPU, lock / ticket / flow-control
waits, planning time and replans. Sorted by total time, largest first.

Map → merge
-----------
A :class:`Digester` folds rows chunk by chunk (``numpy.bincount`` / ``ufunc.at`` per
column, :mod:`.groups`); :meth:`Digester.merge` folds another digester's totals. Counts,
sums, minima and maxima are exact, and merging is associative and commutative: the
digest of files A and B equals the merge of the digests of A and B, in any order or split
(tested). Besides the shapes it keeps the plan table (:mod:`.stability`), the clients and
the per-minute timeline (:mod:`.timeline`).

Percentile definition
---------------------
``exact=True`` (single-process runs): durations are kept as exact value counts per key
(mongod logs whole milliseconds, so the table is bounded by the longest duration, not by
the number of lines) and percentiles use numpy's default ("linear", Hyndman & Fan type 7)
definition: with the ``n`` durations sorted ascending as ``x[0..n-1]`` and
``h = (n - 1) * q``, the q-quantile is ``x[floor(h)] + (h - floor(h)) * (x[ceil(h)] -
x[floor(h)])`` (equals ``numpy.percentile``). ``exact=False`` (partial digests of a
distributed run): percentiles come from fixed log-spaced bins (:mod:`.histogram`) and are
within :data:`~.histogram.BIN_ERROR` (≈ 1 %) of the exact ones. The timeline always uses bins.

``share_of_time`` is a shape's share of the total time of its class: application queries,
or internal operations (so an oplog tail of hours does not dwarf the application's shapes).
Ratios are ratios of totals: ``examined_per_returned = sum(docs_examined) /
max(sum(nreturned), 1)``. Missing figures (older servers, explain has no reslen) are left
out of totals; a total over no value is NaN.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

import numpy as np
import pandas as pd

from .groups import GroupSums
from .histogram import SparseCounts, bin_of, bin_value, weighted_quantile
from .records import BASE_FIELDS, NO_EXTRAS, ROW_FIELDS
from .timeline import MINUTE_BITS, MinuteClock, timeline_frame, timeline_key

log = logging.getLogger(__name__)

KEY = ("ns", "op", "shape", "plan_summary", "internal")
COLUMNS = [
    "ns", "op", "shape", "plan_summary", "internal", "count", "total_ms", "mean_ms", "p50_ms", "p95_ms", "p99_ms",
    "max_ms", "docs_examined", "keys_examined", "nreturned", "examined_per_returned", "keys_per_returned",
    "collscan", "in_memory_sort", "reslen_total", "reslen_mean", "share_of_time", "working_ms", "waiting_ms",
    "num_yields", "bytes_read", "cpu_ms", "wait_ms", "flow_control_ms", "planning_ms", "replanned",
    "replan_reasons", "sources", "app_names", "query_hash", "shape_hash",
]
_SOURCE_BITS = {"log": 1, "profile": 2, "explain": 4}
#: Optional numeric fields: (row field, digest column, scale to the column's unit).
_NUMERIC = (("docs_examined", "docs_examined", 1.0), ("keys_examined", "keys_examined", 1.0),
            ("nreturned", "nreturned", 1.0), ("reslen", "reslen_total", 1.0), ("working_ms", "working_ms", 1.0),
            ("num_yields", "num_yields", 1.0), ("bytes_read", "bytes_read", 1.0), ("cpu_nanos", "cpu_ms", 1e-6),
            ("wait_us", "wait_ms", 1e-3), ("flow_us", "flow_control_ms", 1e-3), ("planning_us", "planning_ms", 1e-3))
CHUNK_ROWS = 512


def _shape_columns() -> dict[str, str]:
    cols = {"count": "isum", "total": "sum", "max": "max", "collscan": "isum", "sort": "isum", "replanned": "isum",
            "sources": "or"}
    for field, _, _ in _NUMERIC:
        cols[f"{field}_sum"] = "sum"
        cols[f"{field}_n"] = "isum"
        if field == "working_ms":
            cols["working_total"] = "sum"  # durations of the rows that report workingMillis
    return cols


class Digester:
    """Accumulate rows chunk by chunk; :meth:`frame` gives the digest table.

    Parameters
    ----------
    exact : bool
        Keep exact duration value counts (exact percentiles); else log-spaced bins only.
    """

    def __init__(self, exact: bool = True) -> None:
        self.exact = exact
        self.shapes = GroupSums(_shape_columns())
        self.commands: list[dict] = []
        self.apps: list[set] = []
        self.hashes: list[list[str]] = []  # [query hash, query shape hash] per key
        self.reasons: Counter = Counter()  # (key id, replan reason) → count
        self.values = SparseCounts()  # (key id, duration) → count (exact mode)
        self.bins = SparseCounts()  # (key id, bin) → count
        self.timeline = SparseCounts()  # (key id << MINUTE_BITS | minute, bin) → count
        self.plans = GroupSums({"count": "isum", "total": "sum", "replanned": "isum", "first": "min", "last": "max"})
        self.clients = GroupSums({"count": "isum", "total": "sum"})
        #: the file the rows come from (set by the reader): the member dimension of a fleet digest
        self.file = ""
        self.members = GroupSums({"count": "isum", "total": "sum", "collscan": "isum", "internal": "isum",
                                  "internal_total": "sum"})
        self.member_bins = SparseCounts()  # (member id, bin) → count, application queries
        self._clock = MinuteClock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_clock"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._clock = MinuteClock()

    def add_chunk(self, rows: Sequence[tuple]) -> None:
        """Fold one chunk of rows (tuples in ``records.ROW_FIELDS`` order, or ``BASE_FIELDS`` only) into the totals."""
        if not rows:
            return
        if len(rows[0]) != len(ROW_FIELDS) or len(rows[-1]) != len(ROW_FIELDS):
            rows = [r + NO_EXTRAS if len(r) == len(BASE_FIELDS) else r for r in rows]
        self.add_columns(dict(zip(ROW_FIELDS, zip(*rows))))

    def add_columns(self, c: Mapping[str, Sequence]) -> None:
        """Fold one chunk given as columns (one equally long sequence per field of ``records.ROW_FIELDS``)."""
        n = len(c["duration_ms"])
        if not n:
            return
        keys = list(zip(*(c[k] for k in KEY)))
        kid, new = self.shapes.intern(keys)
        self._new_keys(new, keys, kid, c["command"])
        d = np.fromiter(c["duration_ms"], np.float64, n)
        minutes = self._clock.minutes(c["timestamp"])
        src = c["source"]
        cols = {"count": np.ones(n), "total": d, "max": d, "collscan": _floats(c["collscan"], n),
                "sort": _floats(c["in_memory_sort"], n), "replanned": _floats(c["replanned"], n),
                "sources": (np.full(n, _SOURCE_BITS[src[0]], np.int64) if src.count(src[0]) == n else
                            np.fromiter((_SOURCE_BITS[s] for s in src), np.int64, n))}
        for field, _, _ in _NUMERIC:
            col = c[field]
            missing = col.count(None)
            if missing == n:
                continue  # not recorded by this source: nothing to add
            v = _floats(col, n) if missing == 0 else np.array(col, dtype=np.float64)  # None → nan
            ok = ~np.isnan(v)
            cols[f"{field}_sum"] = np.where(ok, v, 0.0)
            cols[f"{field}_n"] = ok.astype(np.float64)
            if field == "working_ms":
                cols["working_total"] = np.where(ok, d, 0.0)
        self.shapes.add(kid, **cols)
        self._per_key_sets(kid, c)
        b = bin_of(d)
        if self.exact:
            self.values.add(kid, d)
        self.bins.add(kid, b)
        tkey, ok = timeline_key(kid, minutes)
        self.timeline.add(tkey, b[ok])
        self._plans_and_clients(c, d, minutes)
        self._member(c["internal"], d, cols["collscan"], b)

    def _member(self, internal: Sequence[str], d: np.ndarray, collscan: np.ndarray, b: np.ndarray) -> None:
        """Totals of the current file (application vs internal), and its application duration bins."""
        n = len(d)
        mid, _ = self.members.intern([(self.file,)])
        is_int = np.zeros(n, bool) if internal.count("") == n else np.fromiter(map(bool, internal), bool, n)
        app = ~is_int
        self.members.add(mid, count=np.array([app.sum()], float), total=np.array([d[app].sum()]),
                         collscan=np.array([collscan[app].sum()]), internal=np.array([is_int.sum()], float),
                         internal_total=np.array([d[is_int].sum()]))
        self.member_bins.add(np.full(int(app.sum()), mid[0]), b[app])

    def _new_keys(self, new: list[int], keys: list[tuple], kid: np.ndarray, commands: Sequence[dict]) -> None:
        if not new:
            return
        first = {}
        for i, k in enumerate(kid.tolist()):
            first.setdefault(k, i)
        for k in new:
            self.commands.append(commands[first[k]])
            self.apps.append(set())
            self.hashes.append(["", ""])

    def _per_key_sets(self, kid: np.ndarray, c: Mapping[str, Sequence]) -> None:
        """App names, the first query hash / shape hash and replan reasons per key (few distinct values)."""
        # dict.fromkeys, not a set: the first hash of a key is the first in row order, whatever the hash seed
        for i, ap, qh, sh in dict.fromkeys(zip(kid.tolist(), c["app_name"], c["query_hash"], c["shape_hash"])):
            if ap:
                self.apps[i].add(ap)
            h = self.hashes[i]
            if qh and not h[0]:
                h[0] = qh
            if sh and not h[1]:
                h[1] = sh
        reasons = c["replan_reason"]
        if any(reasons):
            self.reasons.update((i, r) for i, r in zip(kid.tolist(), reasons) if r)

    def _plans_and_clients(self, c: Mapping[str, Sequence], d: np.ndarray, minutes: np.ndarray) -> None:
        qh = c["query_hash"]
        has = np.fromiter(map(bool, qh), bool, len(qh))
        if has.any():
            idx = np.flatnonzero(has)
            plan, pck, ns, internal = c["plan_summary"], c["plan_cache_key"], c["ns"], c["internal"]
            keys = [(qh[i], plan[i], pck[i], ns[i], internal[i]) for i in idx.tolist()]
            pid, _ = self.plans.intern(keys)
            m = minutes[idx].astype(np.float64)
            self.plans.add(pid, count=np.ones(len(pid)), total=d[idx],
                           replanned=np.asarray(c["replanned"], float)[idx],
                           first=np.where(m >= 0, m, np.inf), last=m)
        ckeys = list(zip(c["client"], c["app_name"], c["internal"]))
        cid, _ = self.clients.intern(ckeys)
        self.clients.add(cid, count=np.ones(len(cid)), total=d)

    def merge(self, other: Digester) -> None:
        """Fold another digester's totals into this one (partial digests of chunks, in any order)."""
        n_before = len(self.shapes)
        mapping = self.shapes.merge(other.shapes)
        for j, i in enumerate(mapping.tolist()):
            if i >= n_before:
                self.commands.append(other.commands[j])
                self.apps.append(set())
                self.hashes.append(["", ""])
            self.apps[i] |= other.apps[j]
            for h in (0, 1):
                if not self.hashes[i][h]:
                    self.hashes[i][h] = other.hashes[j][h]
        self.reasons.update({(int(mapping[k]), r): n for (k, r), n in other.reasons.items()})
        if self.exact and other.exact:
            self.values.merge(other.values, mapping)
        self.exact = self.exact and other.exact
        self.bins.merge(other.bins, mapping)
        other.timeline.fold()
        tk = other.timeline.keys
        self.timeline.add((mapping[tk >> MINUTE_BITS] << MINUTE_BITS) | (tk & ((1 << MINUTE_BITS) - 1)),
                          other.timeline.values, other.timeline.counts)
        self.plans.merge(other.plans)
        self.clients.merge(other.clients)
        self.member_bins.merge(other.member_bins, self.members.merge(other.members))

    def frame(self) -> pd.DataFrame:
        """The digest table, sorted by total time (largest first)."""
        n = len(self.shapes)
        if n == 0:
            return pd.DataFrame(columns=COLUMNS + ["command", "key_id"])
        a = {k: self.shapes.column(k) for k in self.shapes.cols}
        df = pd.DataFrame(self.shapes.keys, columns=list(KEY))
        df["count"] = a["count"]
        df["total_ms"] = a["total"]
        df["mean_ms"] = a["total"] / a["count"]
        table = self.values.fold() if self.exact else self.bins.fold()
        vals = table.values if self.exact else bin_value(table.values)
        for q, col in ((0.50, "p50_ms"), (0.95, "p95_ms"), (0.99, "p99_ms")):
            df[col] = weighted_quantile(vals, table.counts, table.keys, q)
        df["max_ms"] = a["max"]
        for field, col, scale in _NUMERIC:
            df[col] = np.where(a[f"{field}_n"] > 0, a[f"{field}_sum"] * scale, np.nan)
        df["examined_per_returned"] = df["docs_examined"] / np.maximum(df["nreturned"], 1)
        df["keys_per_returned"] = df["keys_examined"] / np.maximum(df["nreturned"], 1)
        df["collscan"] = a["collscan"]
        df["in_memory_sort"] = a["sort"]
        df["reslen_mean"] = df["reslen_total"] / np.where(a["reslen_n"] > 0, a["reslen_n"], np.nan)
        df["waiting_ms"] = np.where(a["working_ms_n"] > 0, a["working_total"] - a["working_ms_sum"], np.nan)
        df["replanned"] = a["replanned"]
        df["replan_reasons"] = _reasons(self.reasons, n)
        internal = df["internal"].to_numpy() != ""
        grand = np.where(internal, a["total"][internal].sum(), a["total"][~internal].sum())
        df["share_of_time"] = np.divide(a["total"], grand, out=np.zeros(n), where=grand > 0)
        df["sources"] = ["+".join(s for s, b in _SOURCE_BITS.items() if bits & b) for bits in a["sources"]]
        df["app_names"] = [", ".join(sorted(s)) for s in self.apps]
        df["query_hash"] = [h[0] for h in self.hashes]
        df["shape_hash"] = [h[1] for h in self.hashes]
        df["command"] = self.commands
        df["key_id"] = np.arange(n)
        df = df.sort_values(["total_ms", "count", "ns", "shape", "internal"], ascending=[False, False, True, True, True],
                            kind="stable")
        return df.reset_index(drop=True)[COLUMNS + ["command", "key_id"]]

    def timeline_frame(self, label_of: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
        """Per (label, minute): count and p95 (bins); see :func:`.timeline.timeline_frame`."""
        t = self.timeline.fold()
        return timeline_frame(t.keys, t.values.astype(np.int64), t.counts, label_of, names)

    def plans_frame(self) -> pd.DataFrame:
        """Per (query hash, plan summary, plan cache key, ns, internal): count, total, replanned, first / last minute."""
        p = self.plans
        df = pd.DataFrame(p.keys, columns=["query_hash", "plan_summary", "plan_cache_key", "ns", "internal"])
        for col in ("count", "total", "replanned", "first", "last"):
            df[col] = p.column(col)
        return df

    def members_frame(self, label_of: Mapping[str, str]) -> pd.DataFrame:
        """Per member (files grouped by ``label_of[file]``): application queries, time, COLLSCAN,
        internal operations and the application p95 (from bins, ±1 %)."""
        m = self.members
        labels = [label_of.get(k[0], k[0]) for k in m.keys]
        names = sorted(set(labels))
        lid = np.array([names.index(x) for x in labels], np.int64)
        df = pd.DataFrame({"member": names})
        for col in m.cols:
            df[col] = np.bincount(lid, weights=m.column(col), minlength=len(names)) if len(lid) else []
        df["files"] = np.bincount(lid, minlength=len(names)) if len(lid) else []
        bins = self.member_bins.fold()
        df["p95_ms"] = np.nan
        if len(bins.keys):
            k, b, c = lid[bins.keys], bins.values.astype(np.int64), bins.counts
            order = np.lexsort((b, k))
            uniq, group = np.unique(k[order], return_inverse=True)
            df.loc[uniq, "p95_ms"] = weighted_quantile(bin_value(b[order]), c[order], group, 0.95)
        return df

    def clients_frame(self) -> pd.DataFrame:
        """Per (client address, appName, internal): count and total time."""
        df = pd.DataFrame(self.clients.keys, columns=["client", "app_name", "internal"])
        df["count"] = self.clients.column("count")
        df["total_ms"] = self.clients.column("total")
        return df


def _floats(col: Sequence, n: int) -> np.ndarray:
    """A column of numbers or booleans (no None) as float64."""
    return np.fromiter(col, np.float64, n)


def _reasons(reasons: Counter, n: int) -> list[str]:
    out: list[list[str]] = [[] for _ in range(n)]
    for (k, r), c in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0][1])):
        out[k].append(f"{r} ×{c}")
    return ["; ".join(x) for x in out]


def feed(dig: Digester, rows: Iterable[tuple], chunk_rows: int = CHUNK_ROWS) -> Digester:
    """Fold rows into ``dig`` chunk by chunk; returns ``dig``."""
    it = iter(rows)
    while chunk := list(islice(it, chunk_rows)):
        dig.add_chunk(chunk)
    return dig


def digest_rows(rows: Iterable[tuple], chunk_rows: int = CHUNK_ROWS, *, exact: bool = True) -> pd.DataFrame:
    """Digest an iterable of normalized rows in bounded memory.

    Parameters
    ----------
    rows : iterable of tuple
        Rows in :data:`analysis.querycost.records.ROW_FIELDS` order (or ``BASE_FIELDS`` only).
    chunk_rows : int
        Rows folded at a time (bounds peak memory).
    exact : bool
        Exact percentiles (default) or from log-spaced bins.

    Returns
    -------
    pandas.DataFrame
        One row per key, columns :data:`COLUMNS` plus ``command`` (one example command of
        the shape, raw values, for index advice only) and ``key_id``, sorted by total time.
    """
    return feed(Digester(exact), rows, chunk_rows).frame()
