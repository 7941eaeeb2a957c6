"""Raw samples → per-bin folds on a regular time grid: counter increases, gauge means, sample sums.

The grid: bin ``k`` covers ``(origin + (k-1)·res, origin + k·res]``; its time is the right edge.
Counter increases are computed per series from consecutive samples (a drop is a reset and the new
value counts from 0, like Prometheus ``increase()``, without extrapolation to the window edges).
Samples that cannot be counter values (``+Inf``, negative) are dropped and named per series in the
group's info (``invalid``); NaN staleness markers in ``nan``; decreases that do not look like a restart
in ``suspicious_decreases``; ``usable_range`` is the first and last time of the samples counted.
Every fold returns one row per group (arrays of shape ``(groups, bins)``), in one pass. What an SLO
makes of these folds (good and valid events) is :mod:`analysis.slo.sli`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..promql import series_text
from .series import Samples

@dataclass(frozen=True)
class Grid:
    """A regular grid of bins (right-edge times ``origin + k·res``)."""

    origin: float
    res: float
    n: int

    def times(self) -> np.ndarray:
        return self.origin + np.arange(self.n) * self.res

    def index(self, t: np.ndarray | float) -> np.ndarray:
        """Bin index of time(s) ``t`` (a time on a grid edge belongs to the bin it ends)."""
        return np.ceil((np.asarray(t) - self.origin) / self.res - 1e-9).astype(np.int64)

    @property
    def end(self) -> float:
        return self.origin + (self.n - 1) * self.res


def make_grid(samples: Samples, res: float | None = None, until: float | None = None) -> Grid:
    """The grid covering every sample (optionally extended to ``until``).

    ``res`` defaults to the typical sample interval, rounded to whole seconds.
    """
    if res is None or not res > 0:
        r = samples.resolution()
        res = float(max(1.0, round(r))) if math.isfinite(r) else 60.0
    t0, t1 = samples.time_range
    if until is not None and math.isfinite(until):
        t1 = max(t1, until)
    origin = math.floor(t0 / res) * res
    n = int(math.ceil((t1 - origin) / res - 1e-9)) + 1
    return Grid(origin, res, n)


def _concat(samples: Samples, idx: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples of the series ``idx``: position in ``idx`` (not the series id), times, values."""
    b = samples.series_slices()
    sl = [slice(b[i], b[i + 1]) for i in idx]
    if not sl:
        return np.empty(0, np.int32), np.empty(0), np.empty(0)
    sid = np.concatenate([np.full(s.stop - s.start, j, np.int32) for j, s in enumerate(sl)])
    return sid, np.concatenate([samples.ts[s] for s in sl]), np.concatenate([samples.value[s] for s in sl])


def _flag_series(infos: list[dict], samples: Samples, idx: list[int], gid: np.ndarray, sid: np.ndarray,
                 mask: np.ndarray, key: str) -> None:
    """Count the samples flagged by ``mask`` per series into ``infos[group][key][series text]``."""
    if not mask.any():
        return
    per = np.bincount(sid[mask], minlength=len(idx))
    for j in np.flatnonzero(per):
        infos[gid[j]].setdefault(key, {})[series_text(samples.labels[idx[j]])] = int(per[j])


def _usable_range(infos: list[dict], gid: np.ndarray, sid: np.ndarray, ts: np.ndarray) -> None:
    """Set ``infos[group]["usable_range"]`` = [first, last] time of the group's usable samples (those kept).

    ``sid``/``ts`` are in series order with each series' times ascending (as :func:`_concat` returns them), so
    only the first and last sample of every series are read.
    """
    if ts.size == 0:
        return
    starts = np.flatnonzero(np.concatenate([[True], sid[1:] != sid[:-1]]))
    ends = np.concatenate([starts[1:] - 1, [ts.size - 1]])
    g = gid[sid[starts]]
    first = np.full(len(infos), np.inf)
    last = np.full(len(infos), -np.inf)
    np.minimum.at(first, g, ts[starts])
    np.maximum.at(last, g, ts[ends])
    for g in np.flatnonzero(np.isfinite(first)):
        infos[g]["usable_range"] = [float(first[g]), float(last[g])]


def merge_ranges(*ranges: list[float] | None) -> list[float] | None:
    """The smallest ``[first, last]`` holding every given range (None when none is given)."""
    given = [r for r in ranges if r]
    return [min(r[0] for r in given), max(r[1] for r in given)] if given else None


def _gaps(starts: np.ndarray, ends: np.ndarray) -> list[tuple[float, float]]:
    """Merge overlapping ``(start, end)`` scrape gaps."""
    order = np.argsort(starts)
    merged: list[list[float]] = []
    for s, e in zip(starts[order].tolist(), ends[order].tolist()):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _group_infos(samples: Samples, idx: list[int], gid: np.ndarray, n_groups: int) -> list[dict]:
    counts = np.bincount(gid, minlength=n_groups) if len(idx) else np.zeros(n_groups, int)
    infos = [{"series": int(counts[g]), "samples": 0, "resets": 0, "gaps": []} for g in range(n_groups)]
    nan = samples.nan_by_series
    if nan:
        for j, i in enumerate(idx):
            c = nan.get(series_text(samples.labels[i]))
            if c:
                infos[gid[j]].setdefault("nan", {})[series_text(samples.labels[i])] = c
    return infos


def counter_bins_grouped(samples: Samples, idx: list[int], gid: np.ndarray, n_groups: int,
                         grid: Grid) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Sum of counter increases per group and bin over the series ``idx`` (series ``idx[j]`` in group ``gid[j]``).

    Returns
    -------
    inc : ndarray, shape (n_groups, bins)
        Increases per bin.
    present : ndarray of bool, same shape
        Bins holding at least one sample.
    infos : list of dict
        Per group: ``series``, ``samples``, ``resets``, ``gaps`` (list of (start, end) seconds),
        and when found ``born_later``, ``nan``, ``invalid``, ``suspicious_decreases`` (per series).
    """
    n, gid = grid.n, np.asarray(gid, np.int64)
    inc_bins, present = np.zeros(n_groups * n), np.zeros(n_groups * n, bool)
    infos = _group_infos(samples, idx, gid, n_groups)
    sid, ts, val = _concat(samples, idx)
    invalid = ~np.isfinite(val) | (val < 0)
    if invalid.any():
        _flag_series(infos, samples, idx, gid, sid, invalid, "invalid")
        sid, ts, val = sid[~invalid], ts[~invalid], val[~invalid]
    if ts.size == 0:
        return inc_bins.reshape(n_groups, n), present.reshape(n_groups, n), infos
    g_of = gid[sid]
    _usable_range(infos, gid, sid, ts)
    k_all = grid.index(ts)
    ok = (k_all >= 0) & (k_all < n)
    flat = g_of * n + k_all
    present[flat[ok]] = True
    same = sid[1:] == sid[:-1]
    d = np.diff(val)
    reset = same & (d < 0)
    inc = np.where(reset, val[1:], d)
    inc[~same] = 0.0
    ok1 = ok[1:]
    inc_bins += np.bincount(flat[1:][ok1], weights=inc[ok1], minlength=n_groups * n)
    # series born after the data start: count their first value from 0
    first = np.ones(ts.size, bool)
    first[1:] = ~same
    born = first & (ts > samples.time_range[0] + 2 * grid.res) & ok
    if born.any():
        inc_bins += np.bincount(flat[born], weights=val[born], minlength=n_groups * n)
    odd = reset & ((val[1:] > 0.5 * val[:-1]) | np.concatenate([[False], reset[:-1] & same[:-1]]))
    dt = np.diff(ts)
    gap = same & (dt > 2.5 * grid.res)
    per_group = {"samples": np.bincount(g_of, minlength=n_groups), "resets": np.bincount(g_of[1:][reset], minlength=n_groups),
                 "born_later": np.bincount(g_of[born], minlength=n_groups)}
    for g in range(n_groups):
        infos[g]["samples"], infos[g]["resets"] = int(per_group["samples"][g]), int(per_group["resets"][g])
        if per_group["born_later"][g]:
            infos[g]["born_later"] = int(per_group["born_later"][g])
    _flag_series(infos, samples, idx, gid, sid[1:], odd, "suspicious_decreases")
    for g in np.unique(g_of[1:][gap]):
        m = gap & (g_of[1:] == g)
        infos[g]["gaps"] = _gaps(ts[:-1][m], ts[1:][m])
    return inc_bins.reshape(n_groups, n), present.reshape(n_groups, n), infos


def counter_bins(samples: Samples, idx: list[int], grid: Grid) -> tuple[np.ndarray, np.ndarray, dict]:
    """Sum of counter increases per bin over the series ``idx`` (one group: see :func:`counter_bins_grouped`)."""
    inc, present, infos = counter_bins_grouped(samples, idx, np.zeros(len(idx), np.int64), 1, grid)
    return inc[0], present[0], infos[0]


def gauge_bins_grouped(samples: Samples, idx: list[int], gid: np.ndarray, n_groups: int,
                       grid: Grid) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Per group and bin: the sum over series of each series' mean value in the bin."""
    n, gid = grid.n, np.asarray(gid, np.int64)
    out, present = np.zeros(n_groups * n), np.zeros(n_groups * n, bool)
    infos = _group_infos(samples, idx, gid, n_groups)
    sid, ts, val = _concat(samples, idx)
    keep = np.isfinite(val)
    sid, ts, val = sid[keep], ts[keep], val[keep]
    if ts.size:
        _usable_range(infos, gid, sid, ts)
        k = grid.index(ts)
        ok = (k >= 0) & (k < n)
        key = sid[ok].astype(np.int64) * n + k[ok]
        uniq, inv = np.unique(key, return_inverse=True)
        means = np.bincount(inv, weights=val[ok]) / np.bincount(inv)
        flat = gid[uniq // n] * n + uniq % n
        out += np.bincount(flat, weights=means, minlength=n_groups * n)
        present[flat] = True
        for g, c in enumerate(np.bincount(gid[sid], minlength=n_groups)):
            infos[g]["samples"] = int(c)
    return out.reshape(n_groups, n), present.reshape(n_groups, n), infos


def sample_bins_grouped(samples: Samples, idx: list[int], gid: np.ndarray, n_groups: int,
                        grid: Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict]]:
    """Per group and bin: the sum of the samples' values and their count (``sum_over_time``/``count_over_time``)."""
    n, gid = grid.n, np.asarray(gid, np.int64)
    sums, counts = np.zeros(n_groups * n), np.zeros(n_groups * n)
    infos = _group_infos(samples, idx, gid, n_groups)
    sid, ts, val = _concat(samples, idx)
    keep = np.isfinite(val)
    sid, ts, val = sid[keep], ts[keep], val[keep]
    if ts.size:
        k = grid.index(ts)
        ok = (k >= 0) & (k < n)
        flat = gid[sid[ok]] * n + k[ok]
        sums += np.bincount(flat, weights=val[ok], minlength=n_groups * n)
        counts += np.bincount(flat, minlength=n_groups * n)
        for g, c in enumerate(np.bincount(gid[sid], minlength=n_groups)):
            infos[g]["samples"] = int(c)
    shape = (n_groups, n)
    return sums.reshape(shape), counts.reshape(shape), counts.reshape(shape) > 0, infos
