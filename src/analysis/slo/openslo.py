"""OpenSLO v1 documents (``kind: SLO`` with an inline ``indicator`` or an ``indicatorRef`` to a
``kind: SLI``) → :class:`~analysis.slo.objectives.SLO` objects.

Only ``ratioMetric`` indicators with Prometheus ``metricSource`` queries are supported; a
query must name exactly one selector (see :func:`analysis.promql.parse_selector`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import ConfigError
from ..promql import Selector, parse_selector
from .alerting import parse_group_by
from .objectives import SLI, SLO, Window, check_timezone, parse_duration, parse_target

_OPENSLO_CAL = {"w": "week", "M": "month", "Q": "quarter", "Y": "year", "y": "year"}
_METHODS = {"Occurrences": "occurrences", "Timeslices": "timeslices", "RatioTimeslices": "ratio_timeslices"}


def _window(spec: dict, where: str) -> Window:
    tws = spec.get("timeWindow") or [{"duration": "30d", "isRolling": True}]
    tw = tws[0] if isinstance(tws, list) else tws
    dur = str(tw.get("duration", "30d"))
    rolling = tw.get("isRolling", True)
    if not rolling:
        m = re.fullmatch(r"1([wMQYy])", dur)
        if not m:
            raise ConfigError(f"{where}: calendar timeWindow duration must be 1w, 1M, 1Q or 1Y, got {dur!r}")
        tz = str((tw.get("calendar") or {}).get("timeZone", "UTC"))
        check_timezone(tz, where)
        return Window("calendar", unit=_OPENSLO_CAL[m.group(1)], timezone=tz)
    return Window("rolling", seconds=parse_duration(dur, f"{where}: timeWindow"))


def _query(node: Any, where: str) -> tuple[Selector, ...]:
    if node is None:
        return ()
    ms = (node or {}).get("metricSource") or {}
    mtype = str(ms.get("type", "Prometheus"))
    if mtype.lower() != "prometheus":
        raise ConfigError(f"{where}: metricSource type {mtype!r} is not supported (Prometheus only)")
    query = (ms.get("spec") or {}).get("query") or (ms.get("spec") or {}).get("promql")
    return (parse_selector(query, where),)


def _indicator(spec: dict, slis: dict[str, dict], w: str) -> tuple[SLI, tuple[str, ...]]:
    """The SLO's ratioMetric indicator (inline or referenced) as an :class:`SLI`, and its grouping labels.

    OpenSLO v1 has no grouping field; like Pyrra, the indicator's ``spec.grouping: [label, ...]``
    asks for one SLO per label value.
    """
    if "indicator" in spec:
        ind = spec["indicator"]
    elif "indicatorRef" in spec:
        ref = spec["indicatorRef"]
        if ref not in slis:
            raise ConfigError(f"{w}: indicatorRef {ref!r} names no kind: SLI document")
        ind = slis[ref]
    else:
        raise ConfigError(f"{w}: needs indicator or indicatorRef")
    ispec = ind.get("spec") or {}
    rm = ispec.get("ratioMetric")
    if not rm:
        raise ConfigError(f"{w}: only ratioMetric indicators are supported (thresholdMetric is not event-based)")
    good = _query(rm.get("good"), f"{w}: good")
    bad = _query(rm.get("bad"), f"{w}: bad")
    total = _query(rm.get("total"), f"{w}: total")
    if sum(bool(x) for x in (good, bad, total)) != 2:
        raise ConfigError(f"{w}: ratioMetric needs total and one of good/bad")
    grouping = parse_group_by(ispec.get("grouping"), f"{w}: indicator")
    return SLI("ratio" if rm.get("counter", True) else "gauge_ratio", good, bad, total), grouping


def _objectives(name: str, meta: dict, spec: dict, indicator: tuple[SLI, tuple[str, ...]], w: str,
                where: str) -> list[SLO]:
    """One :class:`SLO` per objective of an OpenSLO ``kind: SLO`` document."""
    method = str(spec.get("budgetingMethod", "Occurrences"))
    if method not in _METHODS:
        raise ConfigError(f"{w}: budgetingMethod {method!r} is not Occurrences, Timeslices or RatioTimeslices")
    sli, grouping = indicator
    objectives = spec.get("objectives") or []
    if not objectives:
        raise ConfigError(f"{w}: no objectives")
    out = []
    for i, obj in enumerate(objectives):
        if "targetPercent" in obj:
            target = parse_target(obj["targetPercent"], w, percent=True)
        elif "target" in obj:
            target = parse_target(obj["target"], w, percent=False)
        else:
            raise ConfigError(f"{w}: objectives[{i}] has no target or targetPercent")
        st = obj.get("timeSliceTarget")
        oname = name if len(objectives) == 1 else f"{name}:{obj.get('displayName') or obj.get('name') or i}"
        out.append(SLO(
            name=oname, target=target, window=_window(spec, w), sli=sli,
            description=str(spec.get("description", meta.get("displayName", ""))),
            method=_METHODS[method],
            slice_s=parse_duration(obj.get("timeSliceWindow", "5m"), f"{w}: timeSliceWindow"),
            slice_target=parse_target(st, w, percent=False) if st is not None else math.nan,
            source=where, service=str(spec.get("service") or ""), group_by=grouping,
        ))
    return out


def openslo_slos(docs: list[dict], where: str) -> list[SLO]:
    """The SLOs of a set of OpenSLO v1 documents (``kind: SLO`` and the ``kind: SLI`` they reference).

    Parameters
    ----------
    docs : list of dict
        Every document of the catalog file(s).
    where : str
        The file, for error messages.

    Returns
    -------
    list of SLO
        One per objective.

    Raises
    ------
    ConfigError
        ``file: SLO name: problem``.
    """
    slis = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "SLI" and "metadata" in d}
    out: list[SLO] = []
    for d in docs:
        if d.get("kind") != "SLO":
            continue
        meta, spec = d.get("metadata") or {}, d.get("spec") or {}
        name = meta.get("name")
        w = f"{where}: SLO {name}"
        if not name:
            raise ConfigError(f"{where}: OpenSLO SLO without metadata.name")
        out.extend(_objectives(name, meta, spec, _indicator(spec, slis, w), w, where))
    return out
