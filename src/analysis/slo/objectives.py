"""What an SLO is: the data model (:class:`Window`, :class:`SLI`, :class:`SLO`), durations, and the
field parsers both catalog formats share (target, window, timezone, selectors).

:mod:`.catalog` reads the workbook's own YAML format, :mod:`.openslo` OpenSLO v1; both build
these objects. Errors are one :class:`~analysis.errors.ConfigError` line ``where: problem``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
import re
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConfigError
from ..promql import Selector, parse_selector

_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CALENDAR_UNITS = ("day", "week", "month", "quarter", "year")
#: nominal length of a calendar period: what burn-rate factors of a calendar SLO are scaled by
#: (deployed alert rules need one fixed factor; the SRE Workbook's "30-day" month)
CALENDAR_NOMINAL_S = {"day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0, "quarter": 90 * 86400.0, "year": 365 * 86400.0}


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
    count: int = 1  # calendar: periods of ``count`` units (OpenSLO ``duration: 2w``)
    start: str = ""  # calendar: local ISO time a period starts at (OpenSLO ``calendar.startTime``); "" = unit boundaries

    def describe(self) -> str:
        """``rolling 30d``, ``calendar month (UTC)`` or ``calendar 2 week from 2022-01-01T12:00:00 (America/New_York)``."""
        if self.kind == "rolling":
            return f"rolling {format_duration(self.seconds)}"
        unit = self.unit if self.count == 1 else f"{self.count} {self.unit}"
        return f"calendar {unit}" + (f" from {self.start}" if self.start else "") + f" ({self.timezone})"

    @property
    def period_s(self) -> float:
        """The budget period burn-rate factors are scaled by (calendar: :data:`CALENDAR_NOMINAL_S`)."""
        return self.seconds if self.kind == "rolling" else self.count * CALENDAR_NOMINAL_S[self.unit]


@dataclass(frozen=True)
class Tier:
    """One multiwindow burn-rate alert: fires when both windows burn faster than ``factor``.

    ``budget_pct`` is the share of the period's budget consumed when the tier fires after
    burning at ``factor`` for its whole long window (``factor × long / period``).
    """

    name: str
    severity: str
    long_s: float
    short_s: float
    factor: float
    source: str
    budget_pct: float = math.nan

    @property
    def label(self) -> str:
        return f"{self.severity} {format_duration(self.long_s)}/{format_duration(self.short_s)} {self.factor:.4g}x"


@dataclass(frozen=True)
class TierSpec:
    """A tier as the catalog defines it: by budget consumed (scales with the window) or by a fixed factor."""

    name: str
    severity: str
    long_s: float
    short_s: float
    budget_pct: float = math.nan  # percent of the period's budget consumed over the long window
    factor: float = math.nan
    source: str = "catalog"

    def resolve(self, period_s: float) -> Tier:
        """The :class:`Tier` for a budget period of ``period_s`` seconds.

        ``factor = budget fraction × period / long window`` (SRE Workbook: 2 % in 1 h of 30 days
        is 14.4); a fixed factor gives ``budget_pct = factor × long / period``.
        """
        if math.isnan(self.factor):
            factor = self.budget_pct * period_s / (100 * self.long_s)
            return Tier(self.name, self.severity, self.long_s, self.short_s, factor, self.source, self.budget_pct)
        pct = 100 * self.factor * self.long_s / period_s
        return Tier(self.name, self.severity, self.long_s, self.short_s, self.factor, self.source, pct)


def le_value(text: str | None) -> float | None:
    """A histogram ``le`` label as a number (``+Inf`` included); None when absent or not a number."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return None if math.isnan(value) else value


def bucket_at(bounds: Iterable[float], threshold: float) -> tuple[float | None, float | None, float | None]:
    """``(exact, lower, upper)``: the finite bucket boundary at ``threshold`` and its finite neighbours.

    One rule for the SLI, the catalog check and the rule generator: a boundary within a
    relative 1e-9 of the threshold is the threshold's bucket; +Inf is never a neighbour.
    """
    finite = sorted(b for b in bounds if not math.isinf(b))
    exact = next((b for b in finite if math.isclose(b, threshold, rel_tol=1e-9)), None)
    lower = max((b for b in finite if b < threshold), default=None)
    upper = min((b for b in finite if b > threshold), default=None)
    return exact, lower, upper


def never_fires(tier: Tier, target: float) -> str | None:
    """Why ``tier`` can never fire on an SLO of ``target``: ``factor F ≥ maximum burn rate M`` (None if it can).

    The highest burn rate is 1/(1 − target) (every event bad), so a tier with a factor at or
    above it never fires. The one check the catalog, the report notes and the rule generator share.
    """
    max_burn = 1 / (1 - target)
    return f"factor {tier.factor:.4g} ≥ maximum burn rate {max_burn:.4g}" if tier.factor >= max_burn else None


#: the default tiers, by budget consumed: SRE Workbook pages (2 % in 1 h, 5 % in 6 h) and ticket
#: (10 % in 3 d), plus Sloth's 1 d/2 h ticket (10 % in 1 d; 3x on 30 days)
DEFAULT_TIER_SPECS = (
    TierSpec("page_1h_5m", "page", 3600, 300, budget_pct=2, source="SRE Workbook"),
    TierSpec("page_6h_30m", "page", 21600, 1800, budget_pct=5, source="SRE Workbook"),
    TierSpec("ticket_1d_2h", "ticket", 86400, 7200, budget_pct=10, source="Sloth"),
    TierSpec("ticket_3d_6h", "ticket", 259200, 21600, budget_pct=10, source="SRE Workbook"),
)


@dataclass(frozen=True)
class Exclusion:
    """A maintenance window whose events do not count (``(start, end]`` in Unix seconds)."""

    start: float
    end: float
    reason: str


@dataclass(frozen=True)
class PolicyStep:
    """One step of an error-budget policy: when the budget left is below ``below`` percent, ``action``."""

    below: float
    action: str


@dataclass(frozen=True)
class Written:
    """An SLI's queries as its spec wrote them (``{{.window}}`` kept), and whether raw series can reproduce them.

    ``refused`` is "" when the workbook computes the SLI exactly from raw series (the SLI's
    selectors say how); otherwise the one-line reason (``count() over a gauge is not computable
    from an export``). ``live`` tells whether a live Prometheus can evaluate the queries as written
    (pushdown); ``form`` is how they combine: ``bad/total``, ``1-good/total``, ``bad/(good+bad)``,
    ``error_ratio``, ``good_ratio`` or ``threshold`` (``op``/``value``: a sample is good when
    ``query op value``).
    """

    form: str
    good: str = ""
    bad: str = ""
    total: str = ""
    ratio: str = ""
    counter: bool = True
    refused: str = ""
    live: bool = True
    op: str = ""
    value: float = math.nan


@dataclass(frozen=True)
class SpecInfo:
    """Where an SLO came from: the spec format and version, and every default the reader applied.

    ``alerting`` keeps what the spec's own tool needs to write its rules (Sloth alert names,
    labels, annotations, page/ticket alerts; Pyrra's alerting block, labels, indicator).
    """

    format: str  # "workbook" | "openslo" | "sloth" | "pyrra"
    version: str
    file: str = ""
    line: int = 0
    notes: tuple[str, ...] = ()
    alerting: dict = field(default_factory=dict, compare=False, hash=False)

    def label(self) -> str:
        """``Sloth prometheus/v1`` / ``OpenSLO openslo/v1``."""
        return f"{ {'openslo': 'OpenSLO', 'sloth': 'Sloth', 'pyrra': 'Pyrra'}.get(self.format, self.format)} {self.version}"


@dataclass(frozen=True)
class SLI:
    """What counts as good and valid."""

    kind: str  # "ratio" | "latency" | "gauge_ratio" | "bool_gauge" (good: sum of samples, valid: their count)
    good: tuple[Selector, ...] = ()
    bad: tuple[Selector, ...] = ()
    total: tuple[Selector, ...] = ()
    metric: str = ""            # latency: histogram base name
    threshold_s: float = math.nan
    selector: Selector | None = None  # latency: extra matchers (metric name ignored)
    interpolate: bool = False
    buckets: tuple[float, ...] = ()  # latency: the histogram's boundaries, when the catalog declares them
    written: Written | None = None  # a spec's queries as written (None: the workbook's own catalog)

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
    service: str = ""
    tiers: tuple[TierSpec, ...] = DEFAULT_TIER_SPECS
    custom_tiers: bool = False  # the catalog set the tiers (a tier that can never fire is then an error)
    exclusions: tuple[Exclusion, ...] = ()
    policy: tuple[PolicyStep, ...] = ()
    group_by: tuple[str, ...] = ()
    parent: str = ""  # a group view: the catalog SLO's name (``name`` then carries the group labels)
    group: tuple[tuple[str, str], ...] = ()  # a group view: its label values
    group_without: bool = False  # ``group_by`` lists the labels summed away (PromQL ``sum without``)
    spec: SpecInfo | None = None  # the spec file's format, version and the defaults its reader applied

    @property
    def alert_tiers(self) -> tuple[Tier, ...]:
        """The tiers with their factors for this SLO's window (see :meth:`TierSpec.resolve`).

        A tier whose long window is longer than the SLO's period is left out (see
        :attr:`unused_tiers`): it would spend more than the period's budget before firing.
        """
        period = self.window.period_s
        return tuple(t.resolve(period) for t in self.tiers if t.long_s <= period)

    @property
    def unused_tiers(self) -> dict[str, str]:
        """Tiers left out of :attr:`alert_tiers`, with the reason."""
        period = self.window.period_s
        return {t.name: f"long window {format_duration(t.long_s)} exceeds the SLO period "
                        f"{format_duration(period)}: not used" for t in self.tiers if t.long_s > period}

    @property
    def catalog_name(self) -> str:
        """The name in the catalog (a group view's parent)."""
        return self.parent or self.name

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
