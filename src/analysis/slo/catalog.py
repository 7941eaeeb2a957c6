"""The SLO catalog: the workbook's own YAML format and OpenSLO v1, plus validation.

Own format (``slo/infra_mind.yaml``)::

    version: 1
    service: infra-mind
    defaults: {window: 30d, budgeting: {method: occurrences, slice: 5m}}
    slos:
      - name: api_availability
        description: 99.9 % of API requests do not fail with a 5xx
        target: 99.9                       # percent, 0 < target < 100
        window: {calendar: month, timezone: UTC}   # or "30d" / {rolling: 28d}
        budgeting: {method: timeslices, slice: 5m, slice_target: 99}  # or occurrences, ratio_timeslices
        sli:
          ratio: {good: 'http_requests_total{status!~"5.."}', total: http_requests_total}
          # latency: {metric: http_request_duration_seconds, threshold_s: 0.5,
          #           selector: '{endpoint!="/metrics"}', interpolate: false}
          # gauge_ratio: {good: ..., total: ...}
        not_exported: "reason"   # optional: the service does not export this metric yet

``ratio`` takes any two of ``good``, ``bad``, ``total``; a selector may also be a list
of selectors (summed). OpenSLO v1 documents (``apiVersion: openslo/v1``, ``kind: SLO``
with an inline ``indicator`` or an ``indicatorRef`` to a ``kind: SLI``) are accepted in
the same file set; a multi-document YAML file holds several.
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from ..config import resolve_path
from ..errors import ConfigError
from .samples import Samples
from .selector import Selector, parse_selector

log = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CALENDAR_UNITS = ("week", "month", "quarter", "year")
_OPENSLO_CAL = {"w": "week", "M": "month", "Q": "quarter", "Y": "year", "y": "year"}


def parse_duration(text: Any, where: str) -> float:
    """``"5m"`` → 300.0 seconds (units ms, s, m, h, d, w; composite like ``1h30m`` allowed)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        raise ConfigError(f"{where}: expected a duration like 5m or 30d, got {text!r}")
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", text.replace(" ", ""))
    if not parts or "".join(a + b for a, b in parts) != text.replace(" ", ""):
        raise ConfigError(f"{where}: cannot parse duration {text!r} (use e.g. 5m, 6h, 30d)")
    return sum(float(a) * _UNIT_S[b] for a, b in parts)


def format_duration(seconds: float) -> str:
    """300 → ``5m``; 86400*3 → ``3d``."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass(frozen=True)
class Window:
    """A rolling window (``seconds``) or a calendar period (``unit`` in ``timezone``)."""

    kind: str  # "rolling" | "calendar"
    seconds: float = 0.0
    unit: str = ""
    timezone: str = "UTC"

    def describe(self) -> str:
        return f"rolling {format_duration(self.seconds)}" if self.kind == "rolling" else \
            f"calendar {self.unit} ({self.timezone})"


@dataclass(frozen=True)
class SLI:
    """What counts as good and valid."""

    kind: str  # "ratio" | "latency" | "gauge_ratio"
    good: tuple[Selector, ...] = ()
    bad: tuple[Selector, ...] = ()
    total: tuple[Selector, ...] = ()
    metric: str = ""            # latency: histogram base name
    threshold_s: float = math.nan
    selector: Selector | None = None  # latency: extra matchers (metric name ignored)
    interpolate: bool = False

    def selectors(self) -> list[Selector]:
        """Every selector the SLI reads (latency: the ``_bucket`` series)."""
        if self.kind == "latency":
            base = self.selector.matchers if self.selector else ()
            return [Selector(self.metric + "_bucket", base)]
        return [*self.good, *self.bad, *self.total]


@dataclass(frozen=True)
class SLO:
    """One service level objective."""

    name: str
    target: float  # fraction, 0 < target < 1
    window: Window
    sli: SLI
    description: str = ""
    method: str = "occurrences"  # or "timeslices" (share of good slices) or "ratio_timeslices" (mean slice SLI)
    slice_s: float = 300.0
    slice_target: float = math.nan  # fraction; NaN → same as target
    not_exported: str = ""
    source: str = ""

    @property
    def target_pct(self) -> float:
        return round(self.target * 100, 10)

    @property
    def effective_slice_target(self) -> float:
        return self.target if math.isnan(self.slice_target) else self.slice_target


# --------------------------------------------------------------------------- parsing helpers
def _target(value: Any, where: str, *, percent: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: target must be a number, got {value!r}")
    pct = float(value) if percent else float(value) * 100
    if not 0 < pct < 100:
        if pct == 100:
            raise ConfigError(f"{where}: target 100 % leaves no error budget (budget = 0, burn rates divide by 0); "
                              "use e.g. 99.99")
        raise ConfigError(f"{where}: target {pct:g} % is outside 0 < target < 100")
    return pct / 100


def _selectors(value: Any, where: str) -> tuple[Selector, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(parse_selector(v, where) for v in items)


def _window(value: Any, where: str, default: Any) -> Window:
    value = default if value is None else value
    if isinstance(value, str) and value.strip() in CALENDAR_UNITS:
        return Window("calendar", unit=value.strip())
    if isinstance(value, (str, int, float)):
        s = parse_duration(value, f"{where}: window")
        if s <= 0:
            raise ConfigError(f"{where}: window must be positive")
        return Window("rolling", seconds=s)
    if isinstance(value, dict):
        if "calendar" in value:
            unit = str(value["calendar"])
            if unit not in CALENDAR_UNITS:
                raise ConfigError(f"{where}: calendar window must be one of {', '.join(CALENDAR_UNITS)}, got {unit!r}")
            tz = str(value.get("timezone", "UTC"))
            _check_tz(tz, where)
            return Window("calendar", unit=unit, timezone=tz)
        if "rolling" in value:
            return _window(value["rolling"], where, None)
    raise ConfigError(f"{where}: cannot understand window {value!r} (use 30d, or {{calendar: month, timezone: UTC}})")


def _check_tz(tz: str, where: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown timezone {tz!r}") from None


def _own_slo(raw: Any, defaults: dict, where: str) -> SLO:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each SLO must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.:\-]+", name or ""):
        raise ConfigError(f"{where}: SLO needs a name of letters, digits, _ . : - (got {name!r})")
    where = f"{where}: SLO {name}"
    unknown = set(raw) - {"name", "description", "target", "window", "budgeting", "sli", "not_exported"}
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if "target" not in raw:
        raise ConfigError(f"{where}: missing target")
    target = _target(raw["target"], where, percent=True)
    window = _window(raw.get("window"), where, defaults.get("window", "30d"))
    budgeting = {**(defaults.get("budgeting") or {}), **(raw.get("budgeting") or {})}
    method = str(budgeting.get("method", "occurrences")).lower()
    if method not in ("occurrences", "timeslices", "ratio_timeslices"):
        raise ConfigError(f"{where}: budgeting method must be occurrences, timeslices or ratio_timeslices, "
                          f"got {method!r}")
    slice_s = parse_duration(budgeting.get("slice", "5m"), f"{where}: slice")
    st = budgeting.get("slice_target")
    slice_target = _target(st, f"{where}: slice_target", percent=True) if st is not None else math.nan
    sli_raw = raw.get("sli")
    if not isinstance(sli_raw, dict) or len(sli_raw) != 1:
        raise ConfigError(f"{where}: sli must hold exactly one of ratio, latency, gauge_ratio")
    kind, body = next(iter(sli_raw.items()))
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: sli.{kind} must be a mapping")
    if kind in ("ratio", "gauge_ratio"):
        good, bad, total = (_selectors(body.get(k), f"{where}: sli.{kind}.{k}") for k in ("good", "bad", "total"))
        if sum(bool(x) for x in (good, bad, total)) != 2:
            raise ConfigError(f"{where}: sli.{kind} needs exactly two of good, bad, total")
        sli = SLI(kind, good, bad, total)
    elif kind == "latency":
        metric = body.get("metric")
        if not isinstance(metric, str) or not metric:
            raise ConfigError(f"{where}: sli.latency.metric (histogram name) is required")
        metric = re.sub(r"_(bucket|count|sum)$", "", metric)
        thr = body.get("threshold_s")
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not thr > 0:
            raise ConfigError(f"{where}: sli.latency.threshold_s must be a positive number of seconds")
        sel_text = body.get("selector")
        sel = parse_selector(metric + sel_text if sel_text and sel_text.lstrip().startswith("{") else
                             (sel_text or metric), f"{where}: sli.latency.selector") if sel_text else None
        sli = SLI("latency", metric=metric, threshold_s=float(thr), selector=sel,
                  interpolate=bool(body.get("interpolate", False)))
    else:
        raise ConfigError(f"{where}: unknown sli kind {kind!r} (ratio, latency, gauge_ratio)")
    return SLO(name=name, target=target, window=window, sli=sli, description=str(raw.get("description", "")),
               method=method, slice_s=slice_s, slice_target=slice_target,
               not_exported=str(raw.get("not_exported") or ""), source=where.split(":")[0])


# --------------------------------------------------------------------------- OpenSLO
def _openslo_window(spec: dict, where: str) -> Window:
    tws = spec.get("timeWindow") or [{"duration": "30d", "isRolling": True}]
    tw = tws[0] if isinstance(tws, list) else tws
    dur = str(tw.get("duration", "30d"))
    rolling = tw.get("isRolling", True)
    if not rolling:
        m = re.fullmatch(r"1([wMQYy])", dur)
        if not m:
            raise ConfigError(f"{where}: calendar timeWindow duration must be 1w, 1M, 1Q or 1Y, got {dur!r}")
        tz = str((tw.get("calendar") or {}).get("timeZone", "UTC"))
        _check_tz(tz, where)
        return Window("calendar", unit=_OPENSLO_CAL[m.group(1)], timezone=tz)
    return Window("rolling", seconds=parse_duration(dur, f"{where}: timeWindow"))


def _openslo_query(node: Any, where: str) -> tuple[Selector, ...]:
    if node is None:
        return ()
    ms = (node or {}).get("metricSource") or {}
    mtype = str(ms.get("type", "Prometheus"))
    if mtype.lower() != "prometheus":
        raise ConfigError(f"{where}: metricSource type {mtype!r} is not supported (Prometheus only)")
    query = (ms.get("spec") or {}).get("query") or (ms.get("spec") or {}).get("promql")
    return (parse_selector(query, where),)


def _openslo_slos(docs: list[dict], where: str) -> list[SLO]:
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
        good = _openslo_query(rm.get("good"), f"{w}: good")
        bad = _openslo_query(rm.get("bad"), f"{w}: bad")
        total = _openslo_query(rm.get("total"), f"{w}: total")
        if sum(bool(x) for x in (good, bad, total)) != 2:
            raise ConfigError(f"{w}: ratioMetric needs total and one of good/bad")
        kind = "ratio" if rm.get("counter", True) else "gauge_ratio"
        method = str(spec.get("budgetingMethod", "Occurrences"))
        if method not in ("Occurrences", "Timeslices", "RatioTimeslices"):
            raise ConfigError(f"{w}: budgetingMethod {method!r} is not Occurrences, Timeslices or RatioTimeslices")
        objectives = spec.get("objectives") or []
        if not objectives:
            raise ConfigError(f"{w}: no objectives")
        for i, obj in enumerate(objectives):
            if "targetPercent" in obj:
                target = _target(obj["targetPercent"], w, percent=True)
            elif "target" in obj:
                target = _target(obj["target"], w, percent=False)
            else:
                raise ConfigError(f"{w}: objectives[{i}] has no target or targetPercent")
            st = obj.get("timeSliceTarget")
            oname = name if len(objectives) == 1 else f"{name}:{obj.get('displayName') or obj.get('name') or i}"
            out.append(SLO(
                name=oname, target=target, window=_openslo_window(spec, w),
                sli=SLI(kind, good, bad, total),
                description=str(spec.get("description", meta.get("displayName", ""))),
                method={"Occurrences": "occurrences", "Timeslices": "timeslices",
                        "RatioTimeslices": "ratio_timeslices"}[method],
                slice_s=parse_duration(obj.get("timeSliceWindow", "5m"), f"{w}: timeSliceWindow"),
                slice_target=_target(st, w, percent=False) if st is not None else math.nan,
                source=where,
            ))
    return out


# --------------------------------------------------------------------------- entry point
def load_catalog(path: str | os.PathLike[str]) -> list[SLO]:
    """Read a catalog file (own format or OpenSLO v1, one or many YAML documents).

    Parameters
    ----------
    path : str or PathLike
        The YAML file.

    Returns
    -------
    list of SLO

    Raises
    ------
    ConfigError
        One line naming the file, the SLO and the problem.
    """
    p = resolve_path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: catalog file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read catalog: {exc}") from None
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{p}:{line} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not docs:
        raise ConfigError(f"{p}: empty catalog")
    slos: list[SLO] = []
    if any(isinstance(d, dict) and str(d.get("apiVersion", "")).startswith("openslo/") for d in docs):
        bad = [d for d in docs if not (isinstance(d, dict) and str(d.get("apiVersion", "")).startswith("openslo/"))]
        if bad:
            raise ConfigError(f"{p}: mixes OpenSLO documents with other documents")
        versions = {d["apiVersion"] for d in docs}
        if versions != {"openslo/v1"}:
            raise ConfigError(f"{p}: unsupported OpenSLO version(s) {sorted(versions)} (openslo/v1 only)")
        slos = _openslo_slos(docs, str(p))
    else:
        for d in docs:
            if not isinstance(d, dict) or not isinstance(d.get("slos"), list):
                raise ConfigError(f"{p}: expected a mapping with a 'slos' list (or OpenSLO documents)")
            defaults = d.get("defaults") or {}
            slos.extend(_own_slo(raw, defaults, str(p)) for raw in d["slos"])
    if not slos:
        raise ConfigError(f"{p}: catalog defines no SLO")
    names = [s.name for s in slos]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise ConfigError(f"{p}: SLO name {dup!r} is defined twice")
    return slos


def with_window(slos: list[SLO], window: str) -> list[SLO]:
    """Override every SLO's window (notebook ``window_override``; "" keeps the catalog's)."""
    if not window:
        return slos
    w = _window(window, "window_override", None)
    return [replace(s, window=w) for s in slos]


# --------------------------------------------------------------------------- validation against data
@dataclass
class Validation:
    """Per-SLO result of checking a catalog against the data."""

    missing: dict[str, str] = field(default_factory=dict)    # SLO → reason (NO_DATA)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def validate_against(slos: list[SLO], samples: Samples, *, where: str = "catalog") -> Validation:
    """Check every SLO's metrics and labels against the data.

    Unknown metrics raise unless the SLO is marked ``not_exported`` (then it is NO_DATA
    with that reason). Positive matchers on labels no series of the metric carries
    raise. Latency thresholds that are not bucket boundaries become warnings.

    Raises
    ------
    ConfigError
        One line naming the catalog, the SLO, the selector and the problem.
    """
    by_metric: dict[str, list[dict[str, str]]] = {}
    for lab in samples.labels:
        by_metric.setdefault(lab.get("__name__", ""), []).append(lab)
    out = Validation()
    for slo in slos:
        warns: list[str] = []
        for sel in slo.sli.selectors():
            series = by_metric.get(sel.metric)
            if not series:
                if slo.not_exported:
                    out.missing[slo.name] = (f"metric {sel.metric} is not in the data: {slo.not_exported}")
                    break
                near = sorted(m for m in by_metric if m.split("_")[0] == sel.metric.split("_")[0])[:3]
                hint = f" (similar: {', '.join(near)})" if near else ""
                raise ConfigError(f"{where}: SLO {slo.name}: metric {sel.metric} not found in the data{hint}; "
                                  "fix the name or mark the SLO not_exported")
            present = set().union(*(lab.keys() for lab in series))
            if not any(sel.matches(lab) for lab in series):
                warns.append(f"selector {sel} matches no series of {sel.metric} (counted as 0 events)")
            for m in sel.matchers:
                if m.label not in present and m.requires_label:
                    raise ConfigError(f"{where}: SLO {slo.name}: selector {sel} uses label {m.label!r} "
                                      f"which no {sel.metric} series has (labels: {', '.join(sorted(present - {'__name__'}))})")
                if m.label not in present:
                    warns.append(f"selector {sel} matches on label {m.label!r}, absent from every series")
            if slo.sli.kind == "latency":
                if "le" not in present:
                    raise ConfigError(f"{where}: SLO {slo.name}: {sel.metric} series have no 'le' label (not a histogram)")
                bounds = sorted({float(lab["le"]) for lab in series if "le" in lab})
                thr = slo.sli.threshold_s
                if not any(math.isclose(b, thr, rel_tol=1e-9) for b in bounds):
                    lo = max((b for b in bounds if b < thr), default=None)
                    hi = min((b for b in bounds if b > thr), default=None)
                    warns.append(f"threshold {thr:g} s is not a bucket boundary of {slo.sli.metric} "
                                 f"(neighbours {lo} and {hi}): SLI reported as bounds"
                                 + (", interpolated value used" if slo.sli.interpolate else ""))
        if warns:
            out.warnings[slo.name] = warns
    return out
