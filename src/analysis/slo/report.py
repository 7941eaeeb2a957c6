"""Notebook 03's tables, the CLI's JSON and the verdict, from an :class:`~analysis.slo.result.Evaluation`.

No math and no I/O here: every number was computed by :func:`analysis.slo.evaluate.evaluate`
(the seed comparison reproduces the seed's arithmetic on those numbers, to show it).
"""

from __future__ import annotations

import math

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Verdict
from ..timeparse import iso
from . import budget as B
from .result import Evaluation


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


def overspent(ev: Evaluation) -> list:
    """Reports of the SLOs whose budget is overspent, most overspent first."""
    return sorted((r for r in ev.reports if r.overspent_pct is not None), key=lambda r: -r.overspent_pct)


def verdict(ev: Evaluation) -> Verdict:
    """The notebook's and the CLI's verdict.

    FAIL when any SLO fails; WARN when any is WARN/NO_DATA or carries warnings; else PASS.
    (The CLI exits 1 exactly when the verdict is FAIL, i.e. when an SLO fails.)

    Parameters
    ----------
    ev : Evaluation
        What :func:`analysis.slo.pipeline.run` returned.

    Returns
    -------
    Verdict
        Headline (SLOs met, the two worst overspent budgets, undetermined and no-data counts),
        figures (the counts, the evaluation time, every SLO's budget left) and next steps.
    """
    reps = ev.reports
    c = counts(ev)
    if any(r.status == "FAIL" for r in reps):
        status = "FAIL"
    elif any(r.status in ("WARN", "NO_DATA") or r.warnings for r in reps):
        status = "WARN"
    else:
        status = "PASS"
    over = overspent(ev)
    parts = [f"{c['compliant']} of {c['slos']} SLOs met"]
    parts += [f"{r.name} budget overspent by {r.overspent_pct:.0f}%" for r in over[:2]]
    if c["undetermined"]:
        parts.append(f"{c['undetermined']} undetermined")
    if c["no_data"]:
        parts.append(f"{c['no_data']} without data")
    figures = {**c, "evaluated_at": iso(ev.at)}
    for r in reps:
        if r.budget_remaining_pct is not None:
            figures[f"{r.name}_budget_left_pct"] = round(r.budget_remaining_pct, 1)
    return Verdict(status, "; ".join(parts), figures, next_steps(ev))


def next_steps(ev: Evaluation) -> list[str]:
    """What to do: error-budget policy for overspent SLOs, then per SLO without data, undetermined or paging."""
    reps = ev.reports
    over = overspent(ev)
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
    return steps


def write_json(ev: Evaluation) -> list[dict]:
    """The CLI's JSON: a list of per-SLO reports (slo-generator fields included), JSON-safe."""
    return [jsonable(r.to_json()) for r in ev.reports]


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
