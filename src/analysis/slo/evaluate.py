"""Evaluate a catalog on samples at one timestamp: validation, then per SLO the window, events,
data quality, compliance, budget, alerts and projection (each computed by its own module).

:func:`evaluate` is what :func:`analysis.slo.pipeline.run` calls once the catalog and the
samples are loaded.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..promql import make_matcher, to_text
from ..timeparse import iso
from . import budget as B
from .compliance import budget_figures, projection, sli_compliance, time_to_exhaustion, window_counts
from .objectives import SLO, format_duration
from .quality import DROPPED, data_quality, dropped_counts, dropped_text
from .result import Evaluation, SLOReport, SLOResult
from .series import Samples, require_samples
from .sli import Events, Grid, events_by_group, make_grid
from .validation import Validation, validate_against


def no_data_report(slo: SLO, span: B.Span, reason: str, warns: list[str], extra: dict | None = None,
                   counts: tuple[float, float] = (0.0, 0.0)) -> SLOReport:
    """The report of an SLO that cannot be judged (no metric, no samples or no valid event in the window)."""
    good, valid = counts
    return SLOReport(
        name=slo.name, description=slo.description, target=slo.target_pct, window=slo.window.describe(),
        window_start=iso(span.start), window_end=iso(span.at), budgeting_method=slo.method,
        good_events=good, bad_events=valid - good, valid_events=valid, sli=None, compliant=None,
        budget_events=0.0, budget_consumed=valid - good, budget_consumed_pct=None, budget_remaining=0.0,
        budget_remaining_pct=None, budget_minutes=0.0, budget_remaining_minutes=None, overspent_pct=None,
        burn_rates={format_duration(w): None for w in B.BURN_WINDOWS_S}, alerts_firing=[], alert_backtest={},
        time_to_exhaustion_s=None, status="NO_DATA", warnings=warns, no_data_reason=reason,
        data=extra or {}, evaluated_at=iso(span.at))


def slo_status(compliant: bool | None, alerts_now: list[str]) -> str:
    """FAIL when the SLO is violated; WARN when undetermined or an alert fires now; else PASS."""
    if compliant is False:
        return "FAIL"
    if compliant is None or alerts_now:
        return "WARN"
    return "PASS"


def _no_data_reason(ev: Events, span: B.Span, counts: tuple[float, float]) -> str:
    """Why a window with events cannot be judged ("" when it can); coverage counts only usable samples."""
    g, v = counts
    if not bool(ev.present[span.a:span.b + 1].any()):
        dropped = dropped_text(dropped_counts({k: ev.info[k] for k in DROPPED if ev.info.get(k)}))
        usable = ev.info.get("usable_range")
        window = f"the window {iso(span.start)} – {iso(span.end)}"
        if usable is None:
            return (f"no usable samples in {window}: every sample of the SLO's series was dropped ({dropped})"
                    if dropped else f"no samples in {window}: the SLO's series hold none")
        return (f"no {'usable ' if dropped else ''}samples in {window} (the SLO's usable samples cover "
                f"{iso(usable[0])} – {iso(usable[1])}" + (f"; dropped: {dropped})" if dropped else ")"))
    if not v > 0:
        return (f"no valid events in the window (good={g:g}, valid={v:g}): "
                "zero traffic is neither compliant nor exhausted")
    return ""


def exclusion_warnings(slo: SLO, span: B.Span) -> list[str]:
    """One line per exclusion that lies outside the SLO's window (it changes nothing)."""
    return [f"exclusion {iso(x.start)} – {iso(x.end)} ({x.reason}) lies outside the window "
            f"{iso(span.start)} – {iso(span.end)}: ignored"
            for x in slo.exclusions if x.end <= span.start or x.start >= span.end]


def group_view(slo: SLO, pairs: tuple[tuple[str, str], ...]) -> SLO:
    """The SLO of one label value of a grouped SLO: named ``name{label="value"}``."""
    if not pairs:
        return slo
    name = to_text(slo.name, tuple(make_matcher(lab, "=", v) for lab, v in pairs))
    return replace(slo, name=name, parent=slo.name, group=tuple(pairs))


def evaluate_catalog_slo(slo: SLO, samples: Samples, grid: Grid, at: float, validation: Validation) -> list[SLOResult]:
    """Evaluate one catalog SLO at ``at``: one result, or one per label value of its ``group_by``."""
    if slo.name in validation.missing:
        return [evaluate_slo(slo, None, samples, grid, at, validation)]
    groups, evs = events_by_group(slo, samples, grid)
    return [evaluate_slo(group_view(slo, groups.pairs(key)), ev, samples, grid, at, validation)
            for key, ev in zip(groups.keys, evs)]


def evaluate_slo(slo: SLO, ev: Events | None, samples: Samples, grid: Grid, at: float,
                 validation: Validation) -> SLOResult:
    """Evaluate one SLO (or one group of a grouped SLO) from its events at ``at`` (Unix seconds)."""
    span = B.window_span(slo.window, at, grid)
    warns = list(validation.warnings.get(slo.catalog_name, [])) + exclusion_warnings(slo, span)
    extra = {"window_seconds": span.window_s, "evaluated_at_unix": at, "resolution_s": grid.res}
    if slo.spec is not None:  # the spec format and version, and every default its reader applied
        extra["spec"] = {"format": slo.spec.format, "version": slo.spec.version, "file": slo.spec.file,
                         "line": slo.spec.line, "defaults": list(slo.spec.notes)}
    if ev is None:
        return SLOResult(slo, no_data_report(slo, span, validation.missing[slo.catalog_name], warns, extra))
    a, b = span.a, span.b
    facts, quality_warns = data_quality(samples, ev, span, grid.res)
    extra.update(facts)
    warns += quality_warns
    counts = window_counts(ev, span)
    reason = _no_data_reason(ev, span, counts)
    if reason:
        return SLOResult(slo, no_data_report(slo, span, reason, warns, extra, counts), ev, (a, b))
    c = sli_compliance(slo, ev, span, warns)
    bf = budget_figures(slo, ev, span, c, grid.res, warns)
    data_res = samples.resolution()
    alerts = B.alert_state(ev, slo.target, a, b, data_res if math.isfinite(data_res) else grid.res, slo.alert_tiers)
    tte = time_to_exhaustion(bf.remaining_pct, alerts.burn_rates, span.window_s)
    proj, proj_ok, basis = projection(slo, ev, span, c, samples.time_range[0], grid.res)
    status = slo_status(bf.compliant, alerts.firing_now)
    if alerts.firing_now:
        warns.append(f"alerts firing at the evaluation time: {', '.join(alerts.firing_now)}")
    overspent = bf.consumed_pct - 100 if bf.compliant is False and bf.consumed_pct is not None \
        and bf.consumed_pct > 100 else None
    rep = SLOReport(
        name=slo.name, description=slo.description, target=slo.target_pct, window=slo.window.describe(),
        window_start=iso(span.start), window_end=iso(span.end), budgeting_method=slo.method,
        good_events=c.good, bad_events=c.bad, valid_events=c.valid, sli=c.sli, compliant=bf.compliant,
        budget_events=bf.budget_events, budget_consumed=c.bad, budget_consumed_pct=bf.consumed_pct,
        budget_remaining=bf.remaining, budget_remaining_pct=bf.remaining_pct, budget_minutes=bf.budget_minutes,
        budget_remaining_minutes=bf.remaining_minutes, overspent_pct=overspent,
        burn_rates=alerts.burn_rates, alerts_firing=alerts.firing_now,
        alert_backtest={name: [[iso(s), iso(e)] for s, e in spans] for name, spans in alerts.backtest.items()},
        time_to_exhaustion_s=tte, status=status, warnings=warns, sli_lower=c.sli_lower, sli_upper=c.sli_upper,
        sli_interpolated=c.sli_interpolated, timeslices=bf.timeslices, tier_notes={**alerts.notes, **slo.unused_tiers},
        projected_sli=proj, projected_compliant=proj_ok, projection_basis=basis, data=extra, evaluated_at=iso(at))
    return SLOResult(slo, rep, ev, (a, b), alerts.firing)


def default_at(samples: Samples, grid: Grid) -> float:
    """End of data, on the grid."""
    return float(grid.origin + grid.index(samples.time_range[1]) * grid.res)


def evaluate(slos: list[SLO], samples: Samples, at: float | None = None, *, resolution: float | None = None,
             where: str = "catalog", validation: Validation | None = None) -> Evaluation:
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
    validation : Validation, optional
        The catalog already checked against the data's series (the pushdown mode checks the
        server's series, not the aggregated samples it evaluates).

    Returns
    -------
    Evaluation

    Raises
    ------
    DataError
        No samples at all.
    ConfigError
        The catalog does not fit the data (see :func:`analysis.slo.validation.validate_against`).
    """
    require_samples(samples, samples.origin or "source")
    if validation is None:
        validation = validate_against(slos, samples, where=where)
    grid = make_grid(samples, resolution, until=at)
    if at is None:
        at = default_at(samples, grid)
    results = [r for s in slos for r in evaluate_catalog_slo(s, samples, grid, float(at), validation)]
    info = {"series": len(samples.labels), "samples": len(samples), "origin": samples.origin,
            "first": iso(samples.time_range[0]), "last": iso(samples.time_range[1]),
            "resolution_s": grid.res, "quality": dict(samples.quality)}
    return Evaluation(float(at), results, grid, info, samples)
