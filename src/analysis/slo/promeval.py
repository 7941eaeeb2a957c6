"""The generated rules evaluated the way Prometheus 2.x evaluates them, on the same samples the workbook reads.

This is the "backtest of the generated rules": where :mod:`.budget` counts the increases
observed in a window exactly, Prometheus' ``rate()``/``increase()`` (``extrapolatedRate`` in
``promql/functions.go``) takes the samples in ``[t − w, t]`` (both ends included in 2.x),
adds back counter resets and extrapolates the first-to-last increase towards the window
edges (by at most half a sample interval unless a sample lies within 1.1 intervals of the
edge, and never below a counter's zero point). ``avg_over_time`` is the mean of the samples
in the range. A ``sum by`` of no series is absent (NaN here), comparisons with NaN are
false, ``x/0`` is ``±Inf`` and ``0/0`` NaN — as in PromQL.

The integration tests check this module against a real Prometheus on the oracle data.
(Prometheus 3 selects ranges left-open, ``(t − w, t]``: a window then holds one sample
less when a sample falls exactly on its start.)
"""

from __future__ import annotations


import numpy as np

from .budget import cumsum0
from .objectives import SLO, Tier
from .result import Evaluation
from .rules import RuleSet, SLIPlan
from .series import Samples
from .sli import Groups, slo_groups


def extrapolated_increase(ts: np.ndarray, v: np.ndarray, times: np.ndarray, window: float,
                          left_open: bool = False) -> np.ndarray:
    """``increase(series[window])`` of one counter at every time of ``times`` (NaN: fewer than 2 samples).

    ``left_open``: Prometheus 3 range selection ``(t − w, t]`` instead of 2.x's ``[t − w, t]``.
    """
    if ts.size < 2:
        return np.full(times.size, np.nan)
    lo = np.searchsorted(ts, times - window, "right" if left_open else "left")
    hi = np.searchsorted(ts, times, "right") - 1
    ok = (hi - lo + 1) >= 2
    lo_c, hi_c = np.where(ok, lo, 0), np.where(ok, hi, 1)
    drops = cumsum0(np.concatenate([[0.0], np.where(v[1:] < v[:-1], v[:-1], 0.0)]))[1:]
    result = v[hi_c] - v[lo_c] + drops[hi_c] - drops[lo_c]
    sampled = ts[hi_c] - ts[lo_c]
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = sampled / (hi_c - lo_c)
        to_start = ts[lo_c] - (times - window)
        to_end = times - ts[hi_c]
        to_zero = sampled * (v[lo_c] / result)
        to_start = np.where((result > 0) & (v[lo_c] >= 0), np.minimum(to_start, to_zero), to_start)
        thr = 1.1 * avg
        interval = sampled + np.where(to_start < thr, to_start, avg / 2) + np.where(to_end < thr, to_end, avg / 2)
        out = result * (interval / sampled)
    return np.where(ok, out, np.nan)


def avg_over_time(ts: np.ndarray, v: np.ndarray, times: np.ndarray, window: float,
                  left_open: bool = False) -> np.ndarray:
    """``avg_over_time(series[window])`` at every time (NaN: no sample in the range)."""
    lo = np.searchsorted(ts, times - window, "right" if left_open else "left")
    hi = np.searchsorted(ts, times, "right")
    c = cumsum0(v)
    n = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (c[hi] - c[lo]) / np.maximum(n, 1), np.nan)


def sample_over_time(ts: np.ndarray, v: np.ndarray, times: np.ndarray, window: float, left_open: bool = False,
                     count: bool = False) -> np.ndarray:
    """``sum_over_time`` (or ``count_over_time``) of one series at every time (NaN: no sample in the range)."""
    lo = np.searchsorted(ts, times - window, "right" if left_open else "left")
    hi = np.searchsorted(ts, times, "right")
    c = cumsum0(np.ones_like(v) if count else v)
    return np.where(hi > lo, c[hi] - c[lo], np.nan)


def role_sum(samples: Samples, sel, function: str, window: float, times: np.ndarray, groups: Groups,
             left_open: bool = False) -> np.ndarray:
    """``sum by (<groups>) (<function>(sel[window]))``: shape (groups, times), NaN where no series answers."""
    total = np.zeros((len(groups.keys), times.size))
    seen = np.zeros(total.shape, bool)
    bounds = samples.series_slices()
    fn = {"rate": extrapolated_increase, "avg_over_time": avg_over_time, "sum_over_time": sample_over_time,
          "count_over_time": lambda *a: sample_over_time(*a, count=True)}[function]
    for i in samples.select(sel):
        g = groups.index.get(groups.key(samples.labels[i]))
        if g is None:
            continue
        sl = slice(bounds[i], bounds[i + 1])
        x = fn(samples.ts[sl], samples.value[sl], times, window, left_open)
        have = ~np.isnan(x)
        total[g] += np.where(have, x, 0.0)
        seen[g] |= have
    return np.where(seen, total, np.nan)


def _role(samples: Samples, plan: SLIPlan, sels, window: float, times: np.ndarray, groups: Groups,
          anchor: np.ndarray | None, left_open: bool) -> np.ndarray:
    terms = [role_sum(samples, s, plan.function, window, times, groups, left_open) for s in sels]
    if anchor is not None:  # (term or 0 * anchor)
        terms = [np.where(np.isnan(t) & ~np.isnan(anchor), 0.0, t) for t in terms]
    return np.sum(terms, axis=0)


def error_ratio(plan: SLIPlan, samples: Samples, window: float, times: np.ndarray, groups: Groups,
                left_open: bool = False) -> np.ndarray:
    """The generated ``slo:sli_error:ratio_rate<window>`` at every time, per group (see :func:`~.rules.error_ratio_expr`)."""
    def role(sels, anchor):
        return _role(samples, plan, sels, window, times, groups, anchor, left_open)

    with np.errstate(divide="ignore", invalid="ignore"):
        if plan.function == "bool_gauge":
            return 1 - (role_sum(samples, plan.good[0], "sum_over_time", window, times, groups, left_open)
                        / role_sum(samples, plan.total[0], "count_over_time", window, times, groups, left_open))
        if plan.form in ("1-good/total", "bad/total"):
            total = role(plan.total, None)
            return 1 - role(plan.good, total) / total if plan.form == "1-good/total" else role(plan.bad, total) / total
        good0 = role_sum(samples, plan.good[0], plan.function, window, times, groups, left_open)
        bad0 = role_sum(samples, plan.bad[0], plan.function, window, times, groups, left_open)
        good, bad = role(plan.good, bad0), role(plan.bad, good0)
        return bad / (good + bad)


def rules_firing(plan: SLIPlan, slo: SLO, tiers: tuple[Tier, ...], samples: Samples, times: np.ndarray,
                 groups: Groups, left_open: bool = False, ratios: dict | None = None) -> dict[str, np.ndarray]:
    """Per tier, per group and time: does the generated ``ErrorBudgetBurn`` alert fire (both windows above)?

    ``ratios``, when given, receives the error ratio per window (the alerts' ``$value`` is the long one's).
    """
    budget = float(f"{1 - slo.target:.12g}")
    cache: dict[float, np.ndarray] = {} if ratios is None else ratios

    def ratio(w: float) -> np.ndarray:
        if w not in cache:
            cache[w] = error_ratio(plan, samples, w, times, groups, left_open)
        return cache[w]

    out = {}
    for t in tiers:
        thr = float(f"{t.factor:.12g}") * budget
        with np.errstate(invalid="ignore"):
            out[t.name] = (ratio(t.long_s) > thr) & (ratio(t.short_s) > thr)
    return out


def rules_backtest(ev: Evaluation, rules: RuleSet) -> dict[str, dict[str, np.ndarray]]:
    """Per evaluated SLO (each group of a grouped one) with rules: per tier, the generated alert's firing
    over the SLO's window bins, evaluated on the same samples at the same times as the workbook's backtest."""
    out: dict[str, dict[str, np.ndarray]] = {}
    if ev.samples is None:
        return out
    times = ev.grid.times()
    done: dict[str, tuple[Groups, dict[str, np.ndarray]]] = {}
    for res in ev.results:
        name = res.slo.catalog_name
        if name not in rules.plans or res.events is None or rules.plans[name].form == "written":
            continue
        if name not in done:
            groups = slo_groups(res.slo, ev.samples)  # a group's view keeps its parent's group_by
            done[name] = groups, rules_firing(rules.plans[name], res.slo, rules.tiers[name], ev.samples, times, groups)
        groups, firing = done[name]
        g = groups.index.get(tuple(v for _, v in res.slo.group), 0)
        a, b = res.window_bins
        out[res.slo.name] = {tier: m[g][a:b + 1] for tier, m in firing.items()}
    return out
