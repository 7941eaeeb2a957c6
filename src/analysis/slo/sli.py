"""Samples → good and valid events per bin of a regular time grid.

Counter increases are computed per series from consecutive samples: a drop is a
counter reset (process restart) and the new value counts as the increase from 0,
like Prometheus ``increase()``. Unlike ``increase()`` nothing is extrapolated to the
window edges: an increase is attributed to the bin that holds the later sample, so a
window ``(T-w, T]`` counts exactly the increases observed in it (the difference to
``increase()`` is at most one sample interval per window edge; the oracle tests measure
it against a real Prometheus). A series that first appears after the data start (a
label set created by its first event, e.g. the first 503) is counted from 0; Prometheus
drops that first value.

The grid: bin ``k`` covers ``(origin + (k-1)·res, origin + k·res]``; its time is the right edge.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from ..promql import Selector
from .objectives import SLI, SLO
from .series import Samples

log = logging.getLogger(__name__)


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


@dataclass
class Events:
    """Good and valid events per bin for one SLO (counts kept beside every ratio)."""

    grid: Grid
    good: np.ndarray
    valid: np.ndarray
    present: np.ndarray  # bool: the bin holds at least one sample of the valid series
    good_upper: np.ndarray | None = None  # latency bounds: upper bound of good
    good_interp: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def bad(self) -> np.ndarray:
        return self.valid - self.good


def _concat(samples: Samples, idx: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b = samples.series_slices()
    sl = [slice(b[i], b[i + 1]) for i in idx]
    sid = np.concatenate([np.full(s.stop - s.start, j, np.int32) for j, s in enumerate(sl)]) if sl else np.empty(0, np.int32)
    ts = np.concatenate([samples.ts[s] for s in sl]) if sl else np.empty(0)
    val = np.concatenate([samples.value[s] for s in sl]) if sl else np.empty(0)
    return sid, ts, val


def counter_bins(samples: Samples, idx: list[int], grid: Grid) -> tuple[np.ndarray, np.ndarray, dict]:
    """Sum of counter increases per bin over the series ``idx``.

    Returns
    -------
    inc : ndarray
        Increases per bin.
    present : ndarray of bool
        Bins holding at least one sample.
    info : dict
        ``series``, ``samples``, ``resets``, ``gaps`` (list of (start, end) seconds).
    """
    sid, ts, val = _concat(samples, idx)
    inc_bins = np.zeros(grid.n)
    present = np.zeros(grid.n, bool)
    info = {"series": len(idx), "samples": int(ts.size), "resets": 0, "gaps": []}
    if ts.size == 0:
        return inc_bins, present, info
    k_all = grid.index(ts)
    ok = (k_all >= 0) & (k_all < grid.n)
    present[k_all[ok]] = True
    same = sid[1:] == sid[:-1]
    d = np.diff(val)
    reset = same & (d < 0)
    inc = np.where(reset, val[1:], d)
    inc[~same] = 0.0
    k = k_all[1:]
    ok1 = ok[1:]
    inc_bins += np.bincount(k[ok1], weights=inc[ok1], minlength=grid.n)[: grid.n]
    # series born after the data start: count their first value from 0
    first = np.ones(ts.size, bool)
    first[1:] = ~same
    t_first = samples.time_range[0]
    born = first & (ts > t_first + 2 * grid.res) & ok
    if born.any():
        inc_bins += np.bincount(k_all[born], weights=val[born], minlength=grid.n)[: grid.n]
        info["born_later"] = int(born.sum())
    info["resets"] = int(reset.sum())
    dt = np.diff(ts)
    gap = same & (dt > 2.5 * grid.res)
    if gap.any():
        starts, ends = ts[:-1][gap], ts[1:][gap]
        order = np.argsort(starts)
        merged: list[list[float]] = []
        for s, e in zip(starts[order].tolist(), ends[order].tolist()):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        info["gaps"] = [(s, e) for s, e in merged]
    return inc_bins, present, info


def gauge_bins(samples: Samples, idx: list[int], grid: Grid) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per bin: the sum over series of each series' mean value in the bin."""
    sid, ts, val = _concat(samples, idx)
    out = np.zeros(grid.n)
    present = np.zeros(grid.n, bool)
    if ts.size:
        k = grid.index(ts)
        ok = (k >= 0) & (k < grid.n)
        key = sid[ok].astype(np.int64) * grid.n + k[ok]
        uniq, inv = np.unique(key, return_inverse=True)
        means = np.bincount(inv, weights=val[ok]) / np.bincount(inv)
        out += np.bincount(uniq % grid.n, weights=means, minlength=grid.n)
        present[k[ok]] = True
    return out, present, {"series": len(idx), "samples": int(ts.size), "resets": 0, "gaps": []}


def _sum_selectors(samples: Samples, sels: tuple[Selector, ...], grid: Grid, gauge: bool) -> tuple[np.ndarray, np.ndarray, dict]:
    idx = sorted({i for s in sels for i in samples.select(s)})
    return (gauge_bins if gauge else counter_bins)(samples, idx, grid)


def _bucket_bins(samples: Samples, sli: SLI, grid: Grid) -> tuple[dict[float, np.ndarray], np.ndarray, dict]:
    base = sli.selector.matchers if sli.selector else ()
    sel = Selector(sli.metric + "_bucket", base)
    idx = samples.select(sel)
    by_le: dict[float, list[int]] = {}
    for i in idx:
        try:
            le = float(samples.labels[i].get("le", "nan"))
        except ValueError:
            continue
        if not math.isnan(le):
            by_le.setdefault(le, []).append(i)
    out: dict[float, np.ndarray] = {}
    present = np.zeros(grid.n, bool)
    info: dict = {"series": len(idx), "resets": 0, "gaps": []}
    for le, ids in by_le.items():
        inc, pres, inf = counter_bins(samples, ids, grid)
        out[le] = inc
        if math.isinf(le):
            present, info = pres, {**inf, "series": len(idx)}
    return out, present, info


def events_for(slo: SLO, samples: Samples, grid: Grid) -> Events:
    """Good and valid events per bin for ``slo``.

    Latency SLIs: good = the ``le`` bucket equal to the threshold; when the threshold is
    not a boundary, ``good`` is the lower bound (bucket below), ``good_upper`` the upper
    bound (bucket above) and ``good_interp`` the linear interpolation between them.
    """
    sli = slo.sli
    if sli.kind in ("ratio", "gauge_ratio"):
        gauge = sli.kind == "gauge_ratio"
        parts = {k: _sum_selectors(samples, getattr(sli, k), grid, gauge) if getattr(sli, k) else None
                 for k in ("good", "bad", "total")}
        if parts["total"] is not None:
            valid, present, info = parts["total"]
            good = parts["good"][0] if parts["good"] else valid - parts["bad"][0]
        else:
            good, present, info = parts["good"]
            valid = good + parts["bad"][0]
            present = present | parts["bad"][1]
        info = dict(info)
        if parts["total"] is None:  # valid = good + bad: resets of both count
            info["resets"] = parts["good"][2]["resets"] + parts["bad"][2]["resets"]
        return Events(grid, good, valid, present, info=info)
    buckets, present, info = _bucket_bins(samples, sli, grid)
    inf = buckets.get(math.inf)
    if inf is None:
        zero = np.zeros(grid.n)
        return Events(grid, zero, zero.copy(), present, info={**info, "error": "no le=+Inf bucket"})
    thr = sli.threshold_s
    bounds = sorted(b for b in buckets if not math.isinf(b))
    exact = next((b for b in bounds if math.isclose(b, thr, rel_tol=1e-9)), None)
    info = dict(info)
    info["resets"] = info.get("resets", 0)
    if exact is not None:
        return Events(grid, buckets[exact], inf, present, info={**info, "bucket": exact})
    lo = max((b for b in bounds if b < thr), default=None)
    hi = min((b for b in bounds if b > thr), default=None)
    good_lo = buckets[lo] if lo is not None else np.zeros(grid.n)
    good_hi = buckets[hi] if hi is not None else inf
    lo_v = lo if lo is not None else 0.0
    frac = (thr - lo_v) / (hi - lo_v) if hi is not None else 0.0
    interp = good_lo + (good_hi - good_lo) * frac
    return Events(grid, good_lo, inf, present, good_upper=good_hi, good_interp=interp,
                  info={**info, "bucket_lower": lo, "bucket_upper": hi})
