"""Pyrra ``pyrra.dev/v1alpha1`` ``ServiceLevelObjective`` objects → :class:`~analysis.slo.objectives.SLO`.

``spec.target`` is a string percent (``"99.5"``), ``spec.window`` a Prometheus duration (``4w``);
``spec.indicator`` is one of ``ratio`` (``errors``/``total`` metrics), ``latency`` (``success``: the
``_bucket{le=...}`` selector, ``total``: ``_count``), ``latencyNative`` (a native histogram and a
``latency`` threshold: evaluated as written on a live Prometheus, refused on exports) or
``bool_gauge`` (a 0/1 gauge: its mean), each with optional ``grouping`` (one SLO per label value).
``spec.alerting`` and the ``pyrra.dev/``-prefixed labels are kept for :mod:`analysis.slo.rules_pyrra`.
Unknown keys are noted and ignored, as Kubernetes prunes them.
"""

from __future__ import annotations

from ...promql import Selector, make_matcher
from ..objectives import SLI, SLO, SpecInfo, TierSpec, Window, Written, format_duration, parse_duration
from .documents import Document, Node
from .queries import EXPORT, selector_sli

API_VERSION = "pyrra.dev/v1alpha1"
_SPEC_KEYS = {"latency", "target", "window", "description", "indicator", "alerting", "serviceLevelObjectiveLabels",
              "performanceOverAccuracy"}
_INDICATORS = ("ratio", "latency", "latencyNative", "bool_gauge")


def windows(window_s: float) -> tuple[TierSpec, ...]:
    """Pyrra's four burn-rate windows for an SLO window (``slo/rules.go`` ``Windows``: scaled from 28 days)."""
    def rnd(x: float) -> float:
        return round(x / 60) * 60

    w = window_s
    spec = (("critical", w / (28 * 24), w / (28 * 24 * 12), 14, w / (28 * 24 * 30)),
            ("critical", w / (28 * 4), w / (28 * 24 * 2), 7, w / (28 * 24 * 4)),
            ("warning", w / 28, w / (28 * 12), 2, w / (28 * 24)),
            ("warning", w / 7, w / (28 * 4), 1, w / (28 * 8)))
    return tuple(TierSpec(f"{sev}_{format_duration(rnd(long_s))}_{format_duration(rnd(short_s))}", sev, rnd(long_s),
                          rnd(short_s), factor=float(f), source="Pyrra") for sev, long_s, short_s, f, _ in spec)


def for_durations(window_s: float) -> list[float]:
    """The ``for:`` of Pyrra's four alerts (2m, 15m, 1h, 3h for 28 days)."""
    w = window_s
    return [round(x / 60) * 60 for x in (w / (28 * 24 * 30), w / (28 * 24 * 4), w / (28 * 24), w / (28 * 8))]


def _selector(node: Node, key: str, offset_ok: bool = False) -> tuple[Selector, str, float]:
    """``(selector, text as written, offset in seconds)`` of a ``metric:`` entry."""
    sub = node.node(key, required=True)
    text = sub.text("metric", required=True)
    sel, offset = selector_sli(sub, "metric", text)
    if offset and not offset_ok:
        raise sub.error("metric", f"offset {format_duration(offset)}: read for ratio indicators only")
    return sel, " ".join(text.split()), offset


def _ratio(body: Node, meta: dict) -> SLI:
    (err, err_t, e_off), (tot, tot_t, t_off) = _selector(body, "errors", True), _selector(body, "total", True)
    meta.update(errors=err_t, total=tot_t)
    if not (e_off or t_off):
        return SLI("ratio", bad=(err,), total=(tot,), written=Written("bad/total", bad=err_t, total=tot_t))
    by = ", ".join(meta["grouping"])  # offset (Pyrra accepts it): evaluated as written on a live Prometheus
    agg = f"sum by ({by}) " if by else "sum"

    def q(sel: Selector, off: float) -> str:
        return f"{agg}(increase({sel}[{{{{.window}}}}]{f' offset {format_duration(off)}' if off else ''}))"

    shown = " and ".join(sorted({f"offset {format_duration(o)}" for o in (e_off, t_off) if o}))
    return SLI("ratio", bad=(err,), total=(tot,), written=Written(
        "bad/total", bad=q(err, e_off), total=q(tot, t_off),
        refused=f"{body.key_path('errors.metric')}: a metric read with {shown} {EXPORT}"))


def _indicator(ind: Node, kind: str, notes: list[str], spec_latency: str = "") -> tuple[SLI, dict]:
    body = ind.node(kind)
    meta: dict = {"kind": kind, "grouping": list(body.strings("grouping"))}
    if kind == "ratio":
        return _ratio(body, meta), meta
    if kind == "bool_gauge":
        sel = _selector(ind, kind)[0]
        meta["metric"] = str(sel)
        return SLI("bool_gauge", good=(sel,), total=(sel,), written=Written("good_ratio", ratio=str(sel),
                                                                            counter=False)), meta
    if kind == "latency":
        (ok, ok_t, _), (tot, tot_t, _) = _selector(body, "success"), _selector(body, "total")
        meta.update(success=ok_t, total=tot_t)
        le = [m for m in ok.matchers if m.label == "le"]
        if not le and spec_latency:  # an older Pyrra field: the threshold beside the indicator
            le = [make_matcher("le", "=", spec_latency)]
            ok = Selector(ok.metric, ok.matchers + tuple(le))
            notes.append(f"spec.latency {spec_latency!r}: read as the le of the success bucket (an older Pyrra field)")
        if not ok.metric.endswith("_bucket") or len(le) != 1 or le[0].op != "=":
            raise body.node("success").error("metric", f"expected a <histogram>_bucket{{le=\"...\"}} selector, got {ok_t!r}")
        try:
            thr = float(le[0].value)
        except ValueError:
            raise body.node("success").error("metric", f"le={le[0].value!r} is not a number") from None
        base = ok.metric[: -len("_bucket")]
        if tot.metric not in (base + "_count", base + "_bucket"):
            notes.append(f"{body.key_path('total.metric')}: {tot.metric} is not {base}_count: read as it")
        others = tuple(m for m in ok.matchers if m.label != "le")
        if {(m.label, m.op, m.value) for m in others} != {(m.label, m.op, m.value) for m in tot.matchers}:
            notes.append(f"{body.key_path('success.metric')}: its matchers differ from total's; the success "
                         "selector's are used for both")
        notes.append(f"latency: {tot.metric} read as the le=\"+Inf\" bucket (the same count)")
        return SLI("latency", metric=base, threshold_s=thr, selector=Selector(base, others) if others else None,
                   buckets=(thr,), written=Written("1-good/total", good=ok_t, total=tot_t)), meta
    tot, tot_t, _ = _selector(body, "total")
    lat = parse_duration(body.text("latency", required=True), f"{body.file}:{body.line_of('latency')}: "
                                                              f"{body.key_path('latency')}")
    meta.update(total=tot_t, latency_s=lat)
    by = ", ".join(meta["grouping"])
    agg = f"sum by ({by}) " if by else "sum"
    inc = f"{agg}(increase({tot_t}[{{{{.window}}}}]))"
    return SLI("gauge_ratio", written=Written(
        "1-good/total", good=f"histogram_count({inc}) * histogram_fraction(0, {lat:g}, {inc})",
        total=f"histogram_count({inc})",
        refused=f"{body.key_path('total.metric')}: a native histogram (latencyNative) {EXPORT}")), meta


def pyrra_slo(doc: Document) -> SLO:
    """One ``ServiceLevelObjective`` object → an SLO (see the module docstring)."""
    root = Node(doc.data, doc.file, "", "", doc.line)
    if root.text("apiVersion") != API_VERSION or root.text("kind") != "ServiceLevelObjective":
        raise root.error("apiVersion", f"unsupported Pyrra object {root.text('apiVersion')!r} kind "
                                       f"{root.text('kind')!r} ({API_VERSION} ServiceLevelObjective)")
    meta = root.node("metadata", required=True)
    name = meta.text("name", required=True)
    root.what = f"SLO {name}"
    spec = root.node("spec", required=True, what=root.what)
    notes = spec.unknown(_SPEC_KEYS)
    if spec.has("target") and not isinstance(spec.raw("target"), str):
        raise spec.error("target", f"Pyrra takes the target as a string ('99.5'), got the number {spec.raw('target')!r}"
                                   " (Pyrra itself refuses it: it cannot unmarshal a number into its string field)")
    target = spec.number("target", required=True, text_ok=True)
    if not 0 < target < 100:
        raise spec.error("target", f"target {target:g} % is outside 0 < target < 100")
    window_s = parse_duration(spec.text("window", required=True), f"{spec.file}:{spec.line_of('window')}: "
                                                                   f"{root.what}: {spec.key_path('window')}")
    ind = spec.node("indicator", required=True)
    kinds = [k for k in _INDICATORS if ind.has(k)]
    if len(kinds) != 1:
        raise ind.error("", f"needs exactly one of {', '.join(_INDICATORS)}" + (f" (got {', '.join(kinds)})" if kinds else ""))
    sli, ind_meta = _indicator(ind, kinds[0], notes, spec.text("latency"))
    alerting = spec.node("alerting")
    alert = {"name": "ErrorBudgetBurn", "disabled": False, "burnrates": True, "absent": True, "burnRateType": "static"}
    if alerting is not None:
        alert.update(name=alerting.text("name", default="ErrorBudgetBurn"), disabled=alerting.flag("disabled"),
                     burnrates=alerting.flag("burnrates", True), absent=alerting.flag("absent", True),
                     burnRateType=alerting.text("burnRateType", default="static"))
    if alert["burnRateType"] != "static":
        notes.append(f"{spec.key_path('alerting.burnRateType')} {alert['burnRateType']}: the backtest uses Pyrra's "
                     "static windows; rules are not written for dynamic burn rates")
    labels = meta.labels("labels")
    info = SpecInfo("pyrra", API_VERSION, doc.file, doc.line, tuple(dict.fromkeys(notes)), {
        "tool": "pyrra", "name": name, "namespace": meta.text("namespace"), "labels": labels,
        "indicator": ind_meta, "alerting": alert, "target": target / 100, "window_s": window_s,
        "window_text": spec.text("window")})
    return SLO(name=name, target=target / 100, window=Window("rolling", seconds=window_s), sli=sli,
               description=spec.text("description"), source=doc.file, service=meta.text("namespace"),
               tiers=windows(window_s), group_by=tuple(ind_meta["grouping"]), spec=info)


def pyrra_read(docs: list[Document]) -> tuple[list[SLO], list[str]]:
    """The SLOs of Pyrra objects (one per object; Pyrra has no other kind)."""
    return [pyrra_slo(d) for d in docs], []
