"""Per-SLO reports: build them from a catalog and samples, export JSON, summarize a verdict.

:func:`evaluate` is the one entry point the notebook and the CLI call. The JSON export
(:meth:`SLOReport.to_json`) carries this workbook's field names plus slo-generator's
(``sli_measurement``, ``gap``, ``error_budget_burn_rate``, ...), so existing BigQuery or
Datadog pipelines can take it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from ..errors import DataError
from . import budget as B
from .catalog import SLO, Validation, format_duration, validate_against
from .samples import Samples
from .sli import Events, Grid, events_for, make_grid

log = logging.getLogger(__name__)


def iso(t: float | None) -> str | None:
    """Unix seconds → ``2026-10-01T00:00:00Z``."""
    if t is None or not math.isfinite(t):
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


@dataclass
class SLOReport:
    """What one SLO looks like at the evaluation time (see module docstring)."""

    name: str
    description: str
    target: float  # percent
    window: str
    window_start: str | None
    window_end: str | None
    budgeting_method: str
    good_events: float
    bad_events: float
    valid_events: float
    sli: float | None
    compliant: bool | None
    budget_events: float
    budget_consumed: float
    budget_consumed_pct: float | None
    budget_remaining: float
    budget_remaining_pct: float | None
    budget_minutes: float
    budget_remaining_minutes: float | None
    overspent_pct: float | None
    burn_rates: dict[str, float | None]
    alerts_firing: list[str]
    alert_backtest: dict[str, list[list[str]]]
    time_to_exhaustion_s: float | None
    status: str
    warnings: list[str] = field(default_factory=list)
    sli_lower: float | None = None
    sli_upper: float | None = None
    sli_interpolated: float | None = None
    timeslices: dict = field(default_factory=dict)
    tier_notes: dict[str, str] = field(default_factory=dict)
    projected_sli: float | None = None
    projected_compliant: bool | None = None
    projection_basis: str = ""
    no_data_reason: str = ""
    data: dict = field(default_factory=dict)
    evaluated_at: str | None = None

    def to_json(self) -> dict:
        """This report plus slo-generator's field names."""
        d = asdict(self)
        goal = self.target / 100
        window_s = self.data.get("window_seconds")
        sli = self.sli
        d.update({
            "goal": goal,
            "timestamp": self.data.get("evaluated_at_unix"),
            "timestamp_human": self.evaluated_at,
            "window_seconds": window_s,
            "sli_measurement": sli,
            "good_events_count": self.good_events,
            "bad_events_count": self.bad_events,
            "events_count": self.valid_events,
            "gap": None if sli is None else sli - goal,
            "error_budget_target": 1 - goal,
            "error_budget_measurement": None if sli is None else 1 - sli,
            "error_budget_burn_rate": None if sli is None else (1 - sli) / (1 - goal),
            "error_budget_minutes": self.budget_minutes,
            "error_minutes": None if sli is None else (window_s or 0) / 60 * (1 - sli),
            "error_budget_remaining_minutes": self.budget_remaining_minutes,
            "error_budget_consumed_ratio": None if self.budget_consumed_pct is None else self.budget_consumed_pct / 100,
            "alert": bool(self.alerts_firing),
            "valid": self.status != "NO_DATA",
            "errors": list(self.warnings) + ([self.no_data_reason] if self.no_data_reason else []),
        })
        return d


@dataclass
class SLOResult:
    """A report plus the arrays behind it (for plots and tables)."""

    slo: SLO
    report: SLOReport
    events: Events | None = None
    window_bins: tuple[int, int] = (0, -1)
    firing: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Evaluation:
    """All SLOs evaluated at one timestamp."""

    at: float
    results: list[SLOResult]
    grid: Grid
    samples_info: dict

    @property
    def reports(self) -> list[SLOReport]:
        return [r.report for r in self.results]


def _no_data(slo: SLO, at: float, start: float, reason: str, warns: list[str], extra: dict | None = None,
             counts: tuple[float, float] = (0.0, 0.0)) -> SLOReport:
    good, valid = counts
    return SLOReport(
        name=slo.name, description=slo.description, target=slo.target_pct, window=slo.window.describe(),
        window_start=iso(start), window_end=iso(at), budgeting_method=slo.method,
        good_events=good, bad_events=valid - good, valid_events=valid, sli=None, compliant=None,
        budget_events=0.0, budget_consumed=valid - good, budget_consumed_pct=None, budget_remaining=0.0,
        budget_remaining_pct=None, budget_minutes=0.0, budget_remaining_minutes=None, overspent_pct=None,
        burn_rates={format_duration(w): None for w in B.BURN_WINDOWS_S}, alerts_firing=[], alert_backtest={},
        time_to_exhaustion_s=None, status="NO_DATA", warnings=warns, no_data_reason=reason,
        data=extra or {}, evaluated_at=iso(at))


def _runs(mask: np.ndarray, times: np.ndarray, res: float) -> tuple[float, list[list[float]]]:
    iv = B.intervals(mask, times)
    total = float(mask.sum()) * res
    return total, iv


def evaluate_slo(slo: SLO, samples: Samples, grid: Grid, at: float, validation: Validation) -> SLOResult:
    """Evaluate one SLO at ``at`` (Unix seconds)."""
    start, end, period_end = B.window_bounds(slo.window, at)
    window_s = end - start if slo.window.kind == "rolling" else period_end - start
    warns = list(validation.warnings.get(slo.name, []))
    extra = {"window_seconds": window_s, "evaluated_at_unix": at, "resolution_s": grid.res}
    if slo.name in validation.missing:
        return SLOResult(slo, _no_data(slo, at, start, validation.missing[slo.name], warns, extra))
    ev = events_for(slo, samples, grid)
    a, b = B.bin_range(grid, start, end)
    times = grid.times()
    g, v = float(ev.good[a:b + 1].sum()), float(ev.valid[a:b + 1].sum())
    bad = v - g
    res = grid.res
    # data-quality facts
    first_t, _ = samples.time_range
    if first_t - start > 1.5 * res:
        warns.append(f"window starts {format_duration(round(first_t - start))} before the first sample: "
                     "that part of the window has no data")
    pres = ev.present[a:b + 1]
    gap_s, gap_iv = _runs(~pres, times[a:b + 1], res)
    zero_s, zero_iv = _runs(pres & (ev.valid[a:b + 1] == 0), times[a:b + 1], res)
    resets = ev.info.get("resets", 0)
    gaps_raw = [[iso(s), iso(e)] for s, e in ev.info.get("gaps", []) if e > start and s < end]
    extra.update({"series": ev.info.get("series", 0), "counter_resets": resets,
                  "scrape_gaps": gaps_raw, "no_data_seconds": gap_s,
                  "zero_traffic_seconds": zero_s,
                  "zero_traffic_intervals": [[iso(s - res), iso(e)] for s, e in zero_iv if e - s + res >= 3600],
                  "sample_quality": dict(samples.quality)})
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
    if samples.quality.get("nan"):
        warns.append(f"{samples.quality['nan']} NaN sample(s) dropped")
    if samples.quality.get("out_of_order"):
        warns.append(f"{samples.quality['out_of_order']} out-of-order sample(s) sorted")
    if ev.info.get("born_later"):
        warns.append(f"{ev.info['born_later']} series appeared mid-window; their first value is counted from 0")
    if ev.info.get("error"):
        warns.append(ev.info["error"])
    if not pres.any():
        t0, t1 = samples.time_range
        return SLOResult(slo, _no_data(slo, at, start, f"no samples in the window {iso(start)} – {iso(end)} "
                                       f"(the data covers {iso(t0)} – {iso(t1)})", warns, extra, (g, v)), ev, (a, b))
    if not v > 0:
        return SLOResult(slo, _no_data(slo, at, start, f"no valid events in the window (good={g:g}, valid={v:g}): "
                                       "zero traffic is neither compliant nor exhausted", warns, extra, (g, v)), ev, (a, b))
    t = slo.target
    sli = g / v
    sli_lower = sli_upper = sli_interp = None
    compliant = B.meets(g, v, t)
    if ev.good_upper is not None:
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
    budget_events = (1 - t) * v
    remaining = budget_events - bad
    consumed_pct = 100 * bad / budget_events
    budget_minutes = window_s / 60 * (1 - t)
    remaining_minutes = budget_minutes - window_s / 60 * (bad / v)
    ts_info = B.timeslices(ev, slo.effective_slice_target, slo.slice_s, a, b)
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
    if slo.method == "ratio_timeslices":  # OpenSLO RatioTimeslices: the mean of the slices' SLIs
        m = ts_info["mean_slice_sli"]
        compliant = None if m is None else bool(m >= t - B.REL_TOL)
        consumed_pct = None if m is None else 100 * (1 - m) / (1 - t)
        remaining_pct = None if m is None else 100 - consumed_pct
        remaining_minutes = None if m is None else budget_minutes - window_s / 60 * (1 - m)
    elif slo.method == "timeslices":
        compliant = ts_info["compliant"]
        if ts_budget > 0:
            consumed_pct = 100 * ts_info["bad"] / ts_budget
            remaining_pct = 100 - consumed_pct
            remaining_minutes = ts_info["budget_remaining_minutes"]
        else:
            remaining_pct = None
    else:
        remaining_pct = 100 * remaining / budget_events
    k_end = b
    burn = B.burn_rates_at(ev, t, k_end)
    firing = B.firing_series(ev, t)
    notes = B.tier_notes(t, samples.resolution() if math.isfinite(samples.resolution()) else res)
    alerts_now = [name for name, m in firing.items() if b >= 0 and m[k_end]]
    backtest = {name: [[iso(s), iso(e)] for s, e in B.intervals(m[a:b + 1], times[a:b + 1])]
                for name, m in firing.items()}
    current = burn.get("1h") if burn.get("1h") is not None else burn.get("6h")
    frac_left = (remaining_pct / 100) if remaining_pct is not None else None
    if frac_left is None:
        tte = None
    elif frac_left <= 0:
        tte = 0.0
    elif current is None or current <= 0:
        tte = None
    else:
        tte = frac_left * window_s / current
    # projection to the end of the period (calendar) or one window ahead (rolling) at the last day's error ratio
    day = B.window_bins(86400, res)
    lo = max(k_end + 1 - day, 0)
    v_d, b_d = float(ev.valid[lo:k_end + 1].sum()), float(ev.bad[lo:k_end + 1].sum())
    if v_d > 0:
        err_d = b_d / v_d
        if slo.window.kind == "calendar":
            elapsed = max(at - max(start, first_t), res)
            rate = v / elapsed
            future_v = rate * max(period_end - at, 0)
            proj = (g + future_v * (1 - err_d)) / (v + future_v)
            basis = (f"rest of the period ({format_duration(round(max(period_end - at, 0)))}) at the current traffic "
                     f"and the last day's error ratio {100 * err_d:.3f} %")
        else:
            proj = 1 - err_d
            basis = f"next {format_duration(window_s)} at the last day's error ratio {100 * err_d:.3f} %"
        proj_ok = B.meets(proj, 1.0, t)
    else:
        proj, proj_ok, basis = None, None, "no traffic in the last day"
    if compliant is False:
        status = "FAIL"
    elif compliant is None or alerts_now:
        status = "WARN"
    else:
        status = "PASS"
    if alerts_now:
        warns.append(f"alerts firing at the evaluation time: {', '.join(alerts_now)}")
    rep = SLOReport(
        name=slo.name, description=slo.description, target=slo.target_pct, window=slo.window.describe(),
        window_start=iso(start), window_end=iso(end), budgeting_method=slo.method,
        good_events=g, bad_events=bad, valid_events=v, sli=sli, compliant=compliant,
        budget_events=budget_events, budget_consumed=bad, budget_consumed_pct=consumed_pct,
        budget_remaining=remaining, budget_remaining_pct=remaining_pct, budget_minutes=budget_minutes,
        budget_remaining_minutes=remaining_minutes,
        overspent_pct=(consumed_pct - 100) if compliant is False and consumed_pct is not None
        and consumed_pct > 100 else None,
        burn_rates=burn, alerts_firing=alerts_now, alert_backtest=backtest, time_to_exhaustion_s=tte,
        status=status, warnings=warns, sli_lower=sli_lower, sli_upper=sli_upper, sli_interpolated=sli_interp,
        timeslices=ts_info, tier_notes=notes, projected_sli=_f(proj), projected_compliant=proj_ok,
        projection_basis=basis, data=extra, evaluated_at=iso(at))
    return SLOResult(slo, rep, ev, (a, b), firing)


def default_at(samples: Samples, grid: Grid) -> float:
    """End of data, on the grid."""
    return float(grid.origin + grid.index(samples.time_range[1]) * grid.res)


def evaluate(slos: list[SLO], samples: Samples, at: float | None = None, *, resolution: float | None = None,
             where: str = "catalog") -> Evaluation:
    """Validate the catalog against the data and evaluate every SLO at one timestamp.

    Parameters
    ----------
    slos : list of SLO
        From :func:`analysis.slo.catalog.load_catalog`.
    samples : Samples
        From a source.
    at : float, optional
        Evaluation time (Unix seconds); default: the end of the data.
    resolution : float, optional
        Grid resolution in seconds; default: the typical sample interval.
    where : str
        Catalog name for error messages.

    Returns
    -------
    Evaluation
    """
    if len(samples) == 0:
        raise DataError(f"{samples.origin or 'source'}: no samples")
    validation = validate_against(slos, samples, where=where)
    grid = make_grid(samples, resolution, until=at)
    if at is None:
        at = default_at(samples, grid)
    results = [evaluate_slo(s, samples, grid, float(at), validation) for s in slos]
    info = {"series": len(samples.labels), "samples": len(samples), "origin": samples.origin,
            "first": iso(samples.time_range[0]), "last": iso(samples.time_range[1]),
            "resolution_s": grid.res, "quality": dict(samples.quality)}
    return Evaluation(float(at), results, grid, info)


# --------------------------------------------------------------------------- tables and verdict
def summary_table(ev: Evaluation) -> pd.DataFrame:
    """One row per SLO: target, SLI, budget, burn, status (values rounded for display)."""
    rows = []
    for r in ev.reports:
        sli = "" if r.sli is None else (f"{100 * r.sli_lower:.3f}–{100 * r.sli_upper:.3f}" if r.sli_upper is not None
                                        and not math.isclose(r.sli_lower, r.sli_upper) and r.sli_interpolated != r.sli
                                        else f"{100 * r.sli:.3f}")
        rows.append({
            "slo": r.name, "target_%": r.target, "window": r.window, "method": r.budgeting_method,
            "valid": int(round(r.valid_events)), "bad": int(round(r.bad_events)), "sli_%": sli,
            "budget_left_%": "" if r.budget_remaining_pct is None else f"{r.budget_remaining_pct:.1f}",
            "burn_1h": "" if r.burn_rates.get("1h") is None else f"{r.burn_rates['1h']:.2f}",
            "tiers_fired": sum(1 for v in r.alert_backtest.values() if v),
            "status": r.status,
        })
    return pd.DataFrame(rows)


def counts(ev: Evaluation) -> dict[str, int]:
    """Compliant / violated / undetermined / exhausted / no-data counts."""
    reps = ev.reports
    return {
        "slos": len(reps),
        "compliant": sum(r.compliant is True for r in reps),
        "violated": sum(r.compliant is False for r in reps),
        "undetermined": sum(r.compliant is None and r.status != "NO_DATA" for r in reps),
        "budget_exhausted": sum(r.compliant is not None and r.budget_remaining_pct is not None
                                and r.budget_remaining_pct <= 1e-6 for r in reps),
        "no_data": sum(r.status == "NO_DATA" for r in reps),
        "alerts_firing_now": sum(bool(r.alerts_firing) for r in reps),
        "slos_with_backtest_alerts": sum(any(v for v in r.alert_backtest.values()) for r in reps),
    }


def verdict_parts(ev: Evaluation) -> tuple[str, str, dict, list[str]]:
    """``(status, headline, figures, next_steps)`` for :func:`analysis.record.verdict`.

    FAIL when any SLO fails; WARN when any is WARN/NO_DATA or carries warnings; else PASS.
    """
    reps = ev.reports
    c = counts(ev)
    if any(r.status == "FAIL" for r in reps):
        status = "FAIL"
    elif any(r.status in ("WARN", "NO_DATA") or r.warnings for r in reps):
        status = "WARN"
    else:
        status = "PASS"
    parts = [f"{c['compliant']} of {c['slos']} SLOs met"]
    over = sorted((r for r in reps if r.overspent_pct is not None), key=lambda r: -r.overspent_pct)
    for r in over[:2]:
        parts.append(f"{r.name} budget overspent by {r.overspent_pct:.0f}%")
    if c["undetermined"]:
        parts.append(f"{c['undetermined']} undetermined")
    if c["no_data"]:
        parts.append(f"{c['no_data']} without data")
    headline = "; ".join(parts)
    figures = {**c, "evaluated_at": iso(ev.at)}
    for r in reps:
        if r.budget_remaining_pct is not None:
            figures[f"{r.name}_budget_left_pct"] = round(r.budget_remaining_pct, 1)
    steps = []
    for r in over:
        steps.append(f"{r.name}: error budget spent ({r.budget_consumed_pct:.0f}% consumed) — apply the error-budget "
                     "policy: freeze feature releases until the 4-week budget recovers; postmortem the incidents "
                     "in the alert backtest")
    for r in reps:
        if r.status == "NO_DATA":
            steps.append(f"{r.name}: {r.no_data_reason}")
        elif r.compliant is None:
            steps.append(f"{r.name}: add a histogram bucket at the threshold so compliance can be decided")
        elif r.alerts_firing:
            steps.append(f"{r.name}: alerts firing now ({', '.join(r.alerts_firing)}) — page the on-call")
    if not steps:
        steps.append("Keep the burn-rate alerts deployed; re-run monthly to keep the period table current")
    return status, headline, figures, steps


def _clean(x):
    """JSON-safe: non-finite floats → None, numpy scalars → Python."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and callable(x.item):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_json(ev: Evaluation) -> list[dict]:
    """The CLI's JSON: a list of per-SLO reports (slo-generator fields included)."""
    return [_clean(r.to_json()) for r in ev.reports]


def backtest_table(ev: Evaluation) -> pd.DataFrame:
    """Every interval in which a tier would have fired, per SLO (the alert backtest)."""
    rows = []
    for r in ev.reports:
        for tier, spans in r.alert_backtest.items():
            for s, e in spans:
                dur = (pd.Timestamp(e) - pd.Timestamp(s)).total_seconds() / 60
                rows.append({"slo": r.name, "tier": tier, "first_firing": s, "last_firing": e,
                             "minutes": int(round(dur)) + int(ev.grid.res // 60)})
    cols = ["slo", "tier", "first_firing", "last_firing", "minutes"]
    return pd.DataFrame(rows, columns=cols)


def tier_table(ev: Evaluation) -> pd.DataFrame:
    """Tiers per SLO: intervals fired in the backtest, firing now, and notes (never fires...)."""
    rows = []
    for r in ev.reports:
        if r.status == "NO_DATA":
            continue
        for t in B.DEFAULT_TIERS:
            rows.append({"slo": r.name, "tier": t.label, "fired_intervals": len(r.alert_backtest.get(t.name, [])),
                         "firing_now": t.name in r.alerts_firing, "note": r.tier_notes.get(t.name, "")})
    return pd.DataFrame(rows)


def periods(ev: Evaluation, unit: str = "month") -> pd.DataFrame:
    """Past calendar periods for every SLO with data (monthly or quarterly table)."""
    frames = []
    for res in ev.results:
        if res.events is None or res.report.status == "NO_DATA":
            continue
        tz = res.slo.window.timezone if res.slo.window.kind == "calendar" else "UTC"
        df = B.periods_table(res.events, res.slo.target, unit, tz)
        df.insert(0, "slo", res.slo.name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def seed_comparison(ev: Evaluation, decimals: int = 2) -> pd.DataFrame:
    """What the seed's ``slo_framework.py`` would report for the same counts, beside the counted truth.

    The seed's ``calculate_error_budget(slo, actual_percentage, total_events)`` derives
    failures from a percentage (its usage example passes ``99.95``: two decimals, the
    precision ``decimals`` reproduces) and clamps the remaining budget at 0
    (``max(0, total_budget - actual_failures)``); ``check_slo_compliance`` divides by the
    total, so zero traffic raises ``ZeroDivisionError``. This table shows the difference.
    """
    rows = []
    for r in ev.reports:
        if r.status == "NO_DATA" and r.valid_events == 0 and not r.no_data_reason.startswith("metric"):
            rows.append({"slo": r.name, "seed_failures": "ZeroDivisionError", "counted_failures": 0,
                         "seed_remaining_%": "ZeroDivisionError", "true_remaining_%": "", "seed_says": "crash",
                         "workbook_says": r.status})
            continue
        if r.status == "NO_DATA":
            rows.append({"slo": r.name, "seed_failures": "", "counted_failures": "", "seed_remaining_%": "",
                         "true_remaining_%": "", "seed_says": "no metric", "workbook_says": r.status})
            continue
        pct = round(100 * r.sli, decimals)
        total_budget = r.valid_events * (1 - r.target / 100)
        seed_fail = r.valid_events * (1 - pct / 100)
        seed_rem = max(0.0, total_budget - seed_fail)
        seed_rem_pct = 100 * seed_rem / total_budget
        seed_ok = pct >= r.target
        rows.append({
            "slo": r.name, "seed_failures": int(round(seed_fail)), "counted_failures": int(round(r.bad_events)),
            "seed_remaining_%": round(seed_rem_pct, 1),
            "true_remaining_%": "" if r.budget_remaining_pct is None else round(r.budget_remaining_pct, 1),
            "seed_says": ("compliant" if seed_ok else "violated") + (", exhausted" if seed_rem <= 0 else ""),
            "workbook_says": r.status,
        })
    return pd.DataFrame(rows)
