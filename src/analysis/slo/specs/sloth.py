"""Sloth specs → :class:`~analysis.slo.objectives.SLO` objects: ``version: prometheus/v1`` files and the
Kubernetes CRDs ``sloth.slok.dev/v1`` ``PrometheusServiceLevel`` / ``ManagedPrometheusServiceLevel``
(same fields in camelCase), plus alert windows (``kind: AlertWindows`` or ``version: alertWindows/v1``:
a custom SLO period and its page/ticket windows).

``sli.events`` (``error_query``/``total_query`` with ``{{.window}}``), ``sli.raw``
(``error_ratio_query``) and ``sli.denominator_corrected`` (``errorQuery`` or ``successQuery`` over
``totalQuery``) are read by :mod:`.queries` as written; ``sli.plugin`` is Sloth Go code the
workbook cannot run: read, and refused in one line wherever it would be evaluated; so are the
MetricsQL queries of a spec whose plugin chain validates VictoriaMetrics. The SLO period is
Sloth's default, 30 days rolling (noted), unless an alert windows document sets it. The
``alerting`` block (name, labels, annotations, page/ticket alerts) is kept for
:mod:`analysis.slo.rules_sloth`, which writes the rules Sloth would: an alert's ``for:`` (a
Prometheus duration) is written only when the ``sloth.dev/contrib/alert_for/v1`` plugin is in a
``prometheus/v1`` spec's plugin chain — without it Sloth's core plugins ignore ``for``, and so does
the workbook (noted). Sloth refuses an empty ``service`` and a missing ``alerting.name`` unless both
alerts are disabled; so does the reader.
"""

from __future__ import annotations

import re

from ...errors import ConfigError
from ..objectives import SLI, SLO, SpecInfo, TierSpec, Window, Written, format_duration, parse_duration
from .documents import Document, Node
from .queries import foreign, read_roles

SPEC_VERSION = "prometheus/v1"
CRD_VERSION = "sloth.slok.dev/v1"
CRD_KINDS = ("PrometheusServiceLevel", "ManagedPrometheusServiceLevel")
ALERT_FOR = "sloth.dev/contrib/alert_for/v1"
METRICSQL = "sloth.dev/contrib/validate_victoria_metrics/v1"
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
#: Sloth's default alert windows (30 and 28 day periods): page quick/slow, ticket quick/slow, by budget share
DEFAULT_WINDOWS = (("page", "quick", 2, 3600, 300), ("page", "slow", 5, 21600, 1800),
                   ("ticket", "quick", 10, 86400, 7200), ("ticket", "slow", 10, 259200, 21600))


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.title() for w in rest)


def _key(node: Node, snake: str, crd: bool) -> str:
    """The spelling in use: snake_case in prometheus/v1, camelCase in the CRD (either accepted)."""
    first, second = (_camel(snake), snake) if crd else (snake, _camel(snake))
    return node.first(first, second) or first


def _alert(node: Node | None, alert_for: bool, notes: list[str]) -> dict:
    if node is None:
        return {"disable": False, "labels": {}, "annotations": {}, "for": ""}
    written = ""
    if node.has("for"):
        seconds = parse_duration(node.text("for"), f"{node.file}:{node.line_of('for')}: {node.what}: "
                                                   f"{node.key_path('for')}")
        written = format_duration(seconds) if seconds else ""
        if not alert_for:
            notes.append(f"{node.key_path('for')} {node.text('for')}: ignored, as Sloth ignores it without the "
                         f"{ALERT_FOR} plugin in a {SPEC_VERSION} spec's chain")
            written = ""
    return {"disable": node.flag("disable"), "labels": node.labels("labels"), "annotations": node.labels("annotations"),
            "for": written}


def alert_windows(doc: Node) -> tuple[float, tuple[TierSpec, ...]]:
    """An alert windows document (``AlertWindows`` CRD or ``alertWindows/v1``): the SLO period and its tiers."""
    spec = doc.node("spec", required=True) if doc.has("apiVersion") else doc
    period = parse_duration(spec.text("sloPeriod", required=True), f"{doc.file}:{spec.line_of('sloPeriod')}: "
                                                                   f"AlertWindows: {spec.key_path('sloPeriod')}")
    tiers = []
    for sev in ("page", "ticket"):
        s = spec.node(sev, required=True)
        for speed in ("quick", "slow"):
            w = s.node(speed, required=True)
            pct = w.number("errorBudgetPercent", required=True)
            long_s = parse_duration(w.text("longWindow", required=True), f"{w.file}:{w.line}: {w.key_path('longWindow')}")
            short_s = parse_duration(w.text("shortWindow", required=True), f"{w.file}:{w.line}: "
                                                                           f"{w.key_path('shortWindow')}")
            tiers.append(TierSpec(f"{sev}_{speed}", sev, long_s, short_s, budget_pct=pct, source="Sloth AlertWindows"))
    return period, tuple(tiers)


def default_tiers(page: bool = True, ticket: bool = True) -> tuple[TierSpec, ...]:
    """Sloth's default windows (the same budget shares for its 30 d and 28 d periods)."""
    return tuple(TierSpec(f"{sev}_{speed}", sev, long_s, short_s, budget_pct=pct, source="Sloth")
                 for sev, speed, pct, long_s, short_s in DEFAULT_WINDOWS
                 if (page if sev == "page" else ticket))


def _plugin(sli: Node, body: Node) -> tuple[SLI, tuple[str, ...], bool, list[str]]:
    pid = body.text("id", required=True)
    return SLI("ratio", written=Written(
        form="plugin", good=pid, live=False,
        refused=f"{sli.key_path('plugin')} {pid}: a Sloth SLI plugin is Go code the workbook cannot run; "
                "write the SLI as sli.events or sli.raw")), (), False, []


def _sli(sli: Node, crd: bool, metricsql: bool) -> tuple[SLI, tuple[str, ...], bool, list[str]]:
    kinds = [k for k in ("events", "raw", "denominator_corrected", "plugin") if sli.has(k)]
    if len(kinds) != 1:
        raise sli.error("", "needs exactly one of events, raw, denominator_corrected or plugin"
                        + (f" (got {', '.join(kinds)})" if kinds else ""))
    body = sli.node(kinds[0])
    if kinds[0] == "plugin":
        return _plugin(sli, body)
    if kinds[0] == "raw":
        keys = {"ratio": _key(body, "error_ratio_query", crd)}
    elif kinds[0] == "events" or not body.first("successQuery", "success_query"):
        keys = {"bad": _key(body, "error_query", crd), "total": _key(body, "total_query", crd)}
    else:
        keys = {"good": _key(body, "success_query", crd), "total": _key(body, "total_query", crd)}
    texts = {role: body.text(k, required=True) for role, k in keys.items()}
    for role, text in texts.items():
        if "{{" not in text or ".window" not in text:
            raise body.error(keys[role], "has no {{.window}} (Sloth substitutes every alert window there)")
    if metricsql:
        return foreign("VictoriaMetrics (MetricsQL, validated by " + METRICSQL + ")", " / ".join(texts.values())), \
            (), False, []
    reading = read_roles(body, keys, texts, form="error_ratio")
    notes = reading.notes + ([f"{sli.key_path('denominator_corrected')}: read as the events ratio over the window "
                              "(Sloth's denominator-corrected recording rules are not written)"]
                             if kinds[0] == "denominator_corrected" else [])
    return reading.sli, reading.group_by, reading.without, notes


def _chain(node: Node | None, key: str) -> list[str]:
    """The plugin ids of ``<key>.chain`` (``slo_plugins`` / ``sloPlugins`` / ``plugins``)."""
    chain = node.node(key).items("chain") if node is not None and node.has(key) else []
    return [c.text("id") for c in chain]


def _one_slo(s: Node, service: str, labels: dict, ctx: dict, notes: list[str]) -> SLO:
    crd = ctx["crd"]
    name = s.text("name", required=True)
    if not _NAME.match(name):
        raise s.error("name", f"SLO name must be letters, digits, _ and - (got {name!r})")
    s.what = f"SLO {name}"
    objective = s.number("objective", required=True)
    if not 0 < objective < 100:
        raise s.error("objective", f"objective {objective:g} is outside 0 < objective < 100 (percent)")
    plugins = ctx["plugins"] + _chain(s, "plugins")
    sli, by, without, q_notes = _sli(s.node("sli", required=True), crd, METRICSQL in plugins)
    o_notes = list(notes) + q_notes
    alerting = s.node("alerting")
    alert_for = ALERT_FOR in plugins and not crd
    page = _alert(alerting.node(_key(alerting, "page_alert", crd)) if alerting else None, alert_for, o_notes)
    ticket = _alert(alerting.node(_key(alerting, "ticket_alert", crd)) if alerting else None, alert_for, o_notes)
    alert_name = alerting.text("name") if alerting else ""
    if not alert_name.strip() and not (page["disable"] and ticket["disable"]):
        where = alerting if alerting is not None else s
        raise where.error("name" if alerting is not None else "alerting",
                          "alerting.name is required (Sloth needs it unless both page and ticket alerts are disabled)")
    seconds, tiers = ctx["period"]
    if tiers is None:
        tiers = default_tiers(not page["disable"], not ticket["disable"])
    else:
        tiers = tuple(t for t in tiers if not (page if t.severity == "page" else ticket)["disable"])
    info = SpecInfo("sloth", ctx["version"], s.file, s.line, tuple(dict.fromkeys(o_notes)), {
        "tool": "sloth", "service": service, "slo": name, "labels": {**labels, **s.labels("labels")},
        "alert_name": alert_name, "alert_labels": alerting.labels("labels") if alerting else {},
        "alert_annotations": alerting.labels("annotations") if alerting else {}, "page": page, "ticket": ticket,
        "period_s": seconds, "sli_kind": next(k for k in ("events", "raw", "denominator_corrected", "plugin")
                                               if s.node("sli").has(k))})
    return SLO(name=f"{service}-{name}", target=objective / 100, window=Window("rolling", seconds=seconds), sli=sli,
               description=s.text("description"), source=s.file, service=service, tiers=tiers, group_by=by,
               group_without=without, spec=info)


def _body(n: Node) -> tuple[Node, str, bool]:
    """``(node holding service and slos, version, crd)`` of one spec document; an unknown version named."""
    if "apiVersion" in n.data:
        if n.text("apiVersion") != CRD_VERSION or n.text("kind") not in CRD_KINDS:
            raise n.error("apiVersion", f"unsupported Sloth object {n.text('apiVersion')!r} kind {n.text('kind')!r} "
                                        f"({CRD_VERSION} {', '.join(CRD_KINDS)} or AlertWindows)")
        return n.node("spec", required=True), CRD_VERSION, True
    version = n.text("version")
    if version != SPEC_VERSION:
        raise n.error("version", f"unsupported Sloth spec version {version!r} ({SPEC_VERSION})")
    return n, version, False


def _is_windows(n: Node) -> bool:
    return n.text("kind") == "AlertWindows" or str(n.raw("version", "")).startswith("alertWindows/")


def sloth_read(docs: list[Document]) -> tuple[list[SLO], list[str]]:
    """The SLOs of Sloth documents (specs, CRDs, alert windows) and the alert windows read.

    Raises
    ------
    ConfigError
        ``file:line: SLO name: key: problem`` (an unsupported ``version`` names it).
    """
    nodes = [Node(d.data, d.file, "", "", d.line) for d in docs]
    windows = [alert_windows(n) for n in nodes if _is_windows(n)]
    if len(windows) > 1:
        raise nodes[0].error("kind", "several AlertWindows documents: give one (Sloth reads one per period)")
    period: tuple[float, tuple | None] = windows[0] if windows else (30 * 86400.0, None)
    notes = [] if windows else ["SLO period: 30 d rolling assumed (Sloth's default --default-slo-period)"]
    out: list[SLO] = []
    for n in nodes:
        if _is_windows(n):
            continue
        body, version, crd = _body(n)
        service = body.text("service", required=True)
        slos = body.items("slos", required=True)
        if not slos:
            raise body.error("slos", "needs at least one SLO")
        labels = body.labels("labels")
        plugins = _chain(body, _key(body, "slo_plugins", crd))
        others = [x for x in plugins if x != ALERT_FOR]
        extra = [f"{_key(body, 'slo_plugins', crd)}: {', '.join(others)} not run (the workbook reads the SLIs as "
                 "written)"] if others else []
        ctx = {"crd": crd, "version": version, "period": period, "plugins": plugins}
        out += [_one_slo(s, service, labels, ctx, notes + extra) for s in slos]
    names = [s.name for s in out]
    dup = next((x for x in names if names.count(x) > 1), None)
    if dup:
        raise ConfigError(f"{docs[0].file}:1: SLO {dup!r} is defined twice")
    return out, [f"AlertWindows {format_duration(p)}" for p, _ in windows]
