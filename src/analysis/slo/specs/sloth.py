"""Sloth specs → :class:`~analysis.slo.objectives.SLO` objects: ``version: prometheus/v1`` files and the
Kubernetes CRD ``sloth.slok.dev/v1`` ``PrometheusServiceLevel`` (same fields in camelCase), plus
``kind: AlertWindows`` documents (a custom SLO period and its page/ticket windows).

``sli.events`` (``error_query``/``total_query`` with ``{{.window}}``) and ``sli.raw``
(``error_ratio_query``) are read by :mod:`.queries` as written; ``sli.plugin`` is Sloth Go code the
workbook cannot run: read, and refused in one line wherever it would be evaluated. The SLO period is
Sloth's default, 30 days rolling (noted), unless an ``AlertWindows`` document sets it. The
``alerting`` block (name, labels, annotations, page/ticket alerts) is kept for
:mod:`analysis.slo.rules_sloth`, which writes the rules Sloth would.
"""

from __future__ import annotations

import re

from ...errors import ConfigError
from ..objectives import SLI, SLO, SpecInfo, TierSpec, Window, Written, parse_duration
from .documents import Document, Node
from .queries import read_roles

SPEC_VERSION = "prometheus/v1"
CRD_VERSION = "sloth.slok.dev/v1"
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


def _alert(node: Node | None, crd: bool) -> dict:
    if node is None:
        return {"disable": False, "labels": {}, "annotations": {}, "for": ""}
    return {"disable": node.flag("disable"), "labels": node.labels("labels"), "annotations": node.labels("annotations"),
            "for": node.text("for")}


def alert_windows(doc: Node) -> tuple[float, tuple[TierSpec, ...]]:
    """An ``AlertWindows`` document: the SLO period and its four tiers."""
    spec = doc.node("spec", required=True)
    period = parse_duration(spec.text("sloPeriod", required=True), f"{doc.file}:{spec.line_of('sloPeriod')}: "
                                                                   f"AlertWindows: spec.sloPeriod")
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


def _sli(sli: Node, crd: bool) -> tuple[SLI, tuple[str, ...], bool, list[str]]:
    kinds = [k for k in ("events", "raw", "plugin") if sli.has(k)]
    if len(kinds) != 1:
        raise sli.error("", "needs exactly one of events, raw or plugin" + (f" (got {', '.join(kinds)})" if kinds else ""))
    body = sli.node(kinds[0])
    if kinds[0] == "plugin":
        pid = body.text("id", required=True)
        return SLI("ratio", written=Written(
            form="plugin", good=pid, live=False,
            refused=f"{sli.key_path('plugin')} {pid}: a Sloth SLI plugin is Go code the workbook cannot run; "
                    "write the SLI as sli.events or sli.raw")), (), False, []
    if kinds[0] == "events":
        keys = {"bad": _key(body, "error_query", crd), "total": _key(body, "total_query", crd)}
        texts = {role: body.text(k, required=True) for role, k in keys.items()}
    else:
        keys = {"ratio": _key(body, "error_ratio_query", crd)}
        texts = {"ratio": body.text(keys["ratio"], required=True)}
    for role, text in texts.items():
        if "{{" not in text or ".window" not in text:
            raise body.error(keys[role], "has no {{.window}} (Sloth substitutes every alert window there)")
    reading = read_roles(body, keys, texts, form="error_ratio")
    return reading.sli, reading.group_by, reading.without, reading.notes


def _one_slo(s: Node, service: str, labels: dict, crd: bool, period: tuple[float, tuple | None], version: str,
             notes: list[str]) -> SLO:
    name = s.text("name", required=True)
    if not _NAME.match(name):
        raise s.error("name", f"SLO name must be letters, digits, _ and - (got {name!r})")
    s.what = f"SLO {name}"
    objective = s.number("objective", required=True)
    if not 0 < objective < 100:
        raise s.error("objective", f"objective {objective:g} is outside 0 < objective < 100 (percent)")
    sli, by, without, q_notes = _sli(s.node("sli", required=True), crd)
    alerting = s.node("alerting")
    page = _alert(alerting.node(_key(alerting, "page_alert", crd)) if alerting else None, crd)
    ticket = _alert(alerting.node(_key(alerting, "ticket_alert", crd)) if alerting else None, crd)
    o_notes = list(notes) + q_notes
    alert_name = alerting.text("name") if alerting else ""
    if not alert_name and not (page["disable"] and ticket["disable"]):
        alert_name = f"{service}-{name}".replace("-", "_")
        o_notes.append(f"{s.key_path('alerting.name')} missing: alerts named {alert_name}")
    seconds, tiers = period
    if tiers is None:
        tiers = default_tiers(not page["disable"], not ticket["disable"])
    else:
        tiers = tuple(t for t in tiers if not (page if t.severity == "page" else ticket)["disable"])
    info = SpecInfo("sloth", version, s.file, s.line, tuple(dict.fromkeys(o_notes)), {
        "tool": "sloth", "service": service, "slo": name, "labels": {**labels, **s.labels("labels")},
        "alert_name": alert_name, "alert_labels": alerting.labels("labels") if alerting else {},
        "alert_annotations": alerting.labels("annotations") if alerting else {}, "page": page, "ticket": ticket,
        "period_s": seconds})
    return SLO(name=f"{service}-{name}", target=objective / 100, window=Window("rolling", seconds=seconds), sli=sli,
               description=s.text("description"), source=s.file, service=service, tiers=tiers, group_by=by,
               group_without=without, spec=info)


def sloth_slos(docs: list[Document]) -> list[SLO]:
    """The SLOs of Sloth documents (``prometheus/v1`` specs, ``PrometheusServiceLevel`` CRDs, ``AlertWindows``).

    Raises
    ------
    ConfigError
        ``file:line: SLO name: key: problem`` (an unsupported ``version`` names it).
    """
    nodes = [Node(d.data, d.file, "", "", d.line) for d in docs]
    windows = [alert_windows(n) for n in nodes if n.text("kind") == "AlertWindows"]
    if len(windows) > 1:
        raise nodes[0].error("kind", "several AlertWindows documents: give one (Sloth reads one per period)")
    period: tuple[float, tuple | None] = windows[0] if windows else (30 * 86400.0, None)
    notes = [] if windows else ["SLO period: 30 d rolling assumed (Sloth's default --default-slo-period)"]
    out: list[SLO] = []
    for n in nodes:
        if n.text("kind") == "AlertWindows":
            continue
        crd = "apiVersion" in n.data
        if crd:
            if n.text("apiVersion") != CRD_VERSION or n.text("kind") != "PrometheusServiceLevel":
                raise n.error("apiVersion", f"unsupported Sloth object {n.text('apiVersion')!r} kind "
                                            f"{n.text('kind')!r} ({CRD_VERSION} PrometheusServiceLevel or AlertWindows)")
            body = n.node("spec", required=True)
            version = CRD_VERSION
        else:
            version = n.text("version")
            if version != SPEC_VERSION:
                raise n.error("version", f"unsupported Sloth spec version {version!r} ({SPEC_VERSION})")
            body = n
        service = body.text("service", required=True)
        slos = body.items("slos", required=True)
        if not slos:
            raise body.error("slos", "needs at least one SLO")
        labels = body.labels("labels")
        extra = ["slo_plugins: not run (the workbook reads the SLIs as written)"] if body.has("slo_plugins") else []
        out += [_one_slo(s, service, labels, crd, period, version, notes + extra) for s in slos]
    names = [s.name for s in out]
    dup = next((x for x in names if names.count(x) > 1), None)
    if dup:
        raise ConfigError(f"{docs[0].file}:1: SLO {dup!r} is defined twice")
    return out
