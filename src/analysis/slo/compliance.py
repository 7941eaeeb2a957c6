"""One SLO over its window: the SLI and compliance, the error-budget figures, time to exhaustion, projection.

Every function reads the per-bin events of :mod:`.sli` over the bins of a
:class:`~analysis.slo.budget.Span` and appends its findings to the caller's ``warns``
list (in the order the report shows them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import budget as B
from .budget import Span
from .objectives import SLO, format_duration
from .sli import Events


@dataclass(frozen=True)
class Compliance:
    """Counted events over the window and whether they meet the target (None: undetermined).

    With latency bounds (threshold between buckets) ``sli_lower``/``sli_upper``/``sli_interpolated``
    are set; ``good``, ``bad`` and ``sli`` are then the lower bound, or the interpolated
    values when the SLO asks for interpolation.
    """

    good: float
    valid: float
    bad: float
    sli: float
    compliant: bool | None
    sli_lower: float | None = None
    sli_upper: float | None = None
    sli_interpolated: float | None = None


def window_counts(ev: Events, span: Span) -> tuple[float, float]:
    """``(good, valid)`` events over the window's bins."""
    a, b = span.a, span.b
    return float(ev.good[a:b + 1].sum()), float(ev.valid[a:b + 1].sum())


def sli_compliance(slo: SLO, ev: Events, span: Span, warns: list[str]) -> Compliance:
    """SLI and compliance over the window (``valid`` must be > 0)."""
    a, b = span.a, span.b
    g, v = window_counts(ev, span)
    bad = v - g
    t = slo.target
    sli = g / v
    compliant = B.meets(g, v, t)
    if ev.good_upper is None:
        return Compliance(g, v, bad, sli, compliant)
    gu = float(ev.good_upper[a:b + 1].sum())
    gi = float(ev.good_interp[a:b + 1].sum())
    sli_lower, sli_upper, sli_interp = sli, gu / v, gi / v
    lo_ok, hi_ok = B.meets(g, v, t), B.meets(gu, v, t)
    if slo.sli.interpolate:
        sli, g, bad = sli_interp, gi, v - gi
        compliant = B.meets(gi, v, t)
    else:
        compliant = True if lo_ok else (False if not hi_ok else None)
        if compliant is None:
            warns.append(f"compliance undetermined: SLI between {100 * sli_lower:.3f} % and {100 * sli_upper:.3f} % "
                         f"straddles the target {slo.target_pct:g} % (threshold between buckets); "
                         "budget figures, burn rates and alerts use the lower bound")
    return Compliance(g, v, bad, sli, compliant, sli_lower, sli_upper, sli_interp)


@dataclass(frozen=True)
class BudgetFigures:
    """The error budget under the SLO's budgeting method (percentages None when undefined)."""

    budget_events: float
    remaining: float
    consumed_pct: float | None
    remaining_pct: float | None
    budget_minutes: float
    remaining_minutes: float | None
    timeslices: dict
    compliant: bool | None  # the method's verdict (timeslices methods decide by slices)


def timeslice_figures(slo: SLO, ev: Events, span: Span, res: float, warns: list[str]) -> dict:
    """The timeslice view of the window (:func:`analysis.slo.budget.timeslices` plus budget figures)."""
    t = slo.target
    ts_info = B.timeslices(ev, slo.effective_slice_target, slo.slice_s, span.a, span.b)
    if slo.slice_s < res:
        warns.append(f"timeslice {format_duration(slo.slice_s)} is shorter than the data resolution "
                     f"{format_duration(res)}; slices of {format_duration(ts_info['slice_s'])} used")
    n_ts = ts_info["with_traffic"]
    ts_budget = (1 - t) * n_ts
    ts_info.update({
        "slice_target_pct": 100 * slo.effective_slice_target,
        "sli": ts_info["good"] / n_ts if n_ts else None,
        "compliant": B.meets(ts_info["good"], n_ts, t),
        "budget_slices": ts_budget,
        "budget_remaining_slices": ts_budget - ts_info["bad"],
        "budget_remaining_pct": 100 * (ts_budget - ts_info["bad"]) / ts_budget if ts_budget > 0 else None,
        "budget_remaining_minutes": (ts_budget - ts_info["bad"]) * ts_info["slice_s"] / 60,
    })
    return ts_info


def budget_figures(slo: SLO, ev: Events, span: Span, c: Compliance, res: float,
                   warns: list[str]) -> BudgetFigures:
    """Budget, consumption and what remains, by occurrences, timeslices or ratio_timeslices."""
    t, v, bad, window_s = slo.target, c.valid, c.bad, span.window_s
    compliant = c.compliant
    budget_events = (1 - t) * v
    remaining = budget_events - bad
    consumed_pct = 100 * bad / budget_events
    budget_minutes = window_s / 60 * (1 - t)
    remaining_minutes = budget_minutes - window_s / 60 * (bad / v)
    ts_info = timeslice_figures(slo, ev, span, res, warns)
    if slo.method == "ratio_timeslices":  # OpenSLO RatioTimeslices: the mean of the slices' SLIs
        m = ts_info["mean_slice_sli"]
        compliant = None if m is None else bool(m >= t - B.REL_TOL)
        consumed_pct = None if m is None else 100 * (1 - m) / (1 - t)
        remaining_pct = None if m is None else 100 - consumed_pct
        remaining_minutes = None if m is None else budget_minutes - window_s / 60 * (1 - m)
    elif slo.method == "timeslices":
        compliant = ts_info["compliant"]
        ts_budget = ts_info["budget_slices"]
        if ts_budget > 0:
            consumed_pct = 100 * ts_info["bad"] / ts_budget
            remaining_pct = 100 - consumed_pct
            remaining_minutes = ts_info["budget_remaining_minutes"]
        else:
            remaining_pct = None
    else:
        remaining_pct = 100 * remaining / budget_events
    return BudgetFigures(budget_events, remaining, consumed_pct, remaining_pct, budget_minutes,
                         remaining_minutes, ts_info, compliant)


def time_to_exhaustion(remaining_pct: float | None, burn_rates: dict[str, float | None],
                       window_s: float) -> float | None:
    """Seconds until the budget is spent at the current (1 h, else 6 h) burn rate.

    0 when it is already spent; None when there is no budget figure or nothing burns.
    """
    current = burn_rates.get("1h") if burn_rates.get("1h") is not None else burn_rates.get("6h")
    frac_left = (remaining_pct / 100) if remaining_pct is not None else None
    if frac_left is None:
        return None
    if frac_left <= 0:
        return 0.0
    if current is None or current <= 0:
        return None
    return frac_left * window_s / current


def projection(slo: SLO, ev: Events, span: Span, c: Compliance, first_t: float,
               res: float) -> tuple[float | None, bool | None, str]:
    """Projected SLI at the last day's error ratio: to the end of the period (calendar) or one window ahead.

    Returns
    -------
    (projected_sli, projected_compliant, basis)
        ``(None, None, "no traffic in the last day")`` when the last day has no valid event.
    """
    k_end = span.b
    day = B.window_bins(86400, res)
    lo = max(k_end + 1 - day, 0)
    v_d, b_d = float(ev.valid[lo:k_end + 1].sum()), float(ev.bad[lo:k_end + 1].sum())
    if not v_d > 0:
        return None, None, "no traffic in the last day"
    err_d = b_d / v_d
    if slo.window.kind == "calendar":
        elapsed = max(span.at - max(span.start, first_t), res)
        rate = c.valid / elapsed
        future_v = rate * max(span.period_end - span.at, 0)
        proj = (c.good + future_v * (1 - err_d)) / (c.valid + future_v)
        basis = (f"rest of the period ({format_duration(round(max(span.period_end - span.at, 0)))}) at the current "
                 f"traffic and the last day's error ratio {100 * err_d:.3f} %")
    else:
        proj = 1 - err_d
        basis = f"next {format_duration(span.window_s)} at the last day's error ratio {100 * err_d:.3f} %"
    return (float(proj) if math.isfinite(proj) else None), B.meets(proj, 1.0, slo.target), basis
