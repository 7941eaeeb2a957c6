"""The rules Sloth generates for a Sloth spec, from the spec as read (:mod:`.specs.sloth`).

Per SLO, as ``sloth generate`` writes them (checked against the rule files of Sloth's
``examples/_gen``): ``sloth-slo-sli-recordings-<id>`` — ``slo:sli_error:ratio_rate<w>`` for every
alert window, the spec's ``error_query``/``total_query`` (or ``error_ratio_query``) with ``{{.window}}``
filled, and the period's ``slo:sli_error:ratio_rate30d`` as Sloth defines it (the mean of the 5 m
ratios, not the workbook's ratio of rates; see docs/slo-alerting.md); ``sloth-slo-meta-recordings-<id>``
(objective, budget, period, burn rates, budget remaining, ``sloth_slo_info``); ``sloth-slo-alerts-<id>``
— the page alert (quick ``or`` slow tier) and the ticket alert, named as the spec's
``alerting.name``, labels ``alerting.labels`` + the alert's own + ``sloth_severity``, annotations
``summary``/``title`` unless the spec gives them.
"""

from __future__ import annotations

from ..promqlexpr import fill_window
from .objectives import SLO, format_duration
from .rules import RuleSet, sli_plan

_TITLE = "({sev}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} SLO error budget burn rate is too fast."
_SUMMARY = "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected."


def _num(x: float) -> str:
    return repr(float(x)) if not float(x).is_integer() else str(int(x))


def sli_expr(slo: SLO, window: str) -> str:
    """Sloth's SLI error ratio over ``window``: ``(error)\\n/\\n(total)`` or ``(error_ratio)``."""
    w = slo.sli.written
    if w.form == "error_ratio":
        return f"({fill_window(w.ratio, window)}\n)\n"
    return f"({fill_window(w.bad, window)})\n/\n({fill_window(w.total, window)})\n"


def _alert(slo: SLO, sev: str, sel: str, budget: str, name: str) -> dict | None:
    a = slo.spec.alerting
    cfg = a[sev]
    tiers = [t for t in slo.alert_tiers if t.severity == sev]
    if cfg["disable"] or len(tiers) != 2:
        return None

    def cond(t) -> str:
        f = f"{t.factor:.12g}"
        return (f"(\n    (slo:sli_error:ratio_rate{format_duration(t.short_s)}{sel} > ({f} * {budget}))\n"
                f"    and ignoring (sloth_window)\n"
                f"    (slo:sli_error:ratio_rate{format_duration(t.long_s)}{sel} > ({f} * {budget}))\n)")

    expr = f"{cond(tiers[0])}\nor ignoring (sloth_window)\n{cond(tiers[1])}\n"
    annotations = {"summary": _SUMMARY, **a["alert_annotations"], **cfg["annotations"]}
    annotations.setdefault("title", _TITLE.format(sev=sev))
    rule = {"alert": name, "expr": expr, "labels": {**a["alert_labels"], **cfg["labels"], "sloth_severity": sev},
            "annotations": annotations}
    if cfg.get("for"):
        rule["for"] = cfg["for"]
    return rule


def sloth_groups(slo: SLO) -> list[dict]:
    """The three rule groups Sloth writes for one SLO of a Sloth spec."""
    a = slo.spec.alerting
    sid, service, name = slo.name, a["service"], a["slo"]
    base = {**a["labels"], "sloth_id": sid, "sloth_service": service, "sloth_slo": name}
    sel = f'{{sloth_id="{sid}", sloth_service="{service}", sloth_slo="{name}"}}'
    windows = sorted({w for t in slo.alert_tiers for w in (t.long_s, t.short_s)})
    period = format_duration(slo.window.seconds)
    sli = [{"record": f"slo:sli_error:ratio_rate{format_duration(w)}", "expr": sli_expr(slo, format_duration(w)),
            "labels": {**base, "sloth_window": format_duration(w)}} for w in windows]
    sli.append({"record": f"slo:sli_error:ratio_rate{period}",
                "expr": (f"sum_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n/ ignoring (sloth_window)\n"
                         f"count_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n"),
                "labels": {"sloth_window": period}})
    objective = _num(round(slo.target * 100, 10) / 100)
    budget = _num((100 - round(slo.target * 100, 10)) / 100)

    def burn(window: str) -> str:
        return (f"slo:sli_error:ratio_rate{window}{sel}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                f"slo:error_budget:ratio{sel}\n")

    meta = [{"record": "slo:objective:ratio", "expr": f"vector({objective})", "labels": dict(base)},
            {"record": "slo:error_budget:ratio", "expr": f"vector(1-{objective})", "labels": dict(base)},
            {"record": "slo:time_period:days", "expr": f"vector({_num(slo.window.seconds / 86400)})", "labels": dict(base)},
            {"record": "slo:current_burn_rate:ratio", "expr": burn("5m"), "labels": dict(base)},
            {"record": "slo:period_burn_rate:ratio", "expr": burn(period), "labels": dict(base)},
            {"record": "slo:period_error_budget_remaining:ratio", "expr": f"1 - slo:period_burn_rate:ratio{sel}",
             "labels": dict(base)},
            {"record": "sloth_slo_info", "expr": "vector(1)",
             "labels": {**base, "sloth_mode": "infra-mind-slo-rules", "sloth_objective": _num(slo.target_pct),
                        "sloth_spec": slo.spec.version}}]
    alerts = [r for sev in ("page", "ticket") if (r := _alert(slo, sev, sel, budget, a["alert_name"]))]
    return [{"name": f"sloth-slo-sli-recordings-{sid}", "rules": sli},
            {"name": f"sloth-slo-meta-recordings-{sid}", "rules": meta},
            *([{"name": f"sloth-slo-alerts-{sid}", "rules": alerts}] if alerts else [])]


def sloth_rule_set(slos: list[SLO]) -> RuleSet:
    """Sloth's rules for every SLO of Sloth specs; a plugin SLI is refused (one line)."""
    out = RuleSet()
    for slo in slos:
        w = slo.sli.written
        if w is None or w.form == "plugin" or not w.live:
            out.refused[slo.name] = w.refused if w is not None else "not read from a Sloth spec"
            continue
        if slo.spec.alerting.get("sli_kind") == "denominator_corrected":
            out.refused[slo.name] = ("sli.denominator_corrected: Sloth writes its own period rules for it, which the "
                                     "workbook does not reproduce; the SLI itself is evaluated")
            continue
        plan = sli_plan(slo)
        if not isinstance(plan, str):
            out.plans[slo.name] = plan
        out.tiers[slo.name] = slo.alert_tiers
        out.groups += sloth_groups(slo)
    return out
