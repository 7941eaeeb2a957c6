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
Prometheus does, and named in ``info["suspicious_decreases"]``. ``info["usable_range"]`` is the
first and last time of the samples that were counted (absent when every sample was dropped).

With grouping labels (``SLO.group_by``) every function returns one row per label value
(arrays of shape ``(groups, bins)``), computed in one pass over the samples. The grid and the
per-bin folds of raw samples are :mod:`analysis.slo.bins` (``Grid``, ``make_grid`` and
``counter_bins`` are re-exported here, where callers have always found them).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..promql import Selector
from .bins import (Grid, counter_bins, counter_bins_grouped, gauge_bins_grouped, make_grid, merge_ranges,
                   sample_bins_grouped)
from .objectives import SLI, SLO, Exclusion, bucket_at, le_value
from .series import Samples

__all__ = ["Events", "Grid", "Groups", "counter_bins", "events_by_group", "events_for", "exclude", "exclusion_mask",
           "make_grid", "slo_groups"]

log = logging.getLogger(__name__)


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


def _merged_quality(good: dict, bad: dict) -> dict:
    """The usable range and the per-series quality counts of a good/bad pair (an SLI without a total)."""
    out: dict = {k: {**good.get(k, {}), **bad.get(k, {})} for k in ("nan", "invalid", "suspicious_decreases")
                 if good.get(k) or bad.get(k)}
    usable = merge_ranges(good.get("usable_range"), bad.get("usable_range"))
    return {**out, "usable_range": usable} if usable else out


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
        infos = [{**i, "resets": i["resets"] + j["resets"],
                  **_merged_quality(i, j)} for i, j in zip(infos, parts["bad"][2])]
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
