"""Generated ``promtool test rules`` unit tests for the generated rules.

For every SLO with rules: synthetic input series (1-minute samples of clean traffic, then a
constant error fraction) on which the fastest tier
must fire at a computed minute — not a minute earlier — while the slowest tier must not fire yet.
The burst starts after ``m0`` clean minutes (the slow tier's short window plus two hours, grown
until the slow tier's long window dilutes the burst enough); rules are evaluated every
:data:`EVAL_MIN` minutes (``promtool`` re-reads the history at each evaluation: this keeps a test
at a few seconds), in the rule file's group order (``group_eval_order``). The minute is computed by :mod:`.promeval` (Prometheus' own ``rate()`` semantics) and checked to
be the same whether ranges include their start (Prometheus 2) or not (Prometheus 3); the error
fraction is nudged until it is. The label sets of the synthetic series are built from the SLI's
selectors (a regex matcher gets a deterministic example string from ``rstr``) and checked with
:meth:`analysis.promql.Selector.matches`: a selector set no label set can satisfy is reported,
not guessed.
"""

from __future__ import annotations

import random
import re

import numpy as np
import rstr

from ..promql import Selector, series_text
from .objectives import SLO, Tier
from .promeval import rules_firing
from .rules import ALERT_NAME, RuleSet, SLIPlan, alert_rule
from .series import build
from .sli import slo_groups

RATE = 1000  # events per minute
EVAL_MIN = 10  # the tests' evaluation_interval in minutes (promtool re-reads the history at every evaluation)
_CLEAN = re.compile(r"[A-Za-z0-9_./:+-]+")


def example(rx: str) -> str | None:
    """A short, printable string fully matching ``rx`` (deterministic), or None."""
    for seed in range(64):
        s = rstr.Rstr(random.Random(seed)).xeger(rx)
        if re.fullmatch(rx, s) and _CLEAN.fullmatch(s):
            return s
    return None


def _violations(m) -> list[str]:
    """Values that violate a matcher (tried in order)."""
    if m.op == "=":
        return ["x", m.value + "_other"]
    if m.op == "!=":
        return [m.value]
    if m.op == "=~":
        return ["x", "other", "0"]
    ex = example(m.value)
    return [ex] if ex else []


def satisfy(must: list[Selector], must_not: list[Selector], extra: dict[str, str]) -> dict[str, str] | None:
    """A label set matched by every selector of ``must`` and by none of ``must_not`` (None: not found)."""
    metrics = {s.metric for s in must}
    if len(metrics) != 1:
        return None
    labels = {"__name__": metrics.pop(), **extra}
    fixed = set()
    for m in (m for s in must for m in s.matchers):
        value = m.value if m.op == "=" else (example(m.value) if m.op == "=~" else None)
        if m.op in ("=", "=~"):
            if value is None or (m.label in labels and labels[m.label] != value and m.label in fixed):
                return None
            labels[m.label] = value
            fixed.add(m.label)
        elif not m.matches(labels):
            labels[m.label] = "x" if m.value != "x" else "y"
    for bad in must_not:
        for m in bad.matchers if bad.matches(labels) else ():
            for v in ([] if m.label in fixed else _violations(m)):
                trial = {**labels, m.label: v}
                if all(s.matches(trial) for s in must) and not bad.matches(trial):
                    labels = trial
                    break
            if not bad.matches(labels):
                break
    ok = all(s.matches(labels) for s in must) and not any(s.matches(labels) for s in must_not)
    return labels if ok else None


def synthetic_roles(plan: SLIPlan, extra: dict[str, str]) -> list[tuple[dict[str, str], str]] | None:
    """Label sets and the role whose values each carries (``good``, ``bad`` or ``total``), or None."""
    good, bad, total = (plan.good[:1], plan.bad[:1], plan.total[:1])
    if plan.form == "bad/(good+bad)":
        designs = [[(good, bad, "good"), (bad, good, "bad")]]
    else:
        ok_role, ok_sel = ("good", good) if plan.form == "1-good/total" else ("bad", bad)
        other = "bad" if ok_role == "good" else "good"
        designs = [[(ok_sel + total, [], ok_role), (total, ok_sel, other)],
                   [(ok_sel, total, ok_role), (total, ok_sel, "total")]]
    for design in designs:
        built = [(satisfy(list(m), list(n), extra), role) for m, n, role in design]
        if all(lab is not None for lab, _ in built) and _sums_right(plan, built):
            return built
    return None


def _sums_right(plan: SLIPlan, built: list[tuple[dict, str]]) -> bool:
    """Every selector of the plan sums exactly the role it stands for (no series counted twice)."""
    value = {"good": np.array([1.0, 0, 1]), "bad": np.array([0, 1.0, 1]), "total": np.array([1.0, 1, 2])}
    per = {lab_role: value[lab_role[1]] for lab_role in [(series_text(lab), r) for lab, r in built]}
    labels = {series_text(lab): lab for lab, _ in built}
    for role in ("good", "bad", "total"):
        for sel in getattr(plan, role):
            got = sum((v for (text, _), v in per.items() if sel.matches(labels[text])), np.zeros(3))
            if not np.array_equal(got, value[role]):
                return False
    return True


def _values(role: str, m0: int, n: int, errors: int, gauge: bool) -> np.ndarray:
    """Per minute 0..n−1: a counter (or gauge) of the role; errors per minute from ``m0`` on."""
    err = np.where(np.arange(n) > m0, errors, 0).astype(float)
    per = {"bad": err, "good": RATE - err, "total": np.full(n, float(RATE))}[role]
    return per if gauge else np.cumsum(np.where(np.arange(n) == 0, 0.0, per))


def _series_text(values: np.ndarray) -> str:
    """promtool's expanded notation: runs of a constant step as ``a+bxn``."""
    d = np.diff(values)
    parts, i = [], 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and (j == i or d[j] == d[i]) and j - i < 100000:
            j += 1
        step = d[i] if j > i else 0.0
        parts.append(f"{values[i]:g}+{step:g}x{j - i}" if j > i else f"{values[i]:g}")
        i = j + 1
    return " ".join(parts)


def _firing_at(plan: SLIPlan, slo: SLO, tiers: tuple[Tier, ...], built, m0: int, n: int, errors: int,
               left_open: bool, ratios: dict | None = None) -> dict[str, np.ndarray]:
    """Per tier: firing at the evaluations ``m0, m0 + EVAL_MIN, …`` before minute ``n`` (index 0 is ``m0``)."""
    gauge = plan.function == "avg_over_time"
    ts = 60.0 * np.arange(n)
    samples = build([(lab, ts, _values(role, m0, n, errors, gauge)) for lab, role in built])
    groups = slo_groups(slo, samples)
    times = ts[m0::EVAL_MIN]
    return {k: v[0] for k, v in rules_firing(plan, slo, tiers, samples, times, groups, left_open, ratios).items()}


def humanize_percentage(v: float) -> str:
    """Prometheus' ``humanizePercentage`` template function (``%.4g%%`` of ``v × 100``)."""
    return f"{v * 100:.4g}%"


def _burst(plan: SLIPlan, slo: SLO, tiers: tuple[Tier, ...], built, fast: Tier, slow: Tier,
           quiet: bool = True) -> tuple[int, int, int] | None:
    """``(m0, errors per minute, evaluation index)``: the fast tier first fires at the same evaluation on
    Prometheus 2 and 3 (and, with ``quiet``, the slow one not yet); None when no error fraction does."""
    e0 = int(np.ceil(2.5 * fast.factor * (1 - slo.target) * RATE))
    e_min = int(np.floor(fast.factor * (1 - slo.target) * RATE)) + 1
    candidates = [e for e in [*range(min(e0, RATE), RATE + 1), *range(min(e0, RATE) - 1, e_min - 1, -1)] if e >= 1]
    m0 = (int(slow.short_s // 60) // EVAL_MIN + 12) * EVAL_MIN
    horizon = int(fast.long_s // 60) * 4
    step = m0
    for _ in range(6 if quiet else 1):
        for errors in candidates[:12]:
            both = [_firing_at(plan, slo, tiers, built, m0, m0 + horizon, errors, lo) for lo in (False, True)]
            x = [_first(f[fast.name]) for f in both]
            if x[0] is None or x[0] != x[1] or x[0] == 0:
                continue
            same = all(np.array_equal(both[0][t.name][x[0] - 1:x[0] + 1], both[1][t.name][x[0] - 1:x[0] + 1])
                       for t in tiers)
            if same and not (quiet and both[0][slow.name][x[0]]):
                return m0, errors, x[0]
        m0 += step // 2
    return None


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def slo_test(slo: SLO, plan: SLIPlan, tiers: tuple[Tier, ...], service: str, runbook_url: str) -> tuple[dict | None, str]:
    """One promtool test for ``slo`` and a one-line note (what it checks, or why there is none)."""
    if not tiers:
        return None, f"{slo.name}: no tier can fire, no test"
    extra = {lab: "g1" for lab in plan.by}
    built = synthetic_roles(plan, extra)
    if built is None:
        return None, f"{slo.name}: no label set satisfies the SLI's selectors as good/bad/total; no test"
    fast, slow = min(tiers, key=lambda t: t.long_s), max(tiers, key=lambda t: t.long_s)
    found = _burst(plan, slo, tiers, built, fast, slow) if fast is not slow else None
    quiet = found is not None
    found = found or _burst(plan, slo, tiers, built, fast, slow, quiet=False)
    if found is None:
        return None, f"{slo.name}: no error fraction makes {fast.name} fire at one minute on Prometheus 2 and 3; no test"
    m0, errors, k = found
    ratios: dict[float, np.ndarray] = {}
    end = m0 + k * EVAL_MIN + 1
    firing = _firing_at(plan, slo, tiers, built, m0, end, errors, False, ratios)
    base = {"service": service, "slo": slo.catalog_name, **extra}

    def alerts(i: int) -> list[dict]:
        out = []
        for t in (t for t in tiers if firing[t.name][i]):
            rule = alert_rule(slo, t, service, runbook_url)
            value = humanize_percentage(float(ratios[t.long_s][0][i]))
            notes = {k: v.replace("{{ $value | humanizePercentage }}", value) for k, v in rule["annotations"].items()}
            out.append({"exp_labels": {**base, **rule["labels"]}, "exp_annotations": notes})
        return out

    gauge = plan.function == "avg_over_time"
    minute = k * EVAL_MIN
    what = f"{fast.name} fires {minute} min into a {100 * errors / RATE:g} % error burst after {m0} clean minutes"
    what += f", {slow.name} not yet" if quiet else f"; {slow.name} fires no later (same budget share)"
    test = {
        "name": f"{slo.name}: {what}",
        "interval": "1m",
        "input_series": [{"series": series_text(lab), "values": _series_text(_values(role, m0, end, errors, gauge))}
                         for lab, role in built],
        "alert_rule_test": [{"eval_time": f"{m0 + minute - EVAL_MIN}m", "alertname": ALERT_NAME, "exp_alerts": alerts(k - 1)},
                            {"eval_time": f"{m0 + minute}m", "alertname": ALERT_NAME, "exp_alerts": alerts(k)}],
    }
    return test, f"{slo.name}: {what}"


def unit_tests(rules: RuleSet, slos: list[SLO], rules_file: str, *, runbook_url: str = "",
               default_service: str = "default") -> tuple[dict, list[str]]:
    """The ``promtool test rules`` file for ``rules`` (``rule_files`` points at ``rules_file``) and notes."""
    tests, notes = [], []
    for slo in slos:
        if slo.name not in rules.plans:
            continue
        if rules.plans[slo.name].form == "written" or rules.plans[slo.name].function == "bool_gauge":
            notes.append(f"{slo.name}: no generated unit test (the SLI is the spec's query as written or a "
                         "0/1 gauge; promtool check rules still checks the rules)")
            continue
        test, note = slo_test(slo, rules.plans[slo.name], rules.tiers[slo.name], slo.service or default_service,
                              runbook_url)
        notes.append(note)
        if test is not None:
            tests.append(test)
    order = [g["name"] for g in rules.groups]
    return {"rule_files": [rules_file], "evaluation_interval": f"{EVAL_MIN}m", "group_eval_order": order,
            "tests": tests}, notes
