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
from ..promqlexpr import fill_window
from .objectives import SLI, SLO, Written, format_duration
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

    def name_of(q: str, written: bool = False) -> str:
        if q not in names:
            names[q] = f"{PREFIX}{'w' if written else ''}{len(names)}"
            queries[names[q]] = q
        return names[q]

    out = []
    for slo in slos:
        if slo.name in skip:
            out.append(slo)
            continue
        if slo.sli.written is not None and slo.sli.written.refused:
            out.append(_as_written(slo, step, name_of))
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


def written_queries(w: Written, step: float) -> dict[str, str]:
    """A spec's queries as written, evaluated at each step (``{{.window}}`` = the step): role → PromQL.

    Each answer is read as a gauge (its values per step summed over the window): rates and
    increases keep their ratio, a threshold SLI counts the steps where ``query op value``.
    """
    win = format_duration(step)
    if w.form == "threshold":
        return {"good": f"({w.good}) {w.op} bool {w.value:g}", "total": f"({w.good}) * 0 + 1"}
    if w.form in ("error_ratio", "good_ratio"):
        r = fill_window(w.ratio, win)
        return {"good": f"1 - ({r})" if w.form == "error_ratio" else f"({r})", "total": f"({r}) * 0 + 1"}
    return {role: fill_window(getattr(w, role), win) for role in ("good", "bad", "total") if getattr(w, role)}


def _as_written(slo: SLO, step: float, name_of) -> SLO:
    """The SLO reading its queries' answers; their split (``sum by (job)``: one SLO per job) is kept."""
    roles = {r: (Selector(name_of(q, True)),) for r, q in written_queries(slo.sli.written, step).items()}
    return replace(slo, sli=SLI("gauge_ratio", **roles))


def is_gauge(name: str, query: str) -> bool:
    """An answer read as gauge values (``avg_over_time`` of a gauge ratio, or a spec's query as written)."""
    return "avg_over_time(" in query or name.startswith(PREFIX + "w")


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
