"""Pushdown mode: the queries a big Prometheus (Thanos, Mimir, Cortex) evaluates for the workbook.

Pure planning. Every selector of every SLO becomes one server-side aggregate at a coarse step,
``sum by (<group_by>[, le]) (increase(<selector>[<step>]))`` (``avg_over_time`` for gauge ratios),
named ``pushdown_<n>``; the SLOs are rewritten to read those names. The answers (increases per
step, per group) are turned back into counters that start at 0 (:func:`to_parts`), so the rest of
the workbook — windows, burn rates, tiers, backtest — runs unchanged on ``groups × steps`` points
instead of ``series × scrapes`` samples.

Differences to the raw mode (measured by the integration tests against the same server): each
step's ``increase()`` is extrapolated by Prometheus to the step's edges, counter resets are handled
by the server, and a step without samples (a scrape gap) has no increase: traffic across a gap is
lost instead of being attributed to the first sample after it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..promql import Selector
from .objectives import SLI, SLO, format_duration
from .series import Part

PREFIX = "pushdown_"


def _query(sel: Selector, by: tuple[str, ...], step: float, gauge: bool) -> str:
    fn = "avg_over_time" if gauge else "increase"
    return f"sum by ({', '.join(by)}) ({fn}({sel}[{format_duration(step)}]))"


def plan(slos: list[SLO], step: float, skip: set[str] = frozenset()) -> tuple[dict[str, str], list[SLO]]:
    """The server queries (name → PromQL) and the SLOs rewritten to read their answers.

    Parameters
    ----------
    slos : list of SLO
        The catalog.
    step : float
        Seconds per step (the bins of the evaluation).
    skip : set of str
        SLOs not to query (not exported: no metric).
    """
    queries: dict[str, str] = {}
    names: dict[str, str] = {}

    def name_of(q: str) -> str:
        if q not in names:
            names[q] = f"{PREFIX}{len(names)}"
            queries[names[q]] = q
        return names[q]

    out = []
    for slo in slos:
        if slo.name in skip:
            out.append(slo)
            continue
        sli = slo.sli
        if sli.kind == "latency":
            q = _query(sli.selectors()[0], (*slo.group_by, "le"), step, False)
            out.append(replace(slo, sli=replace(sli, metric=name_of(q), selector=None)))
            continue
        gauge = sli.kind == "gauge_ratio"
        roles = {r: tuple(Selector(name_of(_query(s, slo.group_by, step, gauge))) for s in getattr(sli, r))
                 for r in ("good", "bad", "total")}
        out.append(replace(slo, sli=SLI(sli.kind, **roles)))
    return queries, out


def to_parts(name: str, results: list[Part], step: float, gauge: bool) -> list[Part]:
    """Server answers → series the workbook reads.

    Counters: cumulative sums of the per-step increases, with a 0 one step before the first
    answer (every increase counts; a group that appears later is counted from its first step).
    Gauges: the per-step averages as they are. Latency answers keep ``le`` and get the
    ``_bucket`` suffix.
    """
    out = []
    for labels, ts, vals in results:
        lab = {**labels, "__name__": name + ("_bucket" if "le" in labels else "")}
        if gauge:
            out.append((lab, ts, vals))
            continue
        ok = np.isfinite(vals)
        ts, vals = ts[ok], np.maximum(vals[ok], 0.0)
        if ts.size:
            out.append((lab, np.concatenate([[ts[0] - step], ts]), np.concatenate([[0.0], np.cumsum(vals)])))
    return out
