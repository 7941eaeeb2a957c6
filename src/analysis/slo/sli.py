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

Samples that cannot be counter values (``+Inf``, negative) are dropped and named in
``info["invalid"]``; decreases that do not look like a restart (the value does not fall
below half its previous value, or falls twice in a row) are still counted as resets, like
Prometheus does, and named in ``info["suspicious_decreases"]``.

With grouping labels (``SLO.group_by``) every function returns one row per label value
(arrays of shape ``(groups, bins)``), computed in one pass over the samples.

The grid: bin ``k`` covers ``(origin + (k-1)·res, origin + k·res]``; its time is the right edge.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..promql import Selector, series_text
from .objectives import SLI, SLO, Exclusion, bucket_at, le_value
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
    excluded: np.ndarray | None = None  # bool: the bin lies in a maintenance exclusion (its events zeroed)

    @property
    def bad(self) -> np.ndarray:
        return self.valid - self.good


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


@dataclass(frozen=True)
class Groups:
    """The label values an SLO is split by: ``keys[g]`` is group ``g``'s values of ``labels``."""

    labels: tuple[str, ...]
    keys: list[tuple[str, ...]]
    index: dict[tuple[str, ...], int]
    without: bool = False  # ``labels`` are the ones summed away (``sum without``): a key is every other label

    def of(self, samples: Samples, idx: list[int]) -> np.ndarray:
        """Group index of each series ``idx`` (series of a group the SLO does not know get −1)."""
        return np.array([self.index.get(self.key(samples.labels[i]), -1) for i in idx], np.int64)

    def pairs(self, key: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """``((label, value), ...)`` of a group key (``sum without``: the labels kept, not the ones summed away)."""
        if self.without:
            return tuple(tuple(k.split("=", 1)) for k in key)  # type: ignore[misc]
        return tuple(zip(self.labels, key))

    def key(self, labels: dict[str, str]) -> tuple[str, ...]:
        if self.without:
            return tuple(f"{k}={v}" for k, v in sorted(labels.items()) if k not in self.labels and k != "__name__")
        return tuple(labels.get(lab, "") for lab in self.labels)


def slo_groups(slo: SLO, samples: Samples) -> Groups:
    """The groups of ``slo``: every value of its ``group_by`` labels among the series it reads (one group if none)."""
    if not slo.group_by and not slo.group_without:
        return Groups((), [()], {(): 0})
    probe = Groups(slo.group_by, [], {}, slo.group_without)
    keys = sorted({probe.key(samples.labels[i]) for sel in slo.sli.selectors() for i in samples.select(sel)})
    return Groups(slo.group_by, keys, {k: g for g, k in enumerate(keys)}, slo.group_without)


def _role_bins(samples: Samples, sels: tuple[Selector, ...], grid: Grid, gauge: bool,
               groups: Groups) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    idx = sorted({i for s in sels for i in samples.select(s)})
    gid = groups.of(samples, idx)
    idx = [i for i, g in zip(idx, gid) if g >= 0]
    return (gauge_bins_grouped if gauge else counter_bins_grouped)(samples, idx, gid[gid >= 0], len(groups.keys), grid)


def _bucket_bins(samples: Samples, sli: SLI, grid: Grid, groups: Groups) -> tuple[dict[float, np.ndarray], np.ndarray, list[dict]]:
    base = sli.selector.matchers if sli.selector else ()
    idx = samples.select(Selector(sli.metric + "_bucket", base))
    by_le: dict[float, list[int]] = {}
    for i in idx:
        le = le_value(samples.labels[i].get("le"))
        if le is not None:
            by_le.setdefault(le, []).append(i)
    out: dict[float, np.ndarray] = {}
    present = np.zeros((len(groups.keys), grid.n), bool)
    infos: list[dict] = [{"series": 0, "resets": 0, "gaps": []} for _ in groups.keys]
    for le, ids in by_le.items():
        gid = groups.of(samples, ids)
        inc, pres, inf = counter_bins_grouped(samples, [i for i, g in zip(ids, gid) if g >= 0], gid[gid >= 0],
                                              len(groups.keys), grid)
        out[le] = inc
        if math.isinf(le):
            present, infos = pres, inf
    counts = np.bincount(groups.of(samples, idx)[groups.of(samples, idx) >= 0], minlength=len(groups.keys))
    return out, present, [{**inf, "series": int(c)} for inf, c in zip(infos, counts)]


def _bool_gauge_events(slo: SLO, samples: Samples, grid: Grid, groups: Groups) -> list[Events]:
    """A 0/1 (or 0..1) gauge: good = the sum of its samples, valid = their count, per bin."""
    idx = sorted({i for s in slo.sli.good for i in samples.select(s)})
    gid = groups.of(samples, idx)
    keep = gid >= 0
    sums, counts, present, infos = sample_bins_grouped(samples, [i for i, k in zip(idx, keep) if k], gid[keep],
                                                       len(groups.keys), grid)
    return [Events(grid, sums[g], counts[g], present[g], info=dict(infos[g])) for g in range(len(groups.keys))]


def _ratio_events(slo: SLO, samples: Samples, grid: Grid, groups: Groups) -> list[Events]:
    sli = slo.sli
    gauge = sli.kind == "gauge_ratio"
    parts = {k: _role_bins(samples, getattr(sli, k), grid, gauge, groups) if getattr(sli, k) else None
             for k in ("good", "bad", "total")}
    if parts["total"] is not None:
        valid, present, infos = parts["total"]
        good = parts["good"][0] if parts["good"] else valid - parts["bad"][0]
    else:
        good, present, infos = parts["good"]
        valid = good + parts["bad"][0]
        present = present | parts["bad"][1]
        infos = [{**i, "resets": i["resets"] + j["resets"]} for i, j in zip(infos, parts["bad"][2])]
    return [Events(grid, good[g], valid[g], present[g], info=dict(infos[g])) for g in range(len(groups.keys))]


def _latency_events(slo: SLO, samples: Samples, grid: Grid, groups: Groups) -> list[Events]:
    buckets, present, infos = _bucket_bins(samples, slo.sli, grid, groups)
    inf = buckets.get(math.inf)
    out = []
    thr = slo.sli.threshold_s
    exact, lo, hi = bucket_at(buckets, thr)
    for g in range(len(groups.keys)):
        info = {**infos[g], "resets": infos[g].get("resets", 0)}
        if inf is None:
            zero = np.zeros(grid.n)
            out.append(Events(grid, zero, zero.copy(), present[g], info={**info, "error": "no le=+Inf bucket"}))
        elif exact is not None:
            out.append(Events(grid, buckets[exact][g], inf[g], present[g], info={**info, "bucket": exact}))
        else:
            good_lo = buckets[lo][g] if lo is not None else np.zeros(grid.n)
            good_hi = buckets[hi][g] if hi is not None else inf[g]
            lo_v = lo if lo is not None else 0.0
            frac = (thr - lo_v) / (hi - lo_v) if hi is not None else 0.0
            out.append(Events(grid, good_lo, inf[g], present[g], good_upper=good_hi,
                              good_interp=good_lo + (good_hi - good_lo) * frac,
                              info={**info, "bucket_lower": lo, "bucket_upper": hi}))
    return out


def events_by_group(slo: SLO, samples: Samples, grid: Grid) -> tuple[Groups, list[Events]]:
    """Good and valid events per bin for every group of ``slo`` (one group without ``group_by``).

    Latency SLIs: good = the ``le`` bucket equal to the threshold; when the threshold is
    not a boundary, ``good`` is the lower bound (bucket below), ``good_upper`` the upper
    bound (bucket above) and ``good_interp`` the linear interpolation between them.
    Exclusions (maintenance windows) are applied (:func:`exclude`).
    """
    groups = slo_groups(slo, samples)
    make = {"latency": _latency_events, "bool_gauge": _bool_gauge_events}.get(slo.sli.kind, _ratio_events)
    return groups, [exclude(ev, slo.exclusions) for ev in make(slo, samples, grid, groups)]


def events_for(slo: SLO, samples: Samples, grid: Grid) -> Events:
    """Good and valid events per bin for ``slo`` (all its series as one group; see :func:`events_by_group`)."""
    _, evs = events_by_group(replace(slo, group_by=(), group_without=False), samples, grid)
    return evs[0]


def exclusion_mask(grid: Grid, exclusions: tuple[Exclusion, ...]) -> np.ndarray:
    """Bins overlapping any exclusion ``(start, end]`` (bin ``k`` covers ``(t_k − res, t_k]``)."""
    t = grid.times()
    mask = np.zeros(grid.n, bool)
    for x in exclusions:
        mask |= (t > x.start) & (t - grid.res < x.end)
    return mask


def exclude(ev: Events, exclusions: tuple[Exclusion, ...]) -> Events:
    """``ev`` with the events of excluded bins removed; ``info["excluded_bins"]`` holds what was removed per bin."""
    if not exclusions:
        return ev
    mask = exclusion_mask(ev.grid, exclusions)
    keep = ~mask

    def cut(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else np.where(keep, x, 0.0)

    removed = {"valid": np.where(mask, ev.valid, 0.0), "bad": np.where(mask, ev.bad, 0.0)}
    return Events(ev.grid, cut(ev.good), cut(ev.valid), ev.present, cut(ev.good_upper), cut(ev.good_interp),
                  {**ev.info, "excluded_bins": removed}, mask)
