"""The SLO catalog file: read it (the workbook's own YAML format or OpenSLO v1) into SLO objects.

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
of selectors (summed). OpenSLO, Sloth and Pyrra specs are read by :mod:`.specs` (a file may hold
one document, a ``---`` stream or a list of documents; a directory stands for its files); every
error is one line ``file: problem`` (``file:line: ...`` where the line is known). An SLO whose indicator
or data source references an object that is not among the files read still loads: its SLI is refused,
with the reason, wherever it would be evaluated (:func:`analysis.slo.pipeline.check_computable`).
"""

from __future__ import annotations

import logging
import math
import os
import re
from typing import Any

from ..config import resolve_path
from ..errors import ConfigError
from ..promql import parse_selector
from .alerting import check_tiers_can_fire, parse_exclusions, parse_group_by, parse_policy, parse_tiers
from .objectives import SLI, SLO, parse_duration, parse_selectors, parse_target, parse_window
from .specs.documents import Document, read_documents
from .specs.load import NAMES, SpecSet, detect, spec_set

log = logging.getLogger(__name__)

_OWN_KEYS = {"name", "description", "target", "window", "budgeting", "sli", "not_exported", "alerting", "exclude",
             "policy", "group_by"}
_DEFAULT_KEYS = {"window", "budgeting", "alerting", "exclude", "policy"}


def _own_sli(sli_raw: Any, where: str) -> SLI:
    """The ``sli:`` mapping of an own-format SLO (exactly one of ratio, latency, gauge_ratio)."""
    if not isinstance(sli_raw, dict) or len(sli_raw) != 1:
        raise ConfigError(f"{where}: sli must hold exactly one of ratio, latency, gauge_ratio")
    kind, body = next(iter(sli_raw.items()))
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: sli.{kind} must be a mapping")
    if kind in ("ratio", "gauge_ratio"):
        good, bad, total = (parse_selectors(body.get(k), f"{where}: sli.{kind}.{k}") for k in ("good", "bad", "total"))
        if sum(bool(x) for x in (good, bad, total)) != 2:
            raise ConfigError(f"{where}: sli.{kind} needs exactly two of good, bad, total")
        return SLI(kind, good, bad, total)
    if kind != "latency":
        raise ConfigError(f"{where}: unknown sli kind {kind!r} (ratio, latency, gauge_ratio)")
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
    buckets = body.get("buckets") or ()
    if not isinstance(buckets, (list, tuple)) or not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) and b > 0 for b in buckets):
        raise ConfigError(f"{where}: sli.latency.buckets must be a list of positive bucket boundaries (seconds)")
    return SLI("latency", metric=metric, threshold_s=float(thr), selector=sel,
               interpolate=bool(body.get("interpolate", False)), buckets=tuple(sorted(float(b) for b in buckets)))


def own_slo(raw: Any, defaults: dict, where: str, service: str = "") -> SLO:
    """One entry of an own-format ``slos:`` list (``defaults`` fill the window and budgeting).

    Raises
    ------
    ConfigError
        ``file: SLO name: problem``.
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each SLO must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.:\-]+", name or ""):
        raise ConfigError(f"{where}: SLO needs a name of letters, digits, _ . : - (got {name!r})")
    where = f"{where}: SLO {name}"
    unknown = set(raw) - _OWN_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if "target" not in raw:
        raise ConfigError(f"{where}: missing target")
    target = parse_target(raw["target"], where, percent=True)
    window = parse_window(raw.get("window"), where, defaults.get("window", "30d"))
    budgeting = {**(defaults.get("budgeting") or {}), **(raw.get("budgeting") or {})}
    method = str(budgeting.get("method", "occurrences")).lower()
    if method not in ("occurrences", "timeslices", "ratio_timeslices"):
        raise ConfigError(f"{where}: budgeting method must be occurrences, timeslices or ratio_timeslices, "
                          f"got {method!r}")
    slice_s = parse_duration(budgeting.get("slice", "5m"), f"{where}: slice")
    st = budgeting.get("slice_target")
    slice_target = parse_target(st, f"{where}: slice_target", percent=True) if st is not None else math.nan
    sli = _own_sli(raw.get("sli"), where)
    tiers, custom = parse_tiers(raw.get("alerting", defaults.get("alerting")), where)
    if custom:
        check_tiers_can_fire(tiers, window.period_s, target, where)
    exclusions = parse_exclusions(defaults.get("exclude"), f"{where}: defaults") + \
        parse_exclusions(raw.get("exclude"), where)
    policy = parse_policy(raw.get("policy", defaults.get("policy")), where)
    return SLO(name=name, target=target, window=window, sli=sli, description=str(raw.get("description", "")),
               method=method, slice_s=slice_s, slice_target=slice_target,
               not_exported=str(raw.get("not_exported") or ""), source=where.split(":")[0], service=service,
               tiers=tiers, custom_tiers=custom, exclusions=exclusions, policy=policy,
               group_by=parse_group_by(raw.get("group_by"), where))


def _own_slos(docs: list, where: str) -> list[SLO]:
    """The SLOs of the workbook's own catalog documents."""
    slos: list[SLO] = []
    for d in docs:
        if not isinstance(d, dict) or not isinstance(d.get("slos"), list):
            raise ConfigError(f"{where}: expected a mapping with a 'slos' list (or OpenSLO, Sloth or Pyrra documents)")
        defaults = d.get("defaults") or {}
        if not isinstance(defaults, dict) or set(defaults) - _DEFAULT_KEYS:
            bad = sorted(set(defaults) - _DEFAULT_KEYS)[0] if isinstance(defaults, dict) else "defaults"
            raise ConfigError(f"{where}: defaults: unknown key {bad!r} ({', '.join(sorted(_DEFAULT_KEYS))})")
        service = str(d.get("service") or "")
        slos.extend(own_slo(raw, defaults, where, service) for raw in d["slos"])
    return slos


def _slos_of(docs: list[Document], where: str) -> SpecSet:
    """What the documents hold: all the workbook's own format, or specs (OpenSLO, Sloth, Pyrra)."""
    formats = {detect(d) for d in docs}
    if formats == {"workbook"} or (formats <= {"workbook", "unknown"} and len(docs) == 1):
        return SpecSet(_own_slos([d.data for d in docs], where), formats=["workbook catalog"])
    if "workbook" in formats:
        other = sorted(NAMES.get(f, f) for f in formats - {"workbook"})
        raise ConfigError(f"{where}: mixes {' and '.join(other)} documents with other documents (the workbook's "
                          "own catalog format)")
    if formats == {"unknown"}:
        raise ConfigError(f"{where}: expected a mapping with a 'slos' list (or OpenSLO, Sloth or Pyrra documents)")
    return spec_set(docs)


def load_catalog(path: str | os.PathLike[str]) -> list[SLO]:
    """Read a catalog: the workbook's own format, or OpenSLO / Sloth / Pyrra specs (a file or a directory).

    Parameters
    ----------
    path : str or PathLike
        A YAML/JSON file, or a directory of them (``*Ref`` references resolve across its files);
        relative paths go through :func:`analysis.config.resolve_path`.

    Returns
    -------
    list of SLO
        Spec SLOs carry their format, version and the defaults their reader applied (``SLO.spec``).

    Raises
    ------
    ConfigError
        One line naming the file (and line), the SLO, the key and the problem.
    """
    p = resolve_path(path)
    docs = read_documents(p)
    if not docs:
        raise ConfigError(f"{p}: empty catalog")
    read = _slos_of(docs, str(p))
    slos = read.slos
    if not slos:
        held = f" (it holds {', '.join(read.objects[:4])}{' ...' if len(read.objects) > 4 else ''})" \
            if read.objects else ""
        raise ConfigError(f"{p}: catalog defines no SLO{held}")
    names = [s.name for s in slos]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise ConfigError(f"{p}: SLO name {dup!r} is defined twice")
    return slos
