"""The catalog's alerting and budget-policy sections: burn-rate tiers, maintenance exclusions, grouping
labels, the error-budget policy — parsed from the own YAML format, and the policy evaluated.

Own format (per SLO, or under ``defaults`` for every SLO)::

    alerting:
      tiers:                               # replaces the default tiers
        - {name: page_fast, severity: page, long: 1h, short: 5m, budget_consumed: 2}   # % of the budget
        - {name: ticket_slow, severity: ticket, long: 3d, short: 6h, factor: 1}        # or a fixed factor
    exclude:                               # maintenance windows: their events do not count
      - {start: 2026-10-27T02:00:00Z, end: 2026-10-27T04:00:00Z, reason: planned maintenance}
    policy:                                # budget left below N % → action ({slo}, {service} filled in)
      - {below: 0, action: "freeze feature releases of {service}"}
    group_by: [endpoint]                   # one SLO per value of these labels

Every error is one :class:`~analysis.errors.ConfigError` line ``where: problem``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import ConfigError
from ..params import scalar_problem
from ..timeparse import parse_instant
from .objectives import DEFAULT_TIER_SPECS, Exclusion, PolicyStep, TierSpec, format_duration, never_fires, parse_duration

_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_TIER_KEYS = {"name", "severity", "long", "short", "budget_consumed", "factor"}


def _number(value: Any, where: str) -> float:
    problem = scalar_problem(value, float) or (None if math.isfinite(value) else f"expected a finite number, got {value!r}")
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return float(value)


def parse_tier(raw: Any, where: str) -> TierSpec:
    """One ``alerting.tiers`` entry: name, severity, long, short and ``budget_consumed`` (%) or ``factor``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each tier must be a mapping")
    unknown = set(raw) - _TIER_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown tier key {sorted(unknown)[0]!r} ({', '.join(sorted(_TIER_KEYS))})")
    name = str(raw.get("name", ""))
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ConfigError(f"{where}: tier name must be letters, digits and _ (got {name!r})")
    w = f"{where} {name}"
    severity = str(raw.get("severity", "")).strip()
    if not severity:
        raise ConfigError(f"{w}: severity is required (e.g. page or ticket)")
    long_s = parse_duration(raw.get("long"), f"{w}: long")
    short_s = parse_duration(raw.get("short"), f"{w}: short")
    if not 0 < short_s < long_s:
        raise ConfigError(f"{w}: short window must be positive and shorter than the long window")
    if ("budget_consumed" in raw) == ("factor" in raw):
        raise ConfigError(f"{w}: give exactly one of budget_consumed (percent of the budget) or factor")
    if "factor" in raw:
        factor = _number(raw["factor"], f"{w}: factor")
        if factor <= 0:
            raise ConfigError(f"{w}: factor must be positive")
        return TierSpec(name, severity, long_s, short_s, factor=factor)
    pct = _number(raw["budget_consumed"], f"{w}: budget_consumed")
    if not 0 < pct <= 100:
        raise ConfigError(f"{w}: budget_consumed must be a percentage in (0, 100]")
    return TierSpec(name, severity, long_s, short_s, budget_pct=pct)


def parse_tiers(alerting: Any, where: str) -> tuple[tuple[TierSpec, ...], bool]:
    """``alerting: {tiers: [...]}`` → ``(tiers, custom)``; absent → the default tiers."""
    if alerting is None:
        return DEFAULT_TIER_SPECS, False
    if not isinstance(alerting, dict) or set(alerting) - {"tiers"}:
        raise ConfigError(f"{where}: alerting must be a mapping with a 'tiers' list")
    raw = alerting.get("tiers")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: alerting.tiers must be a non-empty list")
    tiers = tuple(parse_tier(t, f"{where}: alerting tier") for t in raw)
    names = [t.name for t in tiers]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise ConfigError(f"{where}: alerting tier {dup!r} is defined twice")
    return tiers, True


def check_tiers_can_fire(tiers: tuple[TierSpec, ...], period_s: float, target: float, where: str) -> None:
    """A catalog tier that can never fire (factor ≥ 1/(1 − target)) or is longer than the period: one line."""
    for spec in tiers:
        t = spec.resolve(period_s)
        if t.long_s > period_s:
            raise ConfigError(f"{where}: alerting tier {t.name}: long window {format_duration(t.long_s)} exceeds "
                              f"the SLO period {format_duration(period_s)}")
        if why := never_fires(t, target):
            raise ConfigError(f"{where}: alerting tier {t.name} can never fire: {why} "
                              f"(100 % errors at target {100 * target:g} %)")


def parse_exclusions(raw: Any, where: str) -> tuple[Exclusion, ...]:
    """``exclude: [{start, end, reason}]`` → exclusions (end after start; a reason is required)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: exclude must be a list of {{start, end, reason}}")
    out = []
    for i, item in enumerate(raw):
        w = f"{where}: exclude[{i}]"
        if not isinstance(item, dict) or not {"start", "end"} <= set(item):
            raise ConfigError(f"{w}: needs start and end (ISO 8601)")
        start, end = _instant(item["start"], f"{w}.start"), _instant(item["end"], f"{w}.end")
        if end <= start:
            raise ConfigError(f"{w}: end must be after start")
        reason = str(item.get("reason") or "").strip()
        if not reason:
            raise ConfigError(f"{w}: a reason is required (it is shown in the report)")
        out.append(Exclusion(start, end, reason))
    return tuple(out)


def _instant(value: Any, where: str) -> float:
    """An ISO 8601 time (YAML may already have read it as a datetime) → Unix seconds."""
    parsed = parse_instant(value)
    if parsed is None:
        raise ConfigError(f"{where}: cannot parse time {value!r} (use ISO 8601, e.g. 2026-10-27T02:00:00Z)")
    return parsed.timestamp()


def parse_policy(raw: Any, where: str) -> tuple[PolicyStep, ...]:
    """``policy: [{below: N, action: text}]`` → steps, strictest (lowest threshold) first."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: policy must be a list of {{below, action}}")
    steps = []
    for i, item in enumerate(raw):
        w = f"{where}: policy[{i}]"
        if not isinstance(item, dict) or "below" not in item or not str(item.get("action") or "").strip():
            raise ConfigError(f"{w}: needs below (budget left, percent) and action")
        steps.append(PolicyStep(_number(item["below"], f"{w}.below"), str(item["action"]).strip()))
    return tuple(sorted(steps, key=lambda s: s.below))


def parse_group_by(raw: Any, where: str) -> tuple[str, ...]:
    """``group_by: [label, ...]`` → label names (valid Prometheus label names, not ``le``)."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: group_by must be a list of label names")
    labels = tuple(str(x) for x in items)
    for lab in labels:
        if not _LABEL.fullmatch(lab) or lab in ("le", "__name__"):
            raise ConfigError(f"{where}: group_by label {lab!r} is not a usable label name")
    return labels


def policy_action(steps: tuple[PolicyStep, ...], budget_left_pct: float | None, slo: str,
                  service: str) -> tuple[PolicyStep, str] | None:
    """The strictest policy step the budget left falls under, with its action filled in (None: none applies)."""
    if budget_left_pct is None:
        return None
    step = next((s for s in steps if budget_left_pct < s.below), None)
    if step is None:
        return None
    return step, step.action.replace("{slo}", slo).replace("{service}", service or "the service")
