"""OpenSLO building blocks shared by v1alpha, v1 and v2alpha: time windows, metric sources, the kinds that
are read for reference (Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget) and
the checks the OpenSLO schema makes on them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..objectives import Window, check_timezone
from .documents import Node

VERSIONS = {"openslo/v1alpha": "v1alpha", "openslo/v1": "v1", "openslo/v2alpha": "v2alpha",
            "openslo.com/v2alpha": "v2alpha", "openslo/v2alpha1": "v2alpha", "openslo.com/v2alpha1": "v2alpha"}
KINDS = ("SLO", "SLI", "Service", "DataSource", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
_SHORT = re.compile(r"^(\d+)([smhdwMQY])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NOMINAL = {"M": ("month", 30 * 86400), "Q": ("quarter", 90 * 86400), "Y": ("year", 365 * 86400)}
_CAL = {"d": "day", "w": "week", "M": "month", "Q": "quarter", "Y": "year"}
_V1ALPHA_UNITS = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w", "month": "M",
                  "quarter": "Q", "year": "Y"}
#: the OpenSLO schema's limit on ``spec.description``
MAX_DESCRIPTION = 1050


@dataclass
class Objects:
    """Every document of a set by kind and name (``*Ref`` targets), with the notes reading them made."""

    by_kind: dict[str, dict[str, Node]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, kind: str, name: str) -> Node | None:
        return self.by_kind.get(kind, {}).get(name)


def duration(node: Node, key: str, value: object) -> tuple[int, str]:
    """An OpenSLO duration shorthand (``28d``, ``1M``) → ``(count, unit letter)``."""
    m = _SHORT.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if not m or int(m.group(1)) <= 0:
        raise node.error(key, f"expected a duration like 28d, 1w or 1M, got {value!r}")
    return int(m.group(1)), m.group(2)


def seconds(node: Node, key: str, value: object, notes: list[str]) -> float:
    """A rolling duration in seconds (months, quarters and years at their nominal 30, 90 and 365 days: noted)."""
    n, unit = duration(node, key, value)
    if unit in _NOMINAL:
        notes.append(f"{node.key_path(key)} {value}: rolling {n * _NOMINAL[unit][1] // 86400} d assumed")
        return float(n * _NOMINAL[unit][1])
    return float(n * _SECONDS[unit])


def _start_time(node: Node, value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace("Z", "")).replace(tzinfo=None).isoformat()
    except ValueError:
        raise node.error("startTime", f"expected a time like 2022-01-01 12:00:00, got {value!r}") from None


def window(tw: Node, count: int, unit: str, rolling: bool, notes: list[str], key: str = "duration") -> Window:
    """A rolling or calendar :class:`Window` from a count and an OpenSLO unit letter."""
    if rolling:
        return Window("rolling", seconds=seconds(tw, key, f"{count}{unit}", notes))
    if unit not in _CAL:
        raise tw.error(key, f"a calendar window counts days, weeks, months, quarters or years, got {count}{unit}")
    cal = tw.node("calendar")
    if cal is None:
        notes.append(f"{tw.key_path('calendar')} missing: periods start at the {_CAL[unit]} boundaries in UTC")
        return Window("calendar", unit=_CAL[unit], count=count)
    tz = cal.text("timeZone")
    if not tz:
        notes.append(f"{cal.key_path('timeZone')} missing: UTC assumed")
        tz = "UTC"
    try:
        check_timezone(tz, "")
    except Exception:
        raise cal.error("timeZone", f"unknown timezone {tz!r}") from None
    start = _start_time(cal, cal.raw("startTime")) if cal.has("startTime") else ""
    if not start:
        notes.append(f"{cal.key_path('startTime')} missing: periods start at the {_CAL[unit]} boundaries")
    return Window("calendar", unit=_CAL[unit], timezone=tz, count=count, start=start)


def time_window(spec: Node, version: str, notes: list[str]) -> Window:
    """The SLO's window (``timeWindow`` in v1/v2alpha, ``timeWindows`` in v1alpha); 30 d rolling when absent."""
    key = "timeWindows" if version == "v1alpha" else "timeWindow"
    items = spec.items(key)
    if not items:
        notes.append(f"{spec.key_path(key)} missing: 30 d rolling assumed")
        return Window("rolling", seconds=30 * 86400.0)
    if len(items) > 1:
        notes.append(f"{spec.key_path(key)}: {len(items)} windows, the first is used")
    tw = items[0]
    if version == "v1alpha":
        unit = tw.text("unit", required=True)
        letter = _V1ALPHA_UNITS.get(unit.lower())
        if letter is None:
            raise tw.error("unit", f"expected Second, Minute, Hour, Day, Week, Month, Quarter or Year, got {unit!r}")
        count = int(tw.number("count", default=1))
        dur_key = "unit"
    else:
        count, letter = duration(tw, "duration", tw.raw("duration")) if tw.has("duration") else (0, "")
        if not count:
            raise tw.error("duration", "is required")
        dur_key = "duration"
    if tw.has("isRolling"):
        rolling = tw.flag("isRolling")
    else:
        rolling = not tw.has("calendar")
        notes.append(f"{tw.key_path('isRolling')} missing: {'rolling' if rolling else 'calendar'} assumed")
    return window(tw, count, letter, rolling, notes, dur_key)


def metric_source(node: Node, version: str, objs: Objects) -> tuple[str, str, str, Node]:
    """``(type, query, key of the query, node holding it)`` of a good/bad/total/raw/threshold entry."""
    if version == "v1alpha":
        src = node.text("source", default="")
        return src or "unknown", node.text("query", required=True), "query", node
    if version == "v2alpha":
        ref = node.text("dataSourceRef")
        inline = node.node("dataSourceSpec")
        mtype = inline.text("type") if inline is not None else ""
        if ref and not mtype:
            ds = objs.get("DataSource", ref)
            mtype = ds.node("spec", required=True).text("type") if ds is not None else ""
            if ds is None:
                objs.notes.append(f"{node.key_path('dataSourceRef')} {ref!r}: no DataSource of that name; "
                                  "Prometheus assumed")
        spec = node.node("spec", required=True)
    else:
        ms = node.node("metricSource", required=True)
        mtype = ms.text("type")
        ref = ms.text("metricSourceRef")
        if not mtype and ref:
            ds = objs.get("DataSource", ref)
            mtype = ds.node("spec", required=True).text("type") if ds is not None else ""
        if not mtype:
            objs.notes.append(f"{ms.key_path('type')} missing: Prometheus assumed")
        spec = ms.node("spec", required=True)
        node = ms
    mtype = mtype or "Prometheus"
    qkey = spec.first("query", "promql") or ""
    if mtype.lower() != "prometheus":
        return mtype, " ".join(f"{k}={v}" for k, v in spec.data.items() if not isinstance(v, (dict, list))), qkey, spec
    if not qkey:
        raise spec.error("query", "is required (the PromQL query)")
    return mtype, spec.text(qkey), qkey, spec


def check_object(kind: str, doc: Node, objs: Objects) -> None:
    """The OpenSLO schema's checks on the kinds that are read for reference (one line per problem)."""
    spec = doc.node("spec", required=True)
    if kind == "Service" and len(spec.text("description")) > MAX_DESCRIPTION:
        raise spec.error("description", f"longer than the {MAX_DESCRIPTION} characters OpenSLO allows")
    if kind == "DataSource":
        spec.text("type", required=True)
    if kind == "AlertCondition":
        spec.text("severity", required=True)
        cond = spec.node("condition", required=True)
        cond.text("kind", required=True)
    if kind == "AlertNotificationTarget":
        spec.text("target", required=True)
    if kind == "AlertPolicy":
        _check_policy(spec)


def _check_policy(spec: Node) -> None:
    conds = spec.items("conditions", required=True)
    if len(conds) != 1:
        raise spec.error("conditions", f"exactly one condition is allowed, got {len(conds)}")
    for c in conds:
        if not (c.text("conditionRef") or (c.text("kind") == "AlertCondition" and c.has("spec"))):
            raise c.error("", "expected conditionRef or an inline kind: AlertCondition")
        if c.has("spec"):
            check_object("AlertCondition", c, Objects())
    targets = spec.items("notificationTargets", required=True)
    if not targets:
        raise spec.error("notificationTargets", "needs at least one target")
    for t in targets:
        if not (t.text("targetRef") or (t.text("kind") == "AlertNotificationTarget" and t.has("spec"))):
            raise t.error("", "expected targetRef or an inline kind: AlertNotificationTarget")
