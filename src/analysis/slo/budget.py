"""Error budgets, burn rates, multiwindow multi-burn-rate tiers, backtests, periods.

Definitions (event based, "Occurrences"): SLI = good / valid; budget = (1 − target) ×
valid events; consumed = bad events (counted, never derived from a rounded ratio);
remaining = budget − consumed, negative when overspent (never clamped); burn rate over
``w`` = (bad_w / valid_w) / (1 − target). Windows with no valid event have no burn rate
(NaN: zero traffic is neither good nor bad) and never fire an alert.
"""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .objectives import DEFAULT_TIER_SPECS, Tier, Window, format_duration, never_fires
from .sli import Events, Grid

#: burn-rate windows reported for every SLO
BURN_WINDOWS_S = (300, 1800, 3600, 7200, 21600, 86400, 259200)
#: relative tolerance for "exactly on target" (999/1000 at 99.9 % is compliant)
REL_TOL = 1e-9


#: the default tiers resolved for a 30-day SLO: SRE Workbook 14.4x 1h/5m and 6x 6h/30m pages, 1x 3d/6h
#: ticket, Sloth's 3x 1d/2h ticket (other windows scale: :meth:`~.objectives.TierSpec.resolve`)
DEFAULT_TIERS = tuple(t.resolve(30 * 86400.0) for t in DEFAULT_TIER_SPECS)


def meets(good: float, valid: float, target: float) -> bool | None:
    """``good/valid >= target`` with a tolerance; None when there is no valid event."""
    if not valid > 0:
        return None
    return good >= target * valid - REL_TOL * valid


# --------------------------------------------------------------------------- windows
def _floor_period(ts: pd.Timestamp, unit: str) -> pd.Timestamp:
    ts = ts.normalize()
    if unit == "day":
        return ts
    if unit == "week":
        return ts - pd.Timedelta(days=ts.weekday())
    if unit == "month":
        return ts.replace(day=1)
    if unit == "quarter":
        return ts.replace(month=3 * ((ts.month - 1) // 3) + 1, day=1)
    return ts.replace(month=1, day=1)


def _add_period(ts: pd.Timestamp, unit: str) -> pd.Timestamp:
    off = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1),
           "quarter": pd.DateOffset(months=3), "year": pd.DateOffset(years=1)}[unit]
    return ts + off


def window_bounds(window: Window, at: float) -> tuple[float, float, float]:
    """``(start, end, period_end)`` in Unix seconds for a window evaluated at ``at``.

    Rolling: ``(at − w, at, at)``. Calendar: the period holding the instant just before
    ``at`` (evaluating exactly at a month boundary reports the month that just ended),
    in the window's timezone; ``period_end`` is when that period ends.
    """
    if window.kind == "rolling":
        return at - window.seconds, at, at
    tz = zoneinfo.ZoneInfo(window.timezone)
    local = pd.Timestamp(at - 1e-3, unit="s", tz="UTC").tz_convert(tz)
    if window.count == 1 and not window.start:
        start = _floor_period(local, window.unit)
        end = _add_period(start, window.unit)
    else:
        start, end = _anchored_period(local, window)
    return start.timestamp(), at, end.timestamp()


_MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: where periods of several units start when the spec gives no ``startTime`` (a Monday; a January)
_EPOCH = "1970-01-05T00:00:00"


def _anchored_period(local: pd.Timestamp, window: Window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period of ``count`` units holding ``local``, periods starting at ``window.start`` (local time)."""
    anchor = pd.Timestamp(window.start or _EPOCH).tz_localize(local.tz)
    if window.unit in ("day", "week"):  # wall-clock days: a period starts at the same local time across DST
        step = pd.Timedelta(days=window.count * (7 if window.unit == "week" else 1))
        naive = local.tz_localize(None)
        k = (naive - anchor.tz_localize(None)) // step
        start = (anchor.tz_localize(None) + k * step)
        return (start.tz_localize(local.tz, ambiguous=True, nonexistent="shift_forward"),
                (start + step).tz_localize(local.tz, ambiguous=True, nonexistent="shift_forward"))
    months = _MONTHS[window.unit] * window.count
    k = ((local.year - anchor.year) * 12 + local.month - anchor.month) // months
    start = anchor + pd.DateOffset(months=k * months)
    while start > local:
        k -= 1
        start = anchor + pd.DateOffset(months=k * months)
    while anchor + pd.DateOffset(months=(k + 1) * months) <= local:
        k += 1
        start = anchor + pd.DateOffset(months=k * months)
    return start, anchor + pd.DateOffset(months=(k + 1) * months)


def bin_range(grid: Grid, start: float, end: float) -> tuple[int, int]:
    """Bins whose right edge lies in ``(start, end]`` as an inclusive ``(a, b)``, clipped."""
    a = int(math.floor((start - grid.origin) / grid.res + 1e-9)) + 1
    b = int(math.floor((end - grid.origin) / grid.res + 1e-9))
    return max(a, 0), min(b, grid.n - 1)


@dataclass(frozen=True)
class Span:
    """Where one SLO is evaluated: its window in Unix seconds and in bins of the grid.

    ``window_s`` is the window's length: ``end − start`` for a rolling window, the whole
    period (``period_end − start``) for a calendar window. Bins ``a..b`` (inclusive) are
    the bins whose right edge lies in ``(start, end]``.
    """

    at: float
    start: float
    end: float
    period_end: float
    window_s: float
    a: int
    b: int


def window_span(window: Window, at: float, grid: Grid) -> Span:
    """The :class:`Span` of ``window`` evaluated at ``at`` on ``grid``."""
    start, end, period_end = window_bounds(window, at)
    window_s = end - start if window.kind == "rolling" else period_end - start
    a, b = bin_range(grid, start, end)
    return Span(at, start, end, period_end, window_s, a, b)


def cumsum0(x: np.ndarray) -> np.ndarray:
    """Cumulative sum with a leading 0 (``out[k]`` = sum of the first ``k`` values)."""
    out = np.empty(x.size + 1)
    out[0] = 0.0
    np.cumsum(x, out=out[1:])
    return out


def rolling_sum(c: np.ndarray, n_bins: int) -> np.ndarray:
    """Sum over the last ``n_bins`` bins ending at every bin (partial at the start)."""
    k = np.arange(c.size - 1)
    lo = np.maximum(k + 1 - n_bins, 0)
    return c[k + 1] - c[lo]


def window_bins(seconds: float, res: float) -> int:
    """How many bins of ``res`` seconds make ``seconds`` (at least 1)."""
    return max(1, int(round(seconds / res)))


def burn_rate_series(ev: Events, target: float, seconds: float) -> np.ndarray:
    """Burn rate over ``seconds`` ending at every bin (NaN where the window has no traffic)."""
    n = window_bins(seconds, ev.grid.res)
    vc, bc = cumsum0(ev.valid), cumsum0(ev.bad)
    v, b = rolling_sum(vc, n), rolling_sum(bc, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(v > 0, (b / np.where(v > 0, v, 1)) / (1 - target), np.nan)
    return r


def burn_rates_at(ev: Events, target: float, k: int) -> dict[str, float | None]:
    """Burn rate for each of :data:`BURN_WINDOWS_S` ending at bin ``k``."""
    vc, bc = cumsum0(ev.valid), cumsum0(ev.bad)
    out: dict[str, float | None] = {}
    for w in BURN_WINDOWS_S:
        n = window_bins(w, ev.grid.res)
        lo = max(k + 1 - n, 0)
        v, b = vc[k + 1] - vc[lo], bc[k + 1] - bc[lo]
        out[format_duration(w)] = (b / v) / (1 - target) if v > 0 else None
    return out


def tier_notes(target: float, res: float, tiers: tuple[Tier, ...] = DEFAULT_TIERS) -> dict[str, str]:
    """Tiers that can never fire (factor ≥ 1/(1−target)) or whose short window is below the resolution."""
    notes = {}
    for t in tiers:
        if why := never_fires(t, target):
            notes[t.name] = f"can never fire: {why} (100 % errors at target {target * 100:g} %)"
        elif t.factor < 1:
            notes[t.name] = (f"factor {t.factor:.4g} < 1 ({t.budget_pct:g} % of the budget in "
                             f"{format_duration(t.long_s)}): fires while the budget would still last the period")
        elif t.short_s < res:
            notes[t.name] = (f"short window {format_duration(t.short_s)} is below the data resolution "
                             f"{format_duration(res)}: meaningless")
    return notes


def firing_series(ev: Events, target: float, tiers: tuple[Tier, ...] = DEFAULT_TIERS) -> dict[str, np.ndarray]:
    """Boolean per bin per tier: both windows' burn rates exceed the factor."""
    cache: dict[float, np.ndarray] = {}

    def br(s: float) -> np.ndarray:
        if s not in cache:
            cache[s] = burn_rate_series(ev, target, s)
        return cache[s]

    out = {}
    for t in tiers:
        with np.errstate(invalid="ignore"):
            out[t.name] = (br(t.long_s) > t.factor) & (br(t.short_s) > t.factor)
    return out


@dataclass
class Alerts:
    """The burn-rate alert picture of one SLO at the end of its window."""

    burn_rates: dict[str, float | None]  # per :data:`BURN_WINDOWS_S`, at the evaluation time
    firing: dict[str, np.ndarray]         # per tier: firing per bin of the whole grid
    notes: dict[str, str]                 # per tier: never fires / meaningless (see :func:`tier_notes`)
    firing_now: list[str]                 # tiers firing at the evaluation time
    backtest: dict[str, list[list[float]]]  # per tier: firing intervals inside the window


def alert_state(ev: Events, target: float, a: int, b: int, data_res: float,
                tiers: tuple[Tier, ...] = DEFAULT_TIERS) -> Alerts:
    """Burn rates at bin ``b``, every tier's firing series, and its firing intervals over bins ``a..b``.

    ``data_res`` is the data's own sample interval (tiers with a shorter short window get a note).
    """
    firing = firing_series(ev, target, tiers)
    times = ev.grid.times()
    return Alerts(
        burn_rates=burn_rates_at(ev, target, b),
        firing=firing,
        notes=tier_notes(target, data_res, tiers),
        firing_now=[name for name, m in firing.items() if b >= 0 and m[b]],
        backtest={name: intervals(m[a:b + 1], times[a:b + 1]) for name, m in firing.items()},
    )


def intervals(mask: np.ndarray, times: np.ndarray) -> list[list[float]]:
    """Runs of True as ``[first_time, last_time]`` pairs."""
    if not mask.any():
        return []
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return [[float(times[s]), float(times[e])] for s, e in zip(starts, ends)]


def timeslices(ev: Events, target_slice: float, slice_s: float, a: int, b: int) -> dict:
    """Timeslice budgeting over bins ``a..b``: slices aligned to multiples of ``slice_s``.

    A slice with traffic is good when its SLI ≥ ``target_slice``; slices without traffic
    (or without data) are neither good nor bad and are counted apart.
    """
    res = ev.grid.res
    m = window_bins(slice_s, res)
    times = ev.grid.times()[a:b + 1]
    sl = np.floor((times - 1e-9) / (m * res)).astype(np.int64)
    sl -= sl[0] if sl.size else 0
    ns = int(sl[-1]) + 1 if sl.size else 0
    g = np.bincount(sl, weights=ev.good[a:b + 1], minlength=ns)
    v = np.bincount(sl, weights=ev.valid[a:b + 1], minlength=ns)
    p = np.bincount(sl, weights=ev.present[a:b + 1].astype(float), minlength=ns) > 0
    has = v > 0
    good = has & (g >= target_slice * v - REL_TOL * v)
    ratios = g[has] / v[has]
    return {"slice_s": m * res, "slices": ns, "with_traffic": int(has.sum()), "good": int(good.sum()),
            "mean_slice_sli": float(ratios.mean()) if ratios.size else None,
            "bad": int((has & ~good).sum()), "no_traffic": int((p & ~has).sum()), "no_data": int((~p).sum())}


def period_compliance(compliant: bool | None, valid: float, complete: bool, coverage_pct: float) -> str:
    """A calendar period's compliance in words: a period the data does not span is ``partial (33 % covered)``,
    never compliant or violated; else ``compliant`` / ``violated`` / ``undetermined`` / ``no traffic``.

    Examples
    --------
    >>> period_compliance(True, 10.0, False, 32.55), period_compliance(False, 10.0, True, 100.0)
    ('partial (33 % covered)', 'violated')
    """
    if not complete:
        return f"partial ({coverage_pct:.0f} % covered)"
    if not valid > 0:
        return "no traffic"
    return {True: "compliant", False: "violated"}.get(compliant, "undetermined (SLI straddles the target)")


def periods_table(ev: Events, target: float, unit: str, tz: str = "UTC") -> pd.DataFrame:
    """Past calendar periods (``month``/``quarter``/``week``) covered by the data.

    Returns
    -------
    DataFrame
        period, good, bad, valid, sli_pct, compliance (:func:`period_compliance`: a period whose first
        or last bin holds no data is partial), budget_remaining_pct, coverage_pct.
    """
    t = ev.grid.times()
    times = pd.to_datetime(t - 1e-3, unit="s", utc=True).tz_convert(tz)
    freq = {"day": "D", "month": "M", "quarter": "Q", "week": "W-SUN", "year": "Y"}[unit]
    key = times.tz_localize(None).to_period(freq)
    upper = ev.good_upper if ev.good_upper is not None else ev.good
    df = pd.DataFrame({"period": key.astype(str), "good": ev.good, "good_upper": upper, "valid": ev.valid,
                       "present": ev.present, "data_t": np.where(ev.present, t, np.nan)})
    g = df.groupby("period", sort=True).agg(good=("good", "sum"), good_upper=("good_upper", "sum"),
                                            valid=("valid", "sum"), bins=("present", "size"),
                                            bins_with_data=("present", "sum"), first=("data_t", "min"),
                                            last=("data_t", "max"))
    g["bad"] = g["valid"] - g["good"]
    g["sli_pct"] = np.where(g["valid"] > 0, 100 * g["good"] / g["valid"].where(g["valid"] > 0, 1), np.nan)
    budget = (1 - target) * g["valid"]
    g["budget_remaining_pct"] = np.where(budget > 0, 100 * (budget - g["bad"]) / budget.where(budget > 0, 1), np.nan)
    # with latency bounds: met when the lower bound meets, missed when even the upper bound misses
    compliant = [None if meets(lo, v, target) is None else
                 (True if meets(lo, v, target) else (False if not meets(hi, v, target) else None))
                 for lo, hi, v in zip(g["good"], g["good_upper"], g["valid"])]
    periods = [pd.Period(p, freq=freq) for p in g.index]
    start = np.array([p.start_time.tz_localize(tz).timestamp() for p in periods])
    end = np.array([(p.end_time + pd.Timedelta(1, "ns")).tz_localize(tz).timestamp() for p in periods])
    g["coverage_pct"] = np.minimum(100.0, 100 * g["bins_with_data"] * ev.grid.res / (end - start))
    res = ev.grid.res  # bin k covers (t_k - res, t_k]: the period is spanned when its first and last bins hold data
    complete = (g["first"].to_numpy() - res <= start + 1e-6) & (g["last"].to_numpy() >= end - 1e-6)
    g["compliance"] = [period_compliance(c, v, ok, cov)
                       for c, v, ok, cov in zip(compliant, g["valid"], complete, g["coverage_pct"])]
    return g.reset_index()[["period", "good", "bad", "valid", "sli_pct", "compliance",
                            "budget_remaining_pct", "coverage_pct"]]
