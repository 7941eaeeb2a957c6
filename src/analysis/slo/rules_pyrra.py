"""The rules Pyrra generates for a ``ServiceLevelObjective``, from the object as read (:mod:`.specs.pyrra`).

As Pyrra's ``slo/rules.go`` writes them (checked against the expected rules of its tests):
``<name>-increase`` — ``<metric>:increase<window>`` of the total (and errors) by the grouping
labels plus the labels the errors selector adds, and the ``SLOMetricAbsent`` alerts; ``<name>`` —
``<metric>:burnrate<w>`` for every window of Pyrra's four tiers (scaled from 28 days: 14x 1h/5m,
7x 6h/30m, 2x 1d/2h, 1x 4d/6h), and one ``ErrorBudgetBurn`` (or ``alerting.name``) alert per tier
with labels ``long``, ``short``, ``severity``, ``exhaustion`` and the equality matchers of total.
Dynamic burn rates (``burnRateType: dynamic``) are refused: their thresholds change with traffic.
"""

from __future__ import annotations

from ..promql import Selector
from .objectives import SLO, format_duration
from .rules import RuleSet, sli_plan
from .specs.pyrra import for_durations


def _metric_name(metric: str) -> str:
    for suffix in ("_total", "_count", "_bucket"):
        metric = metric.removesuffix(suffix)
    return metric


def _roles(slo: SLO) -> tuple[Selector, Selector, str]:
    """``(errors-or-success, total, kind)`` selectors as the Pyrra object names them."""
    k = slo.spec.alerting["indicator"]["kind"]
    sli = slo.sli
    if k == "ratio":
        return sli.bad[0], sli.total[0], k
    if k == "latency":
        base = sli.selector.matchers if sli.selector else ()
        ok = Selector(sli.metric + "_bucket", base).with_metric(sli.metric + "_bucket")
        return ok, Selector(sli.metric + "_count", base).with_metric(sli.metric + "_count"), k
    return sli.good[0], sli.good[0], k


def burnrate_expr(slo: SLO, window: str) -> str:
    """Pyrra's ``<metric>:burnrate<window>`` expression."""
    err, tot, kind = _roles(slo)
    by = ", ".join(sorted(slo.group_by))
    agg = f"sum by ({by}) " if by else "sum"
    if kind == "ratio":
        return f"{agg}(rate({err}[{window}])) / {agg}(rate({tot}[{window}]))"
    if kind == "latency":
        ok = slo.spec.alerting["indicator"]["success"]
        return (f"({agg}(rate({tot}[{window}])) - {agg}(rate({ok}[{window}]))) / "
                f"{agg}(rate({tot}[{window}]))")
    m = slo.spec.alerting["indicator"]["metric"]
    return (f"({agg}(count_over_time({m}[{window}])) - {agg}(sum_over_time({m}[{window}]))) / "
            f"{agg}(count_over_time({m}[{window}]))")


def _labels(slo: SLO, tot: Selector) -> dict[str, str]:
    a = slo.spec.alerting
    out = {"slo": a["name"], **{k.removeprefix("pyrra.dev/"): v for k, v in a["labels"].items()
                                if k.startswith("pyrra.dev/")}}
    out.update({m.label: m.value for m in tot.matchers if m.op == "="})
    for g in slo.group_by:
        out.pop(g, None)
    return out


def _increase_group(slo: SLO, tot: Selector, err: Selector, labels: dict) -> dict:
    a = slo.spec.alerting
    tot_labels = {m.label for m in tot.matchers}
    extra = {m.label for m in err.matchers if m.label not in tot_labels and m.label != "le"}
    grouping = sorted(set(slo.group_by) | extra | {m.label for m in tot.matchers if m.op in ("=~", "!~")})
    lab = {k: v for k, v in labels.items() if k not in grouping}
    win = a["window_text"]
    by = f"sum by ({', '.join(grouping)}) " if grouping else "sum"
    rules = [{"record": f"{_metric_name(tot.metric)}:increase{win}", "expr": f"{by}(increase({tot}[{win}]))",
              "labels": lab}]
    if a["alerting"]["absent"]:
        rules.append({"alert": "SLOMetricAbsent", "expr": f"absent({tot}) == 1",
                      "for": format_duration(for_durations(slo.window.seconds)[0]),
                      "labels": {**lab, "severity": "critical"}})
    days = slo.window.seconds / 86400
    interval = 30 * min(8, max(1, int(days // 7) + 1))
    return {"name": f"{a['name']}-increase", "interval": f"{interval // 60}m{interval % 60}s".replace("m0s", "m")
            if interval >= 60 else f"{interval}s", "rules": rules}


def pyrra_groups(slo: SLO) -> list[dict]:
    """The two rule groups Pyrra writes for one objective."""
    a = slo.spec.alerting
    err, tot, kind = _roles(slo)
    labels = _labels(slo, tot)
    tiers = slo.alert_tiers
    windows = sorted({w for t in tiers for w in (t.short_s, t.long_s)})
    rules = [{"record": f"{_metric_name(tot.metric)}:burnrate{format_duration(w)}",
              "expr": burnrate_expr(slo, format_duration(w)), "labels": dict(labels)} for w in windows]
    matchers = sorted([str(m.label) + m.op + '"' + m.value + '"' for m in tot.matchers
                       if m.op == "=" or m.label in slo.group_by] + [f'slo="{a["name"]}"'])
    sel = "{" + ",".join(matchers) + "}"
    target = repr(slo.target)
    fors = for_durations(slo.window.seconds)
    if not a["alerting"]["disabled"] and a["alerting"]["burnrates"]:
        for t, for_s in zip(tiers, fors):
            name = f"{_metric_name(tot.metric)}:burnrate"
            rules.append({
                "alert": a["alerting"]["name"], "for": format_duration(for_s),
                "expr": (f"{name}{format_duration(t.short_s)}{sel} > ({t.factor:.0f} * (1-{target})) and "
                         f"{name}{format_duration(t.long_s)}{sel} > ({t.factor:.0f} * (1-{target}))"),
                "labels": {**labels, "short": format_duration(t.short_s), "long": format_duration(t.long_s),
                           "severity": t.severity, "exhaustion": format_duration(slo.window.seconds / t.factor)}})
    return [_increase_group(slo, tot, err, labels), {"name": a["name"], "interval": "30s", "rules": rules}]


def pyrra_rule_set(slos: list[SLO]) -> RuleSet:
    """Pyrra's rules for every objective; latencyNative, offset and dynamic burn rates are refused (one line each)."""
    out = RuleSet()
    for slo in slos:
        a = slo.spec.alerting
        if a["indicator"]["kind"] == "latencyNative" or a["alerting"]["burnRateType"] != "static":
            out.refused[slo.name] = ("a native histogram SLO's rules need the native histogram itself"
                                     if a["indicator"]["kind"] == "latencyNative" else
                                     "dynamic burn rates change their thresholds with traffic; write "
                                     "burnRateType: static to get Pyrra's static rules here")
            continue
        if slo.sli.written is not None and slo.sli.written.refused:  # a metric with offset
            out.refused[slo.name] = f"{slo.sli.written.refused.split(' is not computable')[0]}: Pyrra's rules for it " \
                                    "are not reproduced"
            continue
        plan = sli_plan(slo)
        if not isinstance(plan, str):
            out.plans[slo.name] = plan
        out.tiers[slo.name] = slo.alert_tiers
        out.groups += pyrra_groups(slo)
    return out
