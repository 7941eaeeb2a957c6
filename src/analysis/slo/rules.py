"""SLOs → Prometheus rule groups: SLI error-ratio recording rules, budget and burn-rate rules, one alert per tier.

Pure: a catalog (and, for latency SLIs, the histogram's bucket boundaries) in, rule groups
(plain dicts, ready for YAML) out. :mod:`.sources.rulefiles` writes them (Prometheus rule
file or a Prometheus Operator ``PrometheusRule``) and runs ``promtool``.

Per SLO three groups:

* ``slo-<name>-sli``: ``slo:sli_error:ratio_rate<w>`` for every window a tier needs (and the
  rolling period, for the budget left), labels ``slo``, ``service`` and the ``group_by`` labels;
* ``slo-<name>-budget``: ``slo:objective:ratio``, ``slo:error_budget:ratio``,
  ``slo:burn_rate:ratio_rate<w>`` and (rolling windows) ``slo:error_budget_remaining:ratio``;
* ``slo-<name>-alerts``: ``ErrorBudgetBurn`` per tier — fires when the error ratio over both the
  long and the short window exceeds ``factor × (1 − target)``; labels ``severity``, ``slo``,
  ``tier``; annotations ``summary``, ``description`` (the budget figures), ``runbook_url``.

The SLI expressions (one :class:`SLIPlan` per SLO, also what :mod:`.promeval` evaluates):
``1 − good/total``, ``bad/total`` or ``bad/(good + bad)`` of ``sum by (<group_by>) (rate(<sel>[w]))``
(``avg_over_time`` for gauge ratios); a role that may have no series yet (no 5xx so far) is
filled with ``0 × the other role`` so the ratio reads 0, not "no data". Latency SLIs use the
bucket at the threshold; a threshold that is not a bucket boundary, timeslice budgeting and an
SLO whose buckets are unknown are refused (one line naming the SLO). Exclusions are not rules:
silence planned maintenance in Alertmanager.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..promql import Selector, make_matcher
from ..promqlexpr import fill_window, has_window
from .objectives import SLO, Tier, Written, bucket_at, format_duration, le_value, never_fires

#: ``rate()`` for counters, ``avg_over_time()`` for gauge ratios
FUNCTIONS = {"ratio": "rate", "latency": "rate", "gauge_ratio": "avg_over_time", "bool_gauge": "bool_gauge"}
ALERT_NAME = "ErrorBudgetBurn"


@dataclass(frozen=True)
class SLIPlan:
    """How one SLO's error ratio is computed: ``form`` over role selectors, aggregated ``by``."""

    form: str  # "1-good/total" | "bad/total" | "bad/(good+bad)" | "written" (the spec's queries, windows filled)
    good: tuple[Selector, ...]
    bad: tuple[Selector, ...]
    total: tuple[Selector, ...]
    function: str  # "rate" | "avg_over_time" | "bool_gauge" (sum_over_time / count_over_time)
    by: tuple[str, ...] = ()
    without: bool = False  # ``sum without (<by>)``
    written: Written | None = None  # form "written": the queries as the spec wrote them


@dataclass
class RuleSet:
    """Rule groups for a catalog, and what could not be turned into rules (with the reason)."""

    groups: list[dict] = field(default_factory=list)
    plans: dict[str, SLIPlan] = field(default_factory=dict)  # per SLO with rules
    tiers: dict[str, tuple[Tier, ...]] = field(default_factory=dict)  # per SLO: the tiers alerted on
    refused: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # not exported: no metric to alert on
    notes: list[str] = field(default_factory=list)
    style: str = "workbook"  # or "sloth" / "pyrra": the rules the spec's own tool writes

    @property
    def rule_count(self) -> int:
        return sum(len(g["rules"]) for g in self.groups)


def bucket_labels(label_sets: list[dict[str, str]]) -> dict[str, dict[float, str]]:
    """Per histogram (``x`` of ``x_bucket``): its boundaries in the data → the ``le`` text the exporter writes."""
    out: dict[str, dict[float, str]] = {}
    for lab in label_sets:
        name, le = lab.get("__name__", ""), lab.get("le")
        if name.endswith("_bucket") and le is not None:
            value = le_value(le)
            if value is not None:
                out.setdefault(name[: -len("_bucket")], {})[value] = le
    return out


def label_spellings(value: float) -> list[str]:
    """How exporters write an ``le`` boundary: Go ``1`` / ``0.5``, Python ``1.0`` / ``0.5``."""
    if math.isinf(value):
        return ["+Inf"]
    go = str(int(value)) if float(value).is_integer() else repr(float(value))
    return list(dict.fromkeys([go, repr(float(value))]))


def _le_selector(slo: SLO, spellings: list[str]) -> Selector:
    base = slo.sli.selector.matchers if slo.sli.selector else ()
    if len(spellings) == 1:
        m = make_matcher("le", "=", spellings[0])
    else:
        m = make_matcher("le", "=~", "|".join(re.escape(s) for s in spellings))
    return Selector(slo.sli.metric + "_bucket", base).with_metric(slo.sli.metric + "_bucket", (m,))


def latency_plan(slo: SLO, buckets: dict[float, str] | None) -> SLIPlan | str:
    """The plan of a latency SLI (bucket at the threshold / ``+Inf``), or why it is refused.

    ``buckets`` maps the histogram's boundaries in the data to their ``le`` text; without
    data the catalog's ``sli.latency.buckets`` are used (both spellings matched).
    """
    thr, metric = slo.sli.threshold_s, slo.sli.metric
    if buckets is None and not slo.sli.buckets:
        return (f"cannot tell whether {thr:g} s is a bucket boundary of {metric}: declare sli.latency.buckets "
                "in the catalog or give the data (--export / --prometheus)")
    bounds = sorted(buckets) if buckets is not None else list(slo.sli.buckets)
    exact, lo, hi = bucket_at(bounds, thr)
    if exact is None:
        return (f"latency threshold {thr:g} s is not a bucket boundary of {metric} (neighbours {lo} and {hi}): "
                "no exact alert can be written; add a bucket at the threshold")
    good = _le_selector(slo, [buckets[exact]] if buckets is not None else label_spellings(exact))
    total = _le_selector(slo, [buckets.get(math.inf, "+Inf")] if buckets is not None else ["+Inf"])
    return SLIPlan("1-good/total", (good,), (), (total,), "rate", slo.group_by)


def sli_plan(slo: SLO, buckets: dict[float, str] | None = None) -> SLIPlan | str:
    """How ``slo``'s error ratio is written in PromQL, or a one-line reason it cannot be."""
    written = slo.sli.written
    if written is not None and written.refused:
        return _written_plan(slo)
    if slo.method != "occurrences":
        return (f"budgeting {slo.method}: burn-rate rules are ratios of events, a timeslice budget counts bad "
                "slices (a 5m short window would hold one slice); use budgeting occurrences to alert on it")
    sli = slo.sli
    if sli.kind == "latency":
        return latency_plan(slo, buckets)
    fn = FUNCTIONS[sli.kind]
    form = "1-good/total" if sli.good and sli.total else ("bad/total" if sli.total else "bad/(good+bad)")
    return SLIPlan(form, sli.good, sli.bad, sli.total, fn, slo.group_by, slo.group_without)


def _written_plan(slo: SLO) -> SLIPlan | str:
    """Rules from the spec's queries as written: possible when they carry ``{{.window}}`` (Sloth, OpenSLO raw)."""
    w = slo.sli.written
    texts = [t for t in (w.good, w.bad, w.total, w.ratio) if t]
    if not w.live or w.form in ("threshold", "plugin", "foreign", "unresolved"):
        return w.refused
    if not all(has_window(t) for t in texts):
        return (f"{w.refused.split(' is not computable')[0]}: the query has no {{{{.window}}}}, so it cannot be "
                "written for every alert window; write it with [{{.window}}] or as a sum of rate()s")
    if slo.method != "occurrences":
        return "budgeting " + slo.method + ": burn-rate rules are ratios of events; use budgeting occurrences"
    return SLIPlan("written", (), (), (), "written", slo.group_by, slo.group_without, w)


def _agg(plan: SLIPlan, sel: Selector, window: str, function: str = "") -> str:
    word = "without" if plan.without else "by"
    by = f" {word} ({', '.join(plan.by)}) " if plan.by or plan.without else ""
    return f"sum{by}({function or plan.function}({sel}[{window}]))"


def _written_expr(w: Written, window: str) -> str:
    q = {r: fill_window(getattr(w, r), window) for r in ("good", "bad", "total", "ratio")}
    return {"bad/total": f"({q['bad']}) / ({q['total']})", "1-good/total": f"1 - ({q['good']}) / ({q['total']})",
            "bad/(good+bad)": f"({q['bad']}) / (({q['good']}) + ({q['bad']}))", "error_ratio": f"({q['ratio']})",
            "good_ratio": f"1 - ({q['ratio']})"}[w.form]


def _role(plan: SLIPlan, sels: tuple[Selector, ...], window: str, anchor: str | None) -> str:
    """A role's sum over its selectors; each term filled with ``0 × anchor`` when it has no series."""
    terms = [_agg(plan, s, window) for s in sels]
    if anchor is not None:
        terms = [f"({t} or 0 * {anchor})" for t in terms]
    return terms[0] if len(terms) == 1 else "(" + " + ".join(terms) + ")"


def error_ratio_expr(plan: SLIPlan, window: str) -> str:
    """The PromQL of the SLI error ratio over ``window`` (e.g. ``"1h"``)."""
    if plan.form == "written":
        return _written_expr(plan.written, window)
    if plan.function == "bool_gauge":
        return (f"1 - {_agg(plan, plan.good[0], window, 'sum_over_time')} / "
                f"{_agg(plan, plan.total[0], window, 'count_over_time')}")
    if plan.form == "1-good/total":
        total = _role(plan, plan.total, window, None)
        return f"1 - {_role(plan, plan.good, window, total)} / {total}"
    if plan.form == "bad/total":
        total = _role(plan, plan.total, window, None)
        return f"{_role(plan, plan.bad, window, total)} / {total}"
    good0, bad0 = _agg(plan, plan.good[0], window), _agg(plan, plan.bad[0], window)
    good, bad = _role(plan, plan.good, window, bad0), _role(plan, plan.bad, window, good0)
    return f"{bad} / ({good} + {bad})"


def record_name(kind: str, window_s: float | None = None) -> str:
    """``slo:sli_error:ratio_rate5m``-style names."""
    return f"slo:{kind}:ratio" + ("" if window_s is None else f"_rate{format_duration(window_s)}")


def _number(x: float) -> str:
    return f"{x:.12g}"


def _selector(slo: SLO, service: str) -> str:
    return f'{{service="{service}",slo="{slo.catalog_name}"}}'


def firing_tiers(slo: SLO) -> tuple[tuple[Tier, ...], list[str]]:
    """The tiers that get an alert, and notes on the ones left out (never fire / longer than the period)."""
    keep = tuple(t for t in slo.alert_tiers if not never_fires(t, slo.target))
    notes = [f"{slo.name}: tier {t.name} left out: {why}" for t in slo.alert_tiers
             if (why := never_fires(t, slo.target))]
    notes += [f"{slo.name}: tier {name} left out: {why}" for name, why in slo.unused_tiers.items()]
    return keep, notes


def rule_windows(slo: SLO, tiers: tuple[Tier, ...]) -> list[float]:
    """Every window a tier needs, plus the rolling period (for the budget left), ascending."""
    ws = {t.long_s for t in tiers} | {t.short_s for t in tiers}
    if slo.window.kind == "rolling":
        ws.add(slo.window.seconds)
    return sorted(ws)


def alert_rule(slo: SLO, tier: Tier, service: str, runbook_url: str) -> dict:
    """The ``ErrorBudgetBurn`` alerting rule of one tier (``$value``: the long window's error ratio)."""
    sel = _selector(slo, service)
    budget = 1 - slo.target
    thr = f"({_number(tier.factor)} * {_number(budget)})"
    long_r, short_r = record_name("sli_error", tier.long_s), record_name("sli_error", tier.short_s)
    period = format_duration(slo.window.period_s)
    lasts = format_duration(round(slo.window.period_s / tier.factor / 60) * 60)
    return {
        "alert": ALERT_NAME,
        "expr": f"{long_r}{sel} > {thr} and {short_r}{sel} > {thr}",
        "labels": {"severity": tier.severity, "slo": slo.catalog_name, "tier": tier.name},
        "annotations": {
            "summary": f"{slo.catalog_name}: error budget burning over {tier.factor:.4g}x ({tier.label})",
            "description": (f"{slo.catalog_name} (target {slo.target_pct:g} %, {slo.window.describe()}): error ratio "
                            f"{{{{ $value | humanizePercentage }}}} over {format_duration(tier.long_s)}, also above "
                            f"{tier.factor:.4g} x {_number(100 * budget)} % over {format_duration(tier.short_s)}. "
                            f"At this rate {tier.budget_pct:.3g} % of the {period} error budget is spent every "
                            f"{format_duration(tier.long_s)}; the whole budget lasts {lasts}."),
            "runbook_url": runbook(runbook_url, slo.catalog_name, tier.name),
        },
    }


def runbook(base: str, slo: str, tier: str) -> str:
    """``base/slo`` (or ``base`` with ``{slo}`` and ``{tier}`` filled in); "" without a base."""
    if not base:
        return ""
    if "{slo}" in base or "{tier}" in base:
        return base.replace("{slo}", slo).replace("{tier}", tier)
    return f"{base.rstrip('/')}/{slo}"


def slo_groups(slo: SLO, plan: SLIPlan, tiers: tuple[Tier, ...], service: str, runbook_url: str) -> list[dict]:
    """The three rule groups of one SLO (see the module docstring)."""
    labels = {"service": service, "slo": slo.catalog_name}
    sel = _selector(slo, service)
    budget = _number(1 - slo.target)
    windows = rule_windows(slo, tiers)
    sli = [{"record": record_name("sli_error", w), "expr": error_ratio_expr(plan, format_duration(w)),
            "labels": dict(labels)} for w in windows]
    meta = [{"record": "slo:objective:ratio", "expr": f"vector({_number(slo.target)})", "labels": dict(labels)},
            {"record": "slo:error_budget:ratio", "expr": f"vector({budget})", "labels": dict(labels)}]
    meta += [{"record": record_name("burn_rate", w), "expr": f"{record_name('sli_error', w)}{sel} / {budget}",
              "labels": dict(labels)} for w in windows if w != slo.window.seconds]
    if slo.window.kind == "rolling":
        meta.append({"record": "slo:error_budget_remaining:ratio",
                     "expr": f"1 - {record_name('sli_error', slo.window.seconds)}{sel} / {budget}",
                     "labels": dict(labels)})
    alerts = [alert_rule(slo, t, service, runbook_url) for t in tiers]
    name = slo.catalog_name
    return [{"name": f"slo-{name}-sli", "rules": sli}, {"name": f"slo-{name}-budget", "rules": meta},
            *([{"name": f"slo-{name}-alerts", "rules": alerts}] if alerts else [])]


def rule_set(slos: list[SLO], *, buckets: dict[str, dict[float, str]] | None = None, runbook_url: str = "",
             default_service: str = "default") -> RuleSet:
    """Rule groups for every SLO that can be alerted on.

    Parameters
    ----------
    slos : list of SLO
        The catalog (grouped SLOs once, not per group: their rules are ``sum by`` the labels).
    buckets : dict, optional
        Per histogram metric, its boundaries in the data → ``le`` text. None: no data given
        (latency SLOs then need ``sli.latency.buckets`` in the catalog).
    runbook_url : str
        Base of the ``runbook_url`` annotation (see :func:`runbook`).
    default_service : str
        The ``service`` label of SLOs whose catalog names no service.

    Returns
    -------
    RuleSet
    """
    out = RuleSet()
    for slo in slos:
        if slo.not_exported:
            out.skipped[slo.name] = f"not exported: {slo.not_exported}"
            continue
        metric = slo.sli.metric
        plan = sli_plan(slo, None if buckets is None else buckets.get(metric, {}))
        if isinstance(plan, str):
            out.refused[slo.name] = plan
            continue
        tiers, notes = firing_tiers(slo)
        out.notes += notes
        out.plans[slo.name], out.tiers[slo.name] = plan, tiers
        out.groups += slo_groups(slo, plan, tiers, slo.service or default_service, runbook_url)
    return out


def prometheus_rule(rules: RuleSet, name: str, namespace: str = "") -> dict:
    """The rule groups as a Prometheus Operator ``PrometheusRule`` object."""
    meta = {"name": name, "labels": {"app.kubernetes.io/name": "slo-rules", "app.kubernetes.io/part-of": name}}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": meta,
            "spec": {"groups": rules.groups}}
