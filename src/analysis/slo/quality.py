"""Data-quality facts about one SLO's window: coverage, scrape gaps, counter resets, zero traffic,
samples dropped (NaN staleness markers, ±Inf, negative values) and odd counter decreases.

They go into the report's ``data`` (machine-readable) and its warnings (for the reader); the
verdict sums the dropped samples over the catalog (every output says when samples were dropped).
"""

from __future__ import annotations

import numpy as np

from ..timeparse import iso
from . import budget as B
from .budget import Span
from .objectives import format_duration
from .series import Samples
from .sli import Events


def _runs(mask: np.ndarray, times: np.ndarray, res: float) -> tuple[float, list[list[float]]]:
    """Total seconds of ``mask`` (bins × ``res``) and its runs as ``[first, last]`` bin times."""
    return float(mask.sum()) * res, B.intervals(mask, times)


def data_quality(samples: Samples, ev: Events, span: Span, res: float) -> tuple[dict, list[str]]:
    """Facts for the report's ``data`` and the warnings they call for, in the report's order.

    Parameters
    ----------
    samples : Samples
        All the data (its first sample time and loading counts: NaN, out-of-order).
    ev : Events
        The SLO's events per bin (presence, resets, gaps, series born mid-window).
    span : Span
        The SLO's window.
    res : float
        The grid resolution in seconds.

    Returns
    -------
    (dict, list of str)
    """
    a, b, start, end = span.a, span.b, span.start, span.end
    warns: list[str] = []
    times = ev.grid.times()[a:b + 1]
    usable = ev.info.get("usable_range")
    first_t = max(samples.time_range[0], usable[0]) if usable else None  # no usable sample: the no-data reason says so
    if first_t is not None and first_t - start > 1.5 * res:
        warns.append(f"window starts {format_duration(round(first_t - start))} before the first sample: "
                     "that part of the window has no data")
    pres = ev.present[a:b + 1]
    excl = ev.excluded[a:b + 1] if ev.excluded is not None else np.zeros(pres.size, bool)
    gap_s, _ = _runs(~pres & ~excl, times, res)
    zero_s, zero_iv = _runs(pres & ~excl & (ev.valid[a:b + 1] == 0), times, res)
    resets = ev.info.get("resets", 0)
    gaps_raw = [[iso(s), iso(e)] for s, e in ev.info.get("gaps", []) if e > start and s < end]
    facts = {"series": ev.info.get("series", 0), "counter_resets": resets,
             "scrape_gaps": gaps_raw, "no_data_seconds": gap_s,
             "zero_traffic_seconds": zero_s,
             "zero_traffic_intervals": [[iso(s - res), iso(e)] for s, e in zero_iv if e - s + res >= 3600],
             "sample_quality": dict(samples.quality),
             "usable_samples": [iso(usable[0]), iso(usable[1])] if usable else None,
             "dropped_samples": {k: dict(ev.info[k]) for k in DROPPED if ev.info.get(k)},
             "suspicious_decreases": dict(ev.info.get("suspicious_decreases") or {})}
    if gaps_raw:
        warns.append(f"{len(gaps_raw)} scrape gap(s) in the window (longest "
                     f"{format_duration(round(max(e - s for s, e in ev.info['gaps'])))}); increases across a gap "
                     "are attributed to the first sample after it")
    if resets:
        warns.append(f"{resets} counter reset(s) handled (counted from 0)")
    long_zero = [iv for iv in zero_iv if iv[1] - iv[0] + res >= 3600]
    if long_zero:
        warns.append(f"{len(long_zero)} zero-traffic interval(s) of 1 h or more: burn rates there are undefined "
                     "(no data), not 0 and not compliant")
    warns += series_warnings(ev.info)
    if samples.quality.get("out_of_order"):
        warns.append(f"{samples.quality['out_of_order']} out-of-order sample(s) sorted")
    if ev.info.get("born_later"):
        warns.append(f"{ev.info['born_later']} series appeared mid-window; their first value is counted from 0")
    if ev.info.get("error"):
        warns.append(ev.info["error"])
    if ev.excluded is not None:
        removed = ev.info["excluded_bins"]
        facts["excluded"] = {"seconds": float(excl.sum()) * res, "valid_events": float(removed["valid"][a:b + 1].sum()),
                             "bad_events": float(removed["bad"][a:b + 1].sum())}
    return facts, warns


#: Why samples of an SLO's series were dropped: NaN (Prometheus staleness markers), not a counter value (±Inf, < 0).
DROPPED = {"nan": ("NaN staleness marker", "NaN staleness markers"),
           "invalid": ("+Inf/−Inf or negative counter value", "+Inf/−Inf or negative counter values")}


def dropped_counts(dropped: dict[str, dict[str, int]]) -> dict[str, int]:
    """Samples dropped per reason of :data:`DROPPED`, from per-series counts (``{"nan": {series: n}, …}``)."""
    return {k: sum(dropped[k].values()) for k in DROPPED if dropped.get(k)}


def dropped_text(counts: dict[str, int]) -> str:
    """``"1 NaN staleness marker and 1 +Inf/−Inf or negative counter value"`` ('' when nothing was dropped)."""
    parts = [f"{n} {DROPPED[k][n != 1]}" for k, n in counts.items() if n]
    return " and ".join(parts)


def _listing(counts: dict[str, int], most: int = 3) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{name}: {c}" for name, c in items[:most])
    return text + (f" and {len(items) - most} more series" if len(items) > most else "")


def series_warnings(info: dict) -> list[str]:
    """One line per kind of bad sample, naming the series (NaN staleness markers, +Inf/negative, odd decreases)."""
    warns = []
    if info.get("nan"):
        warns.append(f"{sum(info['nan'].values())} NaN sample(s) (Prometheus staleness markers) dropped: "
                     f"{_listing(info['nan'])}")
    if info.get("invalid"):
        warns.append(f"{sum(info['invalid'].values())} +Inf/−Inf or negative counter value(s) dropped (not a counter "
                     f"value; check the exporter): {_listing(info['invalid'])}")
    if info.get("suspicious_decreases"):
        warns.append(f"{sum(info['suspicious_decreases'].values())} counter decrease(s) that do not look like a restart "
                     "(the value does not drop towards 0, or drops twice in a row), counted as resets like Prometheus: "
                     f"{_listing(info['suspicious_decreases'])} — is it a gauge, or two sources in one series?")
    return warns
