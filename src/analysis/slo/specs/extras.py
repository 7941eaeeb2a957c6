"""What the workbook's own catalog says that OpenSLO has no field for (histogram buckets, ``not_exported``,
alert tiers, maintenance exclusions, the budget policy), carried in one OpenSLO annotation
``infra-mind.workbook/extra`` (a JSON object in the own format's keys) so that a catalog written as
OpenSLO reads back as the same catalog.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ...errors import ConfigError
from ...timeparse import iso
from ..alerting import parse_exclusions, parse_policy, parse_tiers
from ..objectives import SLI, SLO, format_duration
from .documents import Node

ANNOTATION = "infra-mind.workbook/extra"


def dump(slo: SLO) -> dict:
    """The own-format fields of ``slo`` OpenSLO cannot say (empty when there are none)."""
    out: dict = {}
    if slo.sli.kind == "latency":  # always: without it the reader declares the threshold as the one bucket
        out["buckets"], out["interpolate"] = list(slo.sli.buckets), slo.sli.interpolate
    if slo.not_exported:
        out["not_exported"] = slo.not_exported
    if slo.custom_tiers:
        out["alerting"] = {"tiers": [
            {"name": t.name, "severity": t.severity, "long": format_duration(t.long_s),
             "short": format_duration(t.short_s),
             **({"factor": t.factor} if t.factor == t.factor else {"budget_consumed": t.budget_pct})}
            for t in slo.tiers]}
    if slo.exclusions:
        out["exclude"] = [{"start": iso(x.start), "end": iso(x.end), "reason": x.reason} for x in slo.exclusions]
    if slo.policy:
        out["policy"] = [{"below": p.below, "action": p.action} for p in slo.policy]
    return out


def apply(slo: SLO, meta: Node, version: str) -> SLO:
    """``slo`` with the fields of its ``infra-mind.workbook/extra`` annotation (none: unchanged)."""
    text = meta.labels("annotations").get(ANNOTATION) if meta.has("annotations") else None
    if not text:
        return slo
    try:
        extra = json.loads(text)
    except json.JSONDecodeError as exc:
        raise meta.error("annotations", f"{ANNOTATION} is not JSON ({exc.msg})") from None
    where = f"{meta.file}:{meta.line}: SLO {slo.name}: {ANNOTATION}"
    if not isinstance(extra, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    sli: SLI = slo.sli
    if "buckets" in extra:
        sli = replace(sli, buckets=tuple(float(b) for b in extra["buckets"]),
                      interpolate=bool(extra.get("interpolate", False)))
    tiers, custom = parse_tiers(extra.get("alerting"), where)
    return replace(slo, sli=sli, not_exported=str(extra.get("not_exported") or ""), tiers=tiers, custom_tiers=custom,
                   exclusions=parse_exclusions(extra.get("exclude"), where), policy=parse_policy(extra.get("policy"), where))
