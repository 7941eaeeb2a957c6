"""Per-shape digest of query records (what mloginfo --queries / pt-mongodb-query-digest compute).

Key: (namespace, operation, query shape, plan summary). Per key: count, total / mean /
p50 / p95 / p99 / max duration, documents and keys examined, documents returned, the
examined-per-returned ratios, COLLSCAN and in-memory SORT counts, response bytes total
and mean, share of total time. Sorted by total time, largest first.

Streaming and vectorized: records are consumed in chunks; each chunk is reduced with
``numpy.bincount`` / ``ufunc.at`` into per-key accumulators, and durations are kept as a
per-key histogram of distinct values (``(key, duration) → count``). mongod logs and the
profiler record whole milliseconds, so the histogram is small and bounded by the
longest duration, not by the number of lines: memory does not grow with file size.

Percentile definition
---------------------
Percentiles are exact and use numpy's default ("linear", Hyndman & Fan type 7)
definition on the multiset of durations of a key: with the ``n`` durations sorted
ascending as ``x[0..n-1]`` and ``h = (n - 1) * q``, the q-quantile is
``x[floor(h)] + (h - floor(h)) * (x[ceil(h)] - x[floor(h)])``. It equals
``numpy.percentile(durations, 100*q)`` (tested against it).

Ratios are ratios of totals: ``examined_per_returned = sum(docs_examined) /
max(sum(nreturned), 1)`` (a shape that returns nothing is divided by 1, so scanning
for nothing still shows as a large ratio). Missing figures (older servers, explain
has no reslen) are left out of totals; a total over no value is NaN.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from itertools import islice

import numpy as np
import pandas as pd

from .records import ROW_FIELDS

log = logging.getLogger(__name__)

KEY = ("ns", "op", "shape", "plan_summary")
COLUMNS = [
    "ns", "op", "shape", "plan_summary", "count", "total_ms", "mean_ms", "p50_ms", "p95_ms", "p99_ms",
    "max_ms", "docs_examined", "keys_examined", "nreturned", "examined_per_returned", "keys_per_returned",
    "collscan", "in_memory_sort", "reslen_total", "reslen_mean", "share_of_time", "sources", "app_names",
    "query_hash",
]
_SOURCE_BITS = {"log": 1, "profile": 2, "explain": 4}
_NUMERIC = ("docs_examined", "keys_examined", "nreturned", "reslen")
CHUNK_ROWS = 512


def weighted_quantile(values: np.ndarray, counts: np.ndarray, groups: np.ndarray, q: float) -> np.ndarray:
    """Exact per-group quantiles (numpy "linear" definition) from value counts.

    Parameters
    ----------
    values : ndarray of float
        Distinct values, sorted ascending within each group.
    counts : ndarray of int
        How many times each value occurs (> 0).
    groups : ndarray of int
        Group id of each value, sorted ascending (0..G-1, every group present).
    q : float
        Quantile in [0, 1].

    Returns
    -------
    ndarray of float
        One quantile per group, equal to ``np.percentile(expanded_group, 100*q)``.
    """
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    cum = np.cumsum(counts)
    totals = np.bincount(groups, weights=counts, minlength=n_groups).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(totals)[:-1]))
    h = (totals - 1) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.ceil(h).astype(np.int64)
    # the value at global rank R (0-based) is the first pair whose cumulative count exceeds R
    v_lo = values[np.searchsorted(cum, starts + lo, side="right")]
    v_hi = values[np.searchsorted(cum, starts + hi, side="right")]
    return v_lo + (h - lo) * (v_hi - v_lo)


class Digester:
    """Accumulate rows chunk by chunk; :meth:`frame` gives the digest table."""

    def __init__(self) -> None:
        self._ids: dict[tuple, int] = {}
        self._keys: list[tuple] = []
        self._commands: list[dict] = []
        self._apps: list[set] = []
        self._hash: list[str] = []
        self._acc: dict[str, np.ndarray] = {}
        self._hist = (np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.int64))
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_n = 0

    def _grow(self, n: int) -> None:
        for name in ("count", "total", "max", "collscan", "sort", "sources",
                     *(f"{c}_sum" for c in _NUMERIC), *(f"{c}_n" for c in _NUMERIC)):
            old = self._acc.get(name)
            dtype = np.int64 if name in ("count", "collscan", "sort", "sources") or name.endswith("_n") else np.float64
            new = np.zeros(n, dtype)
            if name == "max":
                new[:] = -np.inf
            if old is not None:
                new[: len(old)] = old
            self._acc[name] = new

    def add_chunk(self, rows: Sequence[tuple]) -> None:
        """Fold one chunk of rows (tuples in ``records.ROW_FIELDS`` order) into the totals."""
        if not rows:
            return
        (_, ns, op, shape, plan, dur, docs, keys, nret, reslen, coll, sort, app, qhash, src, cmd) = zip(*rows)
        keys_ = list(zip(ns, op, shape, plan))
        kid_list = list(map(self._ids.get, keys_))
        if None in kid_list:
            kid_list = [self._key_id(k, c) if i is None else i for i, k, c in zip(kid_list, keys_, cmd)]
        kid = np.fromiter(kid_list, np.int64, len(kid_list))
        n = len(self._keys)
        if not self._acc or len(self._acc["count"]) < n:
            self._grow(max(n, 2 * len(self._acc.get("count", ()))))
        a = self._acc
        m = len(a["count"])
        d = np.asarray(dur, np.float64)
        a["count"] += np.bincount(kid, minlength=m)
        a["total"] += np.bincount(kid, weights=d, minlength=m)
        np.maximum.at(a["max"], kid, d)
        a["collscan"] += np.bincount(kid, weights=np.asarray(coll, np.float64), minlength=m).astype(np.int64)
        a["sort"] += np.bincount(kid, weights=np.asarray(sort, np.float64), minlength=m).astype(np.int64)
        for source in set(src):
            a["sources"][np.unique(kid[np.fromiter(map(source.__eq__, src), bool, len(src))])] |= _SOURCE_BITS[source]
        for name, col in zip(_NUMERIC, (docs, keys, nret, reslen)):
            v = np.array(col, dtype=np.float64)  # None → nan
            ok = ~np.isnan(v)
            a[f"{name}_sum"] += np.bincount(kid[ok], weights=v[ok], minlength=m)
            a[f"{name}_n"] += np.bincount(kid[ok], minlength=m)
        # app names and a query hash per key: few distinct values, cheap to collect per chunk
        for i, ap, qh in set(zip(kid_list, app, qhash)):
            if ap:
                self._apps[i].add(ap)
            if qh and not self._hash[i]:
                self._hash[i] = qh
        # duration histogram: merge (key, value) → count
        self._merge_hist(kid, d, np.ones(len(kid), np.int64))

    def _merge_hist(self, k: np.ndarray, v: np.ndarray, c: np.ndarray) -> None:
        """Buffer (key, value, count) triples; fold them into the histogram in batches.

        The buffer is folded once it holds as many entries as the histogram (and at least
        8192), so the cost per row stays constant however many distinct pairs there are;
        memory stays bounded by twice the histogram plus 8192 entries.
        """
        self._pending.append((k, v, c))
        self._pending_n += len(k)
        if self._pending_n >= max(8192, len(self._hist[0])):
            self._flush_hist()

    def _flush_hist(self) -> None:
        if not self._pending:
            return
        hk, hv, hc = self._hist
        allk = np.concatenate([hk, *(p[0] for p in self._pending)])
        allv = np.concatenate([hv, *(p[1] for p in self._pending)])
        allc = np.concatenate([hc, *(p[2] for p in self._pending)])
        self._pending, self._pending_n = [], 0
        order = np.lexsort((allv, allk))
        allk, allv, allc = allk[order], allv[order], allc[order]
        new = np.ones(len(allk), bool)
        new[1:] = (allk[1:] != allk[:-1]) | (allv[1:] != allv[:-1])
        idx = np.flatnonzero(new)
        self._hist = (allk[idx], allv[idx], np.add.reduceat(allc, idx) if len(idx) else allc[:0])

    def _key_id(self, k: tuple, command: dict) -> int:
        i = self._ids.get(k)
        if i is None:
            i = self._ids[k] = len(self._keys)
            self._keys.append(k)
            self._commands.append(command)
            self._apps.append(set())
            self._hash.append("")
        return i

    def merge(self, other: Digester) -> None:
        """Fold another digester's totals into this one (partial digests of parallel workers)."""
        if not other._keys:
            return
        mapping = np.fromiter((self._key_id(k, c) for k, c in zip(other._keys, other._commands)), np.int64,
                              len(other._keys))
        n = len(self._keys)
        if not self._acc or len(self._acc["count"]) < n:
            self._grow(max(n, 2 * len(self._acc.get("count", ()))))
        m = len(other._keys)
        for name, arr in self._acc.items():
            src = other._acc[name][:m]
            if name == "max":
                np.maximum.at(arr, mapping, src)
            elif name == "sources":
                np.bitwise_or.at(arr, mapping, src)
            else:
                np.add.at(arr, mapping, src)
        for j, i in enumerate(mapping):
            self._apps[i] |= other._apps[j]
            if not self._hash[i]:
                self._hash[i] = other._hash[j]
        other._flush_hist()
        hk, hv, hc = other._hist
        self._merge_hist(mapping[hk], hv, hc)

    def commands(self) -> list[dict]:
        """One example command per key (same order as the keys first seen), for index advice."""
        return list(self._commands)

    def frame(self) -> pd.DataFrame:
        """The digest table, sorted by total time (largest first)."""
        n = len(self._keys)
        if n == 0:
            return pd.DataFrame(columns=COLUMNS + ["command"])
        a = {k: v[:n] for k, v in self._acc.items()}
        self._flush_hist()
        hk, hv, hc = self._hist
        df = pd.DataFrame(self._keys, columns=list(KEY))
        df["count"] = a["count"]
        df["total_ms"] = a["total"]
        df["mean_ms"] = a["total"] / a["count"]
        for q, col in ((0.50, "p50_ms"), (0.95, "p95_ms"), (0.99, "p99_ms")):
            df[col] = weighted_quantile(hv, hc, hk, q)
        df["max_ms"] = a["max"]
        for name in _NUMERIC:
            tot = np.where(a[f"{name}_n"] > 0, a[f"{name}_sum"], np.nan)
            df[name if name != "reslen" else "reslen_total"] = tot
        df["examined_per_returned"] = df["docs_examined"] / np.maximum(df["nreturned"], 1)
        df["keys_per_returned"] = df["keys_examined"] / np.maximum(df["nreturned"], 1)
        df["collscan"] = a["collscan"]
        df["in_memory_sort"] = a["sort"]
        df["reslen_mean"] = df["reslen_total"] / np.where(a["reslen_n"] > 0, a["reslen_n"], np.nan)
        grand = a["total"].sum()
        df["share_of_time"] = a["total"] / grand if grand > 0 else 0.0
        df["sources"] = ["+".join(s for s, b in _SOURCE_BITS.items() if bits & b) for bits in a["sources"]]
        df["app_names"] = [", ".join(sorted(s)) for s in self._apps]
        df["query_hash"] = self._hash
        df["command"] = self._commands
        df = df.sort_values(["total_ms", "count", "ns", "shape"], ascending=[False, False, True, True], kind="stable")
        return df.reset_index(drop=True)[COLUMNS + ["command"]]


def digest_rows(rows: Iterable[tuple], chunk_rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """Digest an iterable of normalized rows in bounded memory.

    Parameters
    ----------
    rows : iterable of tuple
        Rows in :data:`analysis.querycost.records.ROW_FIELDS` order.
    chunk_rows : int
        Rows folded at a time (bounds peak memory).

    Returns
    -------
    pandas.DataFrame
        One row per (ns, op, shape, plan_summary), columns :data:`COLUMNS` plus ``command``
        (one example command of the shape, raw values, for index advice only), sorted by
        total time.
    """
    dig = Digester()
    feed(dig, rows, chunk_rows)
    return dig.frame()


def feed(dig: Digester, rows: Iterable[tuple], chunk_rows: int = CHUNK_ROWS) -> Digester:
    """Fold rows into ``dig`` chunk by chunk; returns ``dig``."""
    it = iter(rows)
    while True:
        chunk = list(islice(it, chunk_rows))
        if not chunk:
            break
        dig.add_chunk(chunk)
    return dig


def digest_records(records: Iterable) -> pd.DataFrame:
    """Digest :class:`~analysis.querycost.records.QueryRecord` objects (convenience for small inputs)."""
    return digest_rows(tuple(getattr(r, f) for f in ROW_FIELDS) for r in records)
