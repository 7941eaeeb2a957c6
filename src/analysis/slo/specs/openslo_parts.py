"""OpenSLO building blocks shared by v1alpha, v1 and v2alpha: time windows, metric sources, the kinds that
are read for reference (Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget) and
the checks the OpenSLO schema makes on them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ...errors import ConfigError
from ...promqlexpr import parse_query
from ..objectives import Window, check_timezone
from .documents import Node

VERSIONS = {"openslo/v1alpha": "v1alpha", "openslo/v1": "v1", "openslo/v1beta1": "v1", "openslo/v2alpha": "v2alpha",
            "openslo.com/v2alpha": "v2alpha", "openslo/v2alpha1": "v2alpha", "openslo.com/v2alpha1": "v2alpha"}
KINDS = ("SLO", "SLI", "Service", "DataSource", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
#: the kinds each version defines (v1alpha has only SLO and Service)
VERSION_KINDS = {"v1alpha": ("SLO", "Service"), "v1": KINDS, "v2alpha": KINDS}
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
        hint = " (1m is one minute; a month is 1M)" if unit == "m" else ""
        raise tw.error(key, f"a calendar window counts days, weeks, months, quarters or years, got {count}{unit}{hint}")
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
    """The SLO's window (``timeWindow``; v1alpha ``timeWindows`` of count + unit); 30 d rolling when absent.

    Either key and either layout (``duration: 28d`` or ``count: 28, unit: Day``) is read in every
    version; the other version's spelling is noted.
    """
    key = spec.first("timeWindows", "timeWindow") if version == "v1alpha" else spec.first("timeWindow", "timeWindows")
    if key and key != ("timeWindows" if version == "v1alpha" else "timeWindow"):
        notes.append(f"{spec.key_path(key)}: the spelling of another OpenSLO version, read as written")
    items = spec.items(key) if key else []
    if not items:
        notes.append(f"{spec.key_path('timeWindow')} missing: 30 d rolling assumed")
        return Window("rolling", seconds=30 * 86400.0)
    if len(items) > 1:
        notes.append(f"{spec.key_path(key)}: {len(items)} windows, the first is used")
    tw = items[0]
    if tw.has("duration"):
        count, letter = duration(tw, "duration", tw.raw("duration"))
        dur_key = "duration"
    elif tw.has("unit"):
        unit = tw.text("unit")
        letter = _V1ALPHA_UNITS.get(unit.lower())
        if letter is None:
            raise tw.error("unit", f"expected Second, Minute, Hour, Day, Week, Month, Quarter or Year, got {unit!r}")
        count = int(tw.number("count", default=1))
        if count <= 0:
            raise tw.error("count", f"expected a positive count, got {count}")
        dur_key = "unit"
    else:
        raise tw.error("duration", "is required (a duration like 28d, or count and unit)")
    if tw.has("isRolling"):
        rolling = tw.flag("isRolling")
    else:
        rolling = not tw.has("calendar")
        notes.append(f"{tw.key_path('isRolling')} missing: {'rolling' if rolling else 'calendar'} assumed")
    return window(tw, count, letter, rolling, notes, dur_key)


def _prometheus_like(query: str) -> bool:
    try:
        parse_query(query, "query")
    except ConfigError:
        return False
    return True


def _source_of(node: Node, objs: Objects) -> tuple[str, str, Node | None, Node]:
    """``(type, reference, spec node, node holding type and reference)`` in any version's layout."""
    if node.has("metricSource"):  # v1 (and early v2alpha drafts)
        ms = node.node("metricSource")
        return ms.text("type"), ms.text("metricSourceRef"), ms.node("spec") if ms.has("spec") else None, ms
    inline = node.node("dataSourceSpec")
    mtype = inline.text("type") if inline is not None else ""
    vendor = [str(k) for k, v in node.data.items() if isinstance(v, dict) and k not in ("spec", "dataSourceSpec")]
    if not mtype and not node.has("dataSourceRef") and len(vendor) == 1:
        mtype = vendor[0]  # an inline data source keyed by its type (``redshift: {...}``)
    return mtype, node.text("dataSourceRef"), node.node("spec") if node.has("spec") else None, node


def metric_source(node: Node, version: str, objs: Objects) -> tuple[str, str, str, Node]:
    """``(type, query, key of the query, node holding it)`` of a good/bad/total/raw/threshold entry.

    The type comes from the entry, or from the ``DataSource`` it references. When neither says,
    a query that parses as PromQL is read as Prometheus (noted); anything else is a source the
    workbook does not evaluate (``unknown``).
    """
    if not node.has("metricSource") and (node.has("query") or node.has("source")):  # v1alpha layout
        src = node.text("source")
        query = node.text("query", required=True)
        if not src:
            objs.notes.append(f"{node.key_path('source')} missing: Prometheus assumed")
        return src or "Prometheus", query, "query", node
    mtype, ref, spec, holder = _source_of(node, objs)
    if not mtype and ref:
        ds = objs.get("DataSource", ref)
        if ds is not None and ds.has("spec"):
            mtype = ds.node("spec").text("type")
    qkey = spec.first("query", "promql") if spec is not None else None
    query = spec.text(qkey) if qkey else ""
    if not mtype:
        unresolved = f"{'DataSource ' + repr(ref) + ' is not among the files read' if ref else 'no type given'}"
        if query and _prometheus_like(query):
            objs.notes.append(f"{holder.key_path('type')}: {unresolved}; the query is PromQL, Prometheus assumed")
            mtype = "Prometheus"
        else:
            mtype = f"unknown ({unresolved})"
    if mtype.lower() != "prometheus":
        shown = " ".join(f"{k}={v}" for k, v in (spec.data.items() if spec is not None else ())
                         if not isinstance(v, (dict, list)))
        return mtype, shown, qkey or "", spec if spec is not None else holder
    if spec is None:
        raise holder.error("spec", "is required (the Prometheus query)")
    if not qkey:
        raise spec.error("query", "is required (the PromQL query)")
    return mtype, query, qkey, spec


def check_object(kind: str, doc: Node, objs: Objects) -> None:
    """The OpenSLO schema's checks on the kinds that are read for reference (one line per problem)."""
    spec = doc.node("spec", required=kind != "Service")
    if spec is None:
        return
    if kind == "Service" and len(spec.text("description")) > MAX_DESCRIPTION:
        raise spec.error("description", f"longer than the {MAX_DESCRIPTION} characters OpenSLO allows")
    if kind == "DataSource":
        spec.text("type", required=True)
    if kind == "AlertCondition":
        spec.text("severity", required=True)
        cond = spec.node("condition", required=True)
        cond.text(cond.first("kind", "type") or "kind", required=True)  # v1beta1 drafts wrote type
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
