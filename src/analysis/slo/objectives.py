"""What an SLO is: the data model (:class:`Window`, :class:`SLI`, :class:`SLO`), durations, and the
field parsers both catalog formats share (target, window, timezone, selectors).

:mod:`.catalog` reads the workbook's own YAML format, :mod:`.openslo` OpenSLO v1; both build
these objects. Errors are one :class:`~analysis.errors.ConfigError` line ``where: problem``.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError
from ..promql import Selector, parse_selector

_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CALENDAR_UNITS = ("week", "month", "quarter", "year")


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
        """``rolling 30d`` or ``calendar month (UTC)``."""
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
        """The target in percent (99.9)."""
        return round(self.target * 100, 10)

    @property
    def effective_slice_target(self) -> float:
        """The timeslice target as a fraction (the SLO's target unless one is given)."""
        return self.target if math.isnan(self.slice_target) else self.slice_target


# --------------------------------------------------------------------------- field parsers
def parse_target(value: Any, where: str, *, percent: bool) -> float:
    """A target (percent, or a fraction with ``percent=False``) → fraction, 0 < target < 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: target must be a number, got {value!r}")
    pct = float(value) if percent else float(value) * 100
    if not 0 < pct < 100:
        if pct == 100:
            raise ConfigError(f"{where}: target 100 % leaves no error budget (budget = 0, burn rates divide by 0); "
                              "use e.g. 99.99")
        raise ConfigError(f"{where}: target {pct:g} % is outside 0 < target < 100")
    return pct / 100


def parse_selectors(value: Any, where: str) -> tuple[Selector, ...]:
    """One selector or a list of selectors (summed) → a tuple; ``None`` → ``()``."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(parse_selector(v, where) for v in items)


def parse_window(value: Any, where: str, default: Any) -> Window:
    """``30d``, ``month``, ``{rolling: 28d}`` or ``{calendar: month, timezone: UTC}`` → :class:`Window`."""
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
            check_timezone(tz, where)
            return Window("calendar", unit=unit, timezone=tz)
        if "rolling" in value:
            return parse_window(value["rolling"], where, None)
    raise ConfigError(f"{where}: cannot understand window {value!r} (use 30d, or {{calendar: month, timezone: UTC}})")


def check_timezone(tz: str, where: str) -> None:
    """Raise ``where: unknown timezone`` unless ``tz`` is an IANA zone name."""
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown timezone {tz!r}") from None


def with_window(slos: list[SLO], window: str) -> list[SLO]:
    """Override every SLO's window (notebook ``window_override``; "" keeps the catalog's)."""
    if not window:
        return slos
    w = parse_window(window, "window_override", None)
    return [replace(s, window=w) for s in slos]
