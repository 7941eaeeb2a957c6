"""The series container every source returns: :class:`Samples` of many Prometheus series.

(Not a sample generator: the synthetic Prometheus data lives in :mod:`analysis.samples.traffic`.)
A :class:`Samples` holds one row per series in :attr:`labels` (a list of label dicts,
``__name__`` included) and three aligned numpy arrays ``sid`` (series index), ``ts``
(Unix seconds, float64) and ``value`` (float64), sorted by series then time, without
duplicate timestamps. :meth:`Samples.frame` gives the tidy pandas view
(series labels, timestamp, value). Keeping arrays instead of Python objects is what
lets a 17M-sample export fit in a few hundred MB.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from ..promql import Selector, series_text

log = logging.getLogger(__name__)

#: one series as a reader returns it: labels (``__name__`` included), times (Unix seconds), values
Part = tuple[dict[str, str], np.ndarray, np.ndarray]


@dataclass
class Samples:
    """Samples of many series (see module docstring)."""

    labels: list[dict[str, str]]
    sid: np.ndarray
    ts: np.ndarray
    value: np.ndarray
    origin: str = ""
    #: data-quality counts found while loading/merging (nan, out_of_order, duplicates...)
    quality: dict[str, int] = field(default_factory=dict)
    #: per file/source notes for the report
    notes: list[str] = field(default_factory=list)
    #: NaN samples (Prometheus staleness markers) dropped while loading, per series (:func:`series_text`)
    nan_by_series: dict[str, int] = field(default_factory=dict)
    _resolution: float | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.ts.size)

    @property
    def metric_names(self) -> set[str]:
        return {lab.get("__name__", "") for lab in self.labels}

    def frame(self) -> pd.DataFrame:
        """Tidy frame: one column per label, then ``timestamp`` (UTC) and ``value``."""
        lab = pd.DataFrame(self.labels).fillna("")
        df = lab.iloc[self.sid].reset_index(drop=True)
        df["timestamp"] = pd.to_datetime(self.ts, unit="s", utc=True)
        df["value"] = self.value
        return df

    def series_slices(self) -> np.ndarray:
        """Boundaries: samples of series ``i`` are ``[b[i], b[i+1])``."""
        return np.searchsorted(self.sid, np.arange(len(self.labels) + 1), side="left")

    def select(self, selector: Selector) -> list[int]:
        """Indices of the series matching ``selector``."""
        return [i for i, lab in enumerate(self.labels) if selector.matches(lab)]

    @property
    def time_range(self) -> tuple[float, float]:
        if self.ts.size == 0:
            return (float("nan"), float("nan"))
        return float(self.ts.min()), float(self.ts.max())

    def resolution(self) -> float:
        """Typical sample interval (median of per-series differences), seconds (computed once)."""
        if self._resolution is None:
            self._resolution = self._median_interval()
        return self._resolution

    def _median_interval(self) -> float:
        if self.ts.size < 2:
            return float("nan")
        d = np.diff(self.ts)
        same = np.diff(self.sid) == 0
        d = d[same & (d > 0)]
        if d.size == 0:
            return float("nan")
        return float(np.median(d))


def build(parts: list[Part], origin: str = "",
          notes: list[str] | None = None) -> Samples:
    """Assemble :class:`Samples` from ``(labels, ts, values)`` parts, merging equal label sets.

    Samples are sorted per series; duplicate timestamps (overlapping exports) keep the
    first value; NaN samples are dropped; the counts go to :attr:`Samples.quality`.
    """
    index: dict[tuple, int] = {}
    labels: list[dict[str, str]] = []
    sids, tss, vals = [], [], []
    for lab, ts, val in parts:
        key = tuple(sorted(lab.items()))
        i = index.get(key)
        if i is None:
            i = index[key] = len(labels)
            labels.append(dict(lab))
        ts = np.asarray(ts, dtype=np.float64)
        sids.append(np.full(ts.size, i, dtype=np.int32))
        tss.append(ts)
        vals.append(np.asarray(val, dtype=np.float64))
    if not labels:
        return Samples([], np.empty(0, np.int32), np.empty(0), np.empty(0), origin, {}, notes or [])
    sid = np.concatenate(sids)
    ts = np.concatenate(tss)
    value = np.concatenate(vals)
    del sids, tss, vals
    quality: dict[str, int] = {}
    # out of order within a series?
    same = sid[1:] == sid[:-1]
    backwards = int(np.count_nonzero(same & (ts[1:] < ts[:-1])))
    interleaved = bool(np.any(sid[1:] < sid[:-1]))
    if backwards or interleaved:
        order = np.lexsort((ts, sid))
        sid, ts, value = sid[order], ts[order], value[order]
        if backwards:
            quality["out_of_order"] = backwards
    dup = np.zeros(ts.size, dtype=bool)
    dup[1:] = (sid[1:] == sid[:-1]) & (ts[1:] == ts[:-1])
    nan = np.isnan(value)
    if dup.any() or nan.any():
        if dup.any():
            conflicting = int(np.count_nonzero(dup[1:] & (value[1:] != value[:-1]) & ~np.isnan(value[1:])))
            quality["duplicates"] = int(dup.sum())
            if conflicting:
                quality["duplicates_conflicting"] = conflicting
        nan_by_series: dict[str, int] = {}
        if nan.any():
            quality["nan"] = int(np.count_nonzero(nan & ~dup))
            per = np.bincount(sid[nan & ~dup], minlength=len(labels))
            nan_by_series = {series_text(labels[i]): int(per[i]) for i in np.flatnonzero(per)}
        keep = ~(dup | nan)
        sid, ts, value = sid[keep], ts[keep], value[keep]
        return Samples(labels, sid, ts, value, origin, quality, notes or [], nan_by_series)
    return Samples(labels, sid, ts, value, origin, quality, notes or [])


def merge(items: list[Samples]) -> Samples:
    """Merge several sources (many export files) into one; overlaps are deduplicated."""
    items = [s for s in items if s is not None]
    if len(items) == 1:
        return items[0]
    parts = []
    notes: list[str] = []
    quality: dict[str, int] = {}
    for s in items:
        b = s.series_slices()
        for i, lab in enumerate(s.labels):
            parts.append((lab, s.ts[b[i]:b[i + 1]], s.value[b[i]:b[i + 1]]))
        notes.extend(s.notes)
        for k, v in s.quality.items():
            quality[k] = quality.get(k, 0) + v
    out = build(parts, origin=", ".join(s.origin for s in items), notes=notes)
    for k, v in quality.items():
        out.quality[k] = out.quality.get(k, 0) + v
    for s in items:
        for k, v in s.nan_by_series.items():
            out.nan_by_series[k] = out.nan_by_series.get(k, 0) + v
    return out


def require_samples(s: Samples, where: str) -> Samples:
    """Raise :class:`DataError` when ``s`` holds no sample."""
    if len(s) == 0:
        raise DataError(f"{where}: no samples")
    return s
