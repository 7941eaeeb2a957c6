"""Notebook 03's tables, the CLI's JSON and the verdict, from an :class:`~analysis.slo.result.Evaluation`.

No math and no I/O here: every number was computed by :func:`analysis.slo.evaluate.evaluate`
(the seed comparison reproduces the seed's arithmetic on those numbers, to show it).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Figure, Verdict
from ..timeparse import iso
from . import budget as B
from .alerting import policy_action
from .objectives import format_duration
from .quality import DROPPED, dropped_text
from .result import Evaluation

#: run-history figure of every SLO's budget left (a grouped SLO: its worst group)
BUDGET_FIGURE = "budget left % · {}"
BUDGET_FIGURE_INFO = Figure(unit="%", higher_is_better=True, noise=1.0, key=False)


def summary_table(ev: Evaluation) -> pd.DataFrame:
    """One row per SLO: target, SLI, budget, burn, status (values rounded for display; None where not known)."""
    rows = []
    for r in ev.reports:
        sli = None if r.sli is None else (f"{100 * r.sli_lower:.3f}–{100 * r.sli_upper:.3f}" if r.sli_upper is not None
                                        and not math.isclose(r.sli_lower, r.sli_upper) and r.sli_interpolated != r.sli
                                        else f"{100 * r.sli:.3f}")
        rows.append({
            "slo": r.name, "target_%": r.target, "window": r.window, "method": r.budgeting_method,
            "valid": int(round(r.valid_events)), "bad": int(round(r.bad_events)), "sli_%": sli,
            "budget_left_%": None if r.budget_remaining_pct is None else f"{r.budget_remaining_pct:.1f}",
            "burn_1h": None if r.burn_rates.get("1h") is None else f"{r.burn_rates['1h']:.2f}",
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


#: How the verdict's count figures read (label, direction; all are counts of SLOs). Only the first six are key
#: figures (the index shows eight at most; the headline says "N of M SLOs met").
COUNT_FIGURES = {
    "compliant": Figure("SLOs", True, label="SLOs met"),
    "violated": Figure("SLOs", False, label="SLOs violated"),
    "undetermined": Figure("SLOs", False, label="SLOs undetermined (SLI straddles the target)"),
    "budget_exhausted": Figure("SLOs", False, label="SLOs with the error budget spent"),
    "no_data": Figure("SLOs", False, label="SLOs without data"),
    "alerts_firing_now": Figure("SLOs", False, label="SLOs with an alert firing now"),
    "slos": Figure("SLOs", None, key=False, label="SLOs evaluated"),
    "slos_with_backtest_alerts": Figure("SLOs", False, key=False, label="SLOs whose alerts fired in the backtest"),
}
#: Data-quality figures: key figures only when not zero (always recorded, for the history).
DROPPED_FIGURE = "samples dropped"
DECREASES_FIGURE = "suspicious counter decreases"


def data_quality_counts(ev: Evaluation) -> dict[str, int]:
    """Samples of the catalog's series dropped per reason (``nan``, ``invalid``) and counter decreases that do not
    look like a restart (``suspicious_decreases``); a series read by several SLOs counts once."""
    per: dict[str, dict[str, int]] = {"nan": {}, "invalid": {}, "suspicious_decreases": {}}
    for r in ev.reports:
        for kind, by_series in {**r.data.get("dropped_samples", {}),
                                "suspicious_decreases": r.data.get("suspicious_decreases") or {}}.items():
            per[kind].update(by_series)
    return {kind: sum(by_series.values()) for kind, by_series in per.items()}


def data_quality_text(q: dict[str, int]) -> str:
    """``"data quality: 1 NaN staleness marker and 1 +Inf/−Inf or negative counter value dropped"`` ('' when clean)."""
    parts = []
    dropped = dropped_text({k: q.get(k, 0) for k in DROPPED})
    if dropped:
        parts.append(f"{dropped} dropped")
    if q.get("suspicious_decreases"):
        n = q["suspicious_decreases"]
        parts.append(f"{n} counter decrease{'s' if n != 1 else ''} that do{'es' if n == 1 else ''} not look like a "
                     "restart")
    return "data quality: " + ", ".join(parts) if parts else ""


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
        Headline (SLOs met, the two worst overspent budgets, undetermined and no-data counts, the
        samples dropped, the evaluation time), figures (the counts with labels, the data-quality
        counts, every SLO's budget left) and next steps.
    """
    reps = ev.reports
    c = counts(ev)
    q = data_quality_counts(ev)
    if any(r.status == "FAIL" for r in reps):
        status = "FAIL"
    elif any(r.status in ("WARN", "NO_DATA") or r.warnings for r in reps):
        status = "WARN"
    else:
        status = "PASS"
    over = overspent(ev)
    parts = [f"{c['compliant']} of {c['slos']} SLOs met"]
    parts += [f"{r.name} budget overspent by {r.overspent_pct:.0f} %" for r in over[:2]]
    if c["undetermined"]:
        parts.append(f"{c['undetermined']} undetermined")
    if c["no_data"]:
        parts.append(f"{c['no_data']} without data")
    if data_quality_text(q):
        parts.append(data_quality_text(q))
    figures: dict = {name: c[name] for name in COUNT_FIGURES}
    info: dict = dict(COUNT_FIGURES)
    dropped = q["nan"] + q["invalid"]
    figures[DROPPED_FIGURE], figures[DECREASES_FIGURE] = dropped, q["suspicious_decreases"]
    info[DROPPED_FIGURE] = Figure("samples", False, key=bool(dropped),
                                  label="Samples dropped (NaN staleness markers, ±Inf, negative values)")
    info[DECREASES_FIGURE] = Figure("decreases", False, key=bool(q["suspicious_decreases"]),
                                    label="Counter decreases that do not look like a restart")
    for name, left in budget_left(ev).items():
        figures[BUDGET_FIGURE.format(name)] = round(left, 1)
        info[BUDGET_FIGURE.format(name)] = replace(BUDGET_FIGURE_INFO, label=f"Error budget left: {name}")
    return Verdict(status, "; ".join(parts) + f" (evaluated at {iso(ev.at)})", figures, next_steps(ev), info)


def budget_left(ev: Evaluation) -> dict[str, float]:
    """Budget left (%) per catalog SLO; a grouped SLO reports its worst group (noise threshold: 1 point)."""
    out: dict[str, float] = {}
    for res in ev.results:
        r = res.report
        if r.budget_remaining_pct is not None:
            name = res.slo.catalog_name
            out[name] = min(out.get(name, r.budget_remaining_pct), r.budget_remaining_pct)
    return out


def next_steps(ev: Evaluation) -> list[str]:
    """What to do: the catalog's error-budget policy (its strictest step the budget left is below; without a
    policy, a freeze for overspent budgets), then per SLO without data, undetermined or paging."""
    reps = ev.reports
    steps = []
    for res in ev.results:
        r = res.report
        action = policy_action(res.slo.policy, r.budget_remaining_pct if r.compliant is not None else None,
                               r.name, res.slo.service)
        if action:
            steps.append(f"{r.name}: budget left {r.budget_remaining_pct:.0f}% < {action[0].below:g}% — policy: {action[1]}")
        elif r.overspent_pct is not None and not res.slo.policy:
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
    """Tiers per SLO: factor for its window, the budget share that fires it, intervals fired, firing now, notes."""
    rows = []
    for res in ev.results:
        r = res.report
        if r.status == "NO_DATA":
            continue
        for t in res.slo.alert_tiers:
            rows.append({"slo": r.name, "tier": t.name, "windows": f"{format_duration(t.long_s)}/{format_duration(t.short_s)}",
                         "factor": round(t.factor, 4), "budget_share_%": round(t.budget_pct, 3),
                         "of_period": format_duration(res.slo.window.period_s),
                         "fired_intervals": len(r.alert_backtest.get(t.name, [])),
                         "firing_now": t.name in r.alerts_firing, "note": r.tier_notes.get(t.name, "")})
        for name, why in res.slo.unused_tiers.items():
            rows.append({"slo": r.name, "tier": name, "windows": "", "factor": None, "budget_share_%": None,
                         "of_period": format_duration(res.slo.window.period_s), "fired_intervals": 0,
                         "firing_now": False, "note": why})
    return pd.DataFrame(rows)


def rules_comparison(ev: Evaluation, backtest: dict) -> pd.DataFrame:
    """Per SLO and tier: steps firing in the workbook's backtest vs the generated rules (PromQL semantics)."""
    rows = []
    times = ev.grid.times()
    for res in ev.results:
        tiers = backtest.get(res.slo.name)
        if tiers is None:
            continue
        a, b = res.window_bins
        for name, rules_mask in tiers.items():
            mine = res.firing[name][a:b + 1]
            first = [iso(float(times[a:b + 1][m.argmax()])) if m.any() else "" for m in (mine, rules_mask)]
            rows.append({"slo": res.slo.name, "tier": name, "workbook_steps": int(mine.sum()),
                         "rules_steps": int(rules_mask.sum()), "differing_steps": int((mine != rules_mask).sum()),
                         "workbook_first": first[0], "rules_first": first[1]})
    return pd.DataFrame(rows, columns=["slo", "tier", "workbook_steps", "rules_steps", "differing_steps",
                                       "workbook_first", "rules_first"])


def worst_groups(ev: Evaluation, top: int = 10) -> pd.DataFrame:
    """Grouped SLOs: their groups ranked by budget left (worst first), ``top`` per SLO."""
    rows = [{"slo": res.slo.parent, "group": ", ".join(f"{k}={v}" for k, v in res.slo.group),
             "valid": int(round(res.report.valid_events)), "bad": int(round(res.report.bad_events)),
             "budget_left_%": res.report.budget_remaining_pct, "tiers_fired": sum(1 for v in res.report.alert_backtest.values() if v),
             "status": res.report.status}
            for res in ev.results if res.slo.parent]
    df = pd.DataFrame(rows, columns=["slo", "group", "valid", "bad", "budget_left_%", "tiers_fired", "status"])
    if df.empty:
        return df
    df = df.sort_values(["slo", "budget_left_%"], na_position="last", kind="stable")
    df["budget_left_%"] = df["budget_left_%"].round(1)
    return df.groupby("slo", sort=False).head(top).reset_index(drop=True)


def exclusions_table(ev: Evaluation) -> pd.DataFrame:
    """Maintenance exclusions per SLO: when, why, and the events they removed from the window."""
    rows = []
    for res in ev.results:
        ex = res.report.data.get("excluded")
        for x in res.slo.exclusions:
            rows.append({"slo": res.slo.name, "start": iso(x.start), "end": iso(x.end), "reason": x.reason,
                         "removed_valid": int(round(ex["valid_events"])) if ex else 0,
                         "removed_bad": int(round(ex["bad_events"])) if ex else 0})
    return pd.DataFrame(rows, columns=["slo", "start", "end", "reason", "removed_valid", "removed_bad"])


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
                         "seed_remaining_%": "ZeroDivisionError", "true_remaining_%": None, "seed_says": "crash",
                         "workbook_says": r.status})
            continue
        if r.status == "NO_DATA":
            rows.append({"slo": r.name, "seed_failures": None, "counted_failures": None, "seed_remaining_%": None,
                         "true_remaining_%": None, "seed_says": "no metric", "workbook_says": r.status})
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
            "true_remaining_%": None if r.budget_remaining_pct is None else round(r.budget_remaining_pct, 1),
            "seed_says": ("compliant" if seed_ok else "violated") + (", exhausted" if seed_rem <= 0 else ""),
            "workbook_says": r.status,
        })
    return pd.DataFrame(rows)
