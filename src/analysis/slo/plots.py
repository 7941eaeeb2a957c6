"""Figures for notebook 03: budget burn-down, burn rate with alert tiers, daily SLI.

Every figure's title says what engine produced the numbers and how they were measured
(counters from the named source, bins of the data resolution).
"""

from __future__ import annotations

import logging

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from ..escape import mpl_text
from ..tables import show_section
from . import budget as B
from .objectives import format_duration
from .result import Evaluation, SLOResult

log = logging.getLogger(__name__)

_TIER_COLOURS = {"page_1h_5m": "#cf222e", "page_6h_30m": "#fb8f44", "ticket_1d_2h": "#bf8700", "ticket_3d_6h": "#8250df"}


def _dt(t: np.ndarray) -> np.ndarray:
    return pd.to_datetime(t, unit="s", utc=True).tz_localize(None).to_numpy()


def slo_figure(res: SLOResult, source: str) -> plt.Figure | None:
    """Three panels for one SLO: budget burn-down, burn rates with tiers, daily SLI."""
    ev, rep = res.events, res.report
    if ev is None or rep.sli is None:
        return None
    a, b = res.window_bins
    t = ev.grid.times()[a:b + 1]
    good = ev.good[a:b + 1] if rep.sli_interpolated is None or rep.sli != rep.sli_interpolated else ev.good_interp[a:b + 1]
    valid = ev.valid[a:b + 1]
    bad = valid - good
    target = rep.target / 100
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.4))
    res_s = format_duration(ev.grid.res)
    fig.suptitle(mpl_text(f"{rep.name} — target {rep.target:g} %, {rep.window}; computed by analysis.slo from counters "
                          f"in {source} ({res_s} bins, increases with reset handling)"), fontsize=9)
    # 1 burn-down
    ax = axes[0]
    if rep.budgeting_method == "timeslices":
        ax.text(0.5, 0.5, "timeslices budgeting:\nsee the timeslice columns", ha="center", transform=ax.transAxes)
    budget = (1 - target) * valid.sum()
    remaining = 100 * (1 - np.cumsum(bad) / budget)
    ax.plot(_dt(t), remaining, lw=1.2, label="budget remaining (occurrences)")
    t0 = pd.Timestamp(rep.window_start).tz_localize(None) if rep.window_start else _dt(t[:1])[0]
    t1 = t0 + pd.Timedelta(seconds=rep.data.get("window_seconds") or float(t[-1] - t[0]))
    ax.plot([t0, t1], [100, 0], ls="--", c="grey", lw=1, label="ideal (linear spend)")
    if ev.excluded is not None and ev.excluded[a:b + 1].any():
        for s0, s1 in B.intervals(ev.excluded[a:b + 1], t):
            ax.axvspan(_dt(np.array([s0 - ev.grid.res]))[0], _dt(np.array([s1]))[0], color="#6e7781", alpha=0.3, lw=0,
                       label="excluded (maintenance)")
    ax.axhline(0, c="k", lw=0.6)
    ax.set_title("error budget burn-down (% of the window's budget)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    # 2 burn rates
    ax = axes[1]
    for s, c in ((3600, "#0969da"), (21600, "#6e7781")):
        br = B.burn_rate_series(ev, target, s)[a:b + 1]
        ax.plot(_dt(t), np.where(np.isnan(br), np.nan, np.maximum(br, 1e-3)), lw=0.8, c=c,
                label=f"burn rate {format_duration(s)}")
    for tier in res.slo.alert_tiers:
        col = _TIER_COLOURS.get(tier.name, "k")
        if tier.name not in rep.tier_notes:
            ax.axhline(tier.factor, ls=":", c=col, lw=0.8)
        for s0, s1 in B.intervals(res.firing[tier.name][a:b + 1], t):
            ax.axvspan(_dt(np.array([s0 - ev.grid.res]))[0], _dt(np.array([s1]))[0], color=col, alpha=0.25, lw=0)
    ax.set_yscale("log")
    ax.set_ylim(1e-2, max(20.0, float(np.nanmax(B.burn_rate_series(ev, target, 3600)[a:b + 1], initial=1)) * 1.5))
    ax.set_title("burn rate; dotted = tier factors, shaded = tier firing", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    # 3 daily SLI
    ax = axes[2]
    day = pd.to_datetime(t - 1e-3, unit="s", utc=True).tz_localize(None).floor("D")
    df = pd.DataFrame({"day": day, "good": good, "valid": valid}).groupby("day").sum()
    sli = 100 * df["good"] / df["valid"].where(df["valid"] > 0)
    ax.bar(df.index, sli, width=0.8, color=np.where(sli >= rep.target, "#1a7f37", "#cf222e"))
    ax.axhline(rep.target, c="k", ls="--", lw=0.8, label=f"target {rep.target:g} %")
    lo = float(np.nanmin(sli)) if sli.notna().any() else rep.target
    ax.set_ylim(max(0, min(lo, rep.target) - (100 - min(lo, rep.target)) * 0.3), 100)
    ax.set_title("daily SLI (%)" + (" — lower bound" if rep.sli_upper is not None else ""), fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    for ax in axes:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def budget_overview(ev: Evaluation, source: str) -> plt.Figure:
    """Bar chart: budget remaining per SLO (negative = overspent; NO_DATA shown as a gap)."""
    reps = ev.reports
    fig, ax = plt.subplots(figsize=(10, 3.2))
    names = [mpl_text(r.name) for r in reps]  # names carry label values (group_by)
    vals = [r.budget_remaining_pct if r.budget_remaining_pct is not None else 0 for r in reps]
    by_status = {"NO_DATA": "#6e7781", "FAIL": "#cf222e", "WARN": "#bf8700", "PASS": "#1a7f37"}
    colours = [by_status[r.status] for r in reps]
    ax.barh(names, vals, color=colours)
    for i, r in enumerate(reps):
        label = "no data" if r.status == "NO_DATA" else f"{r.budget_remaining_pct:.0f} % ({r.status})"
        ax.text(0, i, " " + label, va="center", fontsize=8)
    ax.axvline(0, c="k", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("error budget remaining (% of budget; lower bound where the SLI is bounded)")
    ax.set_title(mpl_text(f"Error budget remaining per SLO at {pd.Timestamp(ev.at, unit='s'):%Y-%m-%d %H:%M} UTC — "
                          f"computed by analysis.slo from {source}"), fontsize=9)
    fig.tight_layout()
    return fig


def _shown(ev: Evaluation, top_groups: int) -> list[SLOResult]:
    """Every ungrouped SLO, and the ``top_groups`` groups with the least budget left of each grouped one."""
    ranked: dict[str, list[SLOResult]] = {}
    for res in ev.results:
        if res.slo.parent:
            ranked.setdefault(res.slo.parent, []).append(res)
    keep = {id(r) for rs in ranked.values() for r in sorted(
        rs, key=lambda r: (r.report.budget_remaining_pct is None, r.report.budget_remaining_pct or 0))[:top_groups]}
    return [r for r in ev.results if not r.slo.parent or id(r) in keep]


#: A compliance decision in words (the sections say words, not Python's True/False/None).
COMPLIANCE_WORDS = {True: "compliant", False: "violated", None: "undetermined"}


def show_slo_sections(ev: Evaluation, source: str, top_groups: int = 5) -> None:
    """Display one section per SLO (per grouped SLO only its ``top_groups`` worst groups): heading, facts, figure.

    The text is escaped HTML (:func:`analysis.tables.show_section`): SLO names carry label values of the
    audited series (``group_by``) and reasons quote them.
    """
    for res in _shown(ev, top_groups):
        r = res.report
        if r.status == "NO_DATA":
            facts = [f"No data: {r.no_data_reason}"]
        else:
            sli = f"{100 * r.sli:.4f} %" if r.sli_upper is None else \
                f"between {100 * r.sli_lower:.4f} % and {100 * r.sli_upper:.4f} % (bounds)"
            tte = "—" if r.time_to_exhaustion_s is None else (
                "exhausted" if r.time_to_exhaustion_s == 0 else format_duration(round(r.time_to_exhaustion_s / 3600) * 3600 or 3600))
            facts = [
                f"SLI {sli} over {r.valid_events:,.0f} valid events ({r.bad_events:,.0f} bad); "
                f"budget {r.budget_events:,.0f} events, remaining {r.budget_remaining:,.0f} "
                f"({r.budget_remaining_pct:.1f} %), {r.budget_remaining_minutes:,.0f} of {r.budget_minutes:,.0f} budget "
                f"minutes left; time to exhaustion at the 1 h burn rate: {tte}.",
                f"Timeslices ({format_duration(r.timeslices['slice_s'])} slices, slice target "
                f"{r.timeslices['slice_target_pct']:g} %): {r.timeslices['bad']} bad of {r.timeslices['with_traffic']} "
                f"slices with traffic, {r.timeslices['no_traffic']} without traffic, {r.timeslices['no_data']} without data "
                f"→ {COMPLIANCE_WORDS[r.timeslices['compliant']]}.",
            ]
            if r.projected_sli is not None:
                facts.append(f"Projection: {100 * r.projected_sli:.3f} % ({r.projection_basis}).")
        notes = [f"tier note: {note}" for note in r.tier_notes.values()] + list(r.warnings)
        show_section(f"{r.name} — {r.status}", facts, notes, subtitle=r.description)
        fig = slo_figure(res, source)
        if fig is not None:
            display(fig)
            plt.close(fig)
