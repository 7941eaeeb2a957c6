"""Mergeable duration histograms and quantiles from value counts (pure numpy).

Two representations of "how many operations took how long", both exact to merge
(addition of counts, associative and commutative):

* **exact value counts** ``(group, value) → count`` — mongod logs and the profiler record
  whole milliseconds, so they stay small; quantiles from them are exact
  (:func:`weighted_quantile`, numpy's default "linear" definition);
* **fixed log-spaced bins** (:data:`BIN_RATIO`): a value ``v > 0`` falls in bin
  ``floor(log(v) / log(BIN_RATIO)) + OFFSET`` (clipped to ``1 .. N_BINS-1``), ``0`` in bin 0.
  A bin stands for its geometric midpoint, so every value is represented within
  :data:`BIN_ERROR` (≈ 1 %) of itself; because binning is monotone, a quantile computed
  from bins is within that relative error of the exact one. Their size is fixed (bins
  per key), whatever the durations: these are what partial digests of a distributed run
  carry, and what the per-minute timeline uses.

:class:`SparseCounts` holds either as sorted ``(int64 key, float value) → int64 count``
arrays and folds batches in amortised constant time per entry.
"""

from __future__ import annotations

import math

import numpy as np

#: Ratio between consecutive bin edges.
BIN_RATIO = 1.02
#: Largest relative error of a value represented by its bin's geometric midpoint.
BIN_ERROR = math.sqrt(BIN_RATIO) - 1.0
#: Bin of values in [1, BIN_RATIO) ms; bins below it hold values down to ~1 µs.
OFFSET = 700
#: Bins in all (the last one also holds everything above ~10^8.6 ms).
N_BINS = 2048
_LOG_RATIO = math.log(BIN_RATIO)


def bin_of(values: np.ndarray) -> np.ndarray:
    """Bin index (int64) of each duration (ms): 0 for values ≤ 0, else log-spaced (see module)."""
    v = np.asarray(values, np.float64)
    out = np.zeros(len(v), np.int64)
    pos = v > 0
    out[pos] = np.clip(np.floor(np.log(v[pos]) / _LOG_RATIO).astype(np.int64) + OFFSET, 1, N_BINS - 1)
    return out


def bin_value(bins: np.ndarray) -> np.ndarray:
    """The value a bin stands for: its geometric midpoint (0 for bin 0)."""
    b = np.asarray(bins, np.int64)
    return np.where(b > 0, np.exp((b - OFFSET + 0.5) * _LOG_RATIO), 0.0)


def weighted_quantile(values: np.ndarray, counts: np.ndarray, groups: np.ndarray, q: float) -> np.ndarray:
    """Per-group quantiles (numpy "linear" definition) from value counts.

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


class SparseCounts:
    """``(key, value) → count`` as sorted arrays; batches are buffered and folded together.

    The buffer is folded once it holds as many entries as the table (and at least 8192),
    so the cost per entry stays constant however many distinct pairs there are; memory
    stays bounded by twice the table plus 8192 entries.
    """

    def __init__(self) -> None:
        self.keys = np.empty(0, np.int64)
        self.values = np.empty(0, np.float64)
        self.counts = np.empty(0, np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_n = 0

    def add(self, keys: np.ndarray, values: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Add one batch (``counts`` default 1 each)."""
        if not len(keys):
            return
        c = np.ones(len(keys), np.int64) if counts is None else counts
        self._pending.append((keys, np.asarray(values, np.float64), c))
        self._pending_n += len(keys)
        if self._pending_n >= max(8192, len(self.keys)):
            self.fold()

    def fold(self) -> SparseCounts:
        """Fold the buffered batches into the sorted table; returns self."""
        if not self._pending:
            return self
        allk = np.concatenate([self.keys, *(p[0] for p in self._pending)])
        allv = np.concatenate([self.values, *(p[1] for p in self._pending)])
        allc = np.concatenate([self.counts, *(p[2] for p in self._pending)])
        self._pending, self._pending_n = [], 0
        order = np.lexsort((allv, allk))
        allk, allv, allc = allk[order], allv[order], allc[order]
        new = np.ones(len(allk), bool)
        new[1:] = (allk[1:] != allk[:-1]) | (allv[1:] != allv[:-1])
        idx = np.flatnonzero(new)
        self.keys, self.values = allk[idx], allv[idx]
        self.counts = np.add.reduceat(allc, idx) if len(idx) else allc[:0]
        return self

    def merge(self, other: SparseCounts, key_map: np.ndarray | None = None) -> None:
        """Add another table's counts (its keys first mapped through ``key_map`` when given)."""
        other.fold()
        keys = other.keys if key_map is None else key_map[other.keys]
        self.add(keys, other.values, other.counts)

    def __getstate__(self) -> dict:
        self.fold()
        return {"keys": self.keys, "values": self.values, "counts": self.counts}

    def __setstate__(self, state: dict) -> None:
        self.keys, self.values, self.counts = state["keys"], state["values"], state["counts"]
        self._pending, self._pending_n = [], 0
