"""The workbook's catalog written as OpenSLO v1 or as a Sloth ``prometheus/v1`` spec (``slo-rules --format
openslo|sloth``). Reading what was written gives the same SLOs back (the round-trip tests); what a
format cannot say is refused per SLO with the reason (Sloth has no calendar windows, no timeslices,
no gauge ratios) — never written approximately.
"""

from __future__ import annotations

import json

from ...promql import Selector, make_matcher
from ..objectives import SLO, format_duration
from . import extras

_LETTER = {"day": "d", "week": "w", "month": "M", "quarter": "Q", "year": "Y"}
_METHOD = {"occurrences": "Occurrences", "timeslices": "Timeslices", "ratio_timeslices": "RatioTimeslices"}


def _agg(slo: SLO, inner: str) -> str:
    if slo.group_by or slo.group_without:
        return f"sum {'without' if slo.group_without else 'by'} ({', '.join(slo.group_by)}) ({inner})"
    return f"sum({inner})"


def _bucket(slo: SLO, le: str) -> Selector:
    base = slo.sli.selector.matchers if slo.sli.selector else ()
    return Selector(slo.sli.metric + "_bucket", base).with_metric(slo.sli.metric + "_bucket",
                                                                  (make_matcher("le", "=", le),))


def role_queries(slo: SLO, window: str) -> dict[str, str]:
    """Role → PromQL (``sum(rate(sel[window]))`` per selector, summed) of a computable SLI."""
    sli = slo.sli
    if sli.kind == "latency":
        le = f"{sli.threshold_s:g}"
        return {"good": _agg(slo, f"rate({_bucket(slo, le)}[{window}])"),
                "total": _agg(slo, f"rate({_bucket(slo, '+Inf')}[{window}])")}
    if sli.kind == "gauge_ratio":
        return {r: " + ".join(_agg(slo, str(s)) for s in getattr(sli, r)) for r in ("good", "bad", "total")
                if getattr(sli, r)}
    return {r: " + ".join(_agg(slo, f"rate({s}[{window}])") for s in getattr(sli, r))
            for r in ("good", "bad", "total") if getattr(sli, r)}


def _window(slo: SLO) -> dict:
    w = slo.window
    if w.kind == "rolling":
        return {"duration": format_duration(w.seconds), "isRolling": True}
    cal = {"timeZone": w.timezone, **({"startTime": w.start.replace("T", " ")} if w.start else {})}
    return {"duration": f"{w.count}{_LETTER[w.unit]}", "isRolling": False, "calendar": cal}


def _metric(query: str) -> dict:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def openslo_document(slo: SLO) -> dict:
    """One ``kind: SLO`` document (openslo/v1) with its indicator inline."""
    sli = slo.sli
    if sli.written is not None and sli.written.refused:
        w = sli.written
        ratio = {"counter": w.counter, **{r: _metric(getattr(w, r)) for r in ("good", "bad", "total") if getattr(w, r)}}
        if w.ratio:
            ratio = {"counter": w.counter, "rawType": "failure" if w.form == "error_ratio" else "success",
                     "raw": _metric(w.ratio)}
    elif sli.kind == "bool_gauge":
        m = sli.good[0]
        ratio = {"counter": False, "rawType": "success",
                 "raw": _metric(f"{_agg(slo, f'sum_over_time({m}[{{{{.window}}}}])')} / "
                                f"{_agg(slo, f'count_over_time({m}[{{{{.window}}}}])')}")}
    else:
        ratio = {"counter": sli.kind != "gauge_ratio", **{r: _metric(q) for r, q in role_queries(slo, "5m").items()}}
    objective = {"displayName": slo.name, "target": round(slo.target, 12)}
    if slo.method != "occurrences":
        objective["timeSliceWindow"] = format_duration(slo.slice_s)
        if slo.slice_target == slo.slice_target:
            objective["timeSliceTarget"] = round(slo.slice_target, 12)
    meta: dict = {"name": slo.name}
    extra = extras.dump(slo)
    if extra:
        meta["annotations"] = {extras.ANNOTATION: json.dumps(extra, sort_keys=True)}
    spec = {"description": slo.description, "service": slo.service,
            "indicator": {"metadata": {"name": f"{slo.name}-sli"}, "spec": {"ratioMetric": ratio}},
            "timeWindow": [_window(slo)], "budgetingMethod": _METHOD[slo.method], "objectives": [objective]}
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": meta, "spec": spec}


def to_openslo(slos: list[SLO]) -> tuple[list[dict], dict[str, str]]:
    """OpenSLO v1 documents for the catalog (every SLO can be written), and the refused (none)."""
    return [openslo_document(s) for s in slos], {}


def _sloth_sli(slo: SLO) -> dict | str:
    sli = slo.sli
    win = "{{.window}}"
    if sli.written is not None and sli.written.refused:
        w = sli.written
        if w.form == "error_ratio" and w.ratio:
            return {"raw": {"error_ratio_query": w.ratio}}
        if w.form == "bad/total" and "{{" in w.bad + w.total:
            return {"events": {"error_query": w.bad, "total_query": w.total}}
        return f"its SLI ({w.refused.split(': ', 1)[-1]}) has no Sloth form"
    if sli.kind == "gauge_ratio":
        return "a gauge ratio is no Sloth events SLI (Sloth divides rates of counters)"
    if sli.kind == "bool_gauge":
        m = sli.good[0]
        return {"raw": {"error_ratio_query": f"1 - ({_agg(slo, f'sum_over_time({m}[{win}])')} / "
                                             f"{_agg(slo, f'count_over_time({m}[{win}])')})"}}
    q = role_queries(slo, win)
    error = q["bad"] if "bad" in q and "total" in q else (
        f"{q['total']} - ({q['good']})" if "total" in q else q["bad"])
    total = q["total"] if "total" in q else f"{q['good']} + {q['bad']}"
    return {"events": {"error_query": error, "total_query": total}}


def to_sloth(slos: list[SLO]) -> tuple[list[dict], dict[str, str]]:
    """Sloth ``prometheus/v1`` specs (one per service) and the SLOs Sloth cannot express, with why."""
    refused: dict[str, str] = {}
    by_service: dict[str, list[dict]] = {}
    for slo in slos:
        if slo.window.kind != "rolling" or slo.window.seconds not in (28 * 86400, 30 * 86400):
            refused[slo.name] = (f"Sloth periods are 30 d or 28 d rolling (--default-slo-period), not "
                                 f"{slo.window.describe()}")
            continue
        if slo.method != "occurrences":
            refused[slo.name] = f"Sloth budgets occurrences, not {slo.method}"
            continue
        sli = _sloth_sli(slo)
        if isinstance(sli, str):
            refused[slo.name] = sli
            continue
        entry = {"name": slo.name, "objective": slo.target_pct, "description": slo.description, "sli": sli,
                 "alerting": {"name": "".join(p.title() for p in slo.name.replace("-", "_").split("_")) + "SLO",
                              "page_alert": {"labels": {"severity": "page"}},
                              "ticket_alert": {"labels": {"severity": "ticket"}}}}
        by_service.setdefault(slo.service or "default", []).append(entry)
    docs = [{"version": "prometheus/v1", "service": svc, "slos": entries} for svc, entries in by_service.items()]
    return docs, refused
