"""What an evaluation produces: per-SLO reports (:class:`SLOReport`), with their arrays (:class:`SLOResult`),
and all SLOs at one timestamp (:class:`Evaluation`, what :func:`analysis.slo.pipeline.run` returns).

:meth:`SLOReport.to_json` carries this workbook's field names plus slo-generator's
(``sli_measurement``, ``gap``, ``error_budget_burn_rate``, ...), so existing BigQuery or
Datadog pipelines can take it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .objectives import SLO
from .series import Samples
from .sli import Events, Grid


@dataclass
class SLOReport:
    """What one SLO looks like at the evaluation time (see module docstring)."""

    name: str
    description: str
    target: float  # percent
    window: str
    window_start: str | None
    window_end: str | None
    budgeting_method: str
    good_events: float
    bad_events: float
    valid_events: float
    sli: float | None
    compliant: bool | None
    budget_events: float
    budget_consumed: float
    budget_consumed_pct: float | None
    budget_remaining: float
    budget_remaining_pct: float | None
    budget_minutes: float
    budget_remaining_minutes: float | None
    overspent_pct: float | None
    burn_rates: dict[str, float | None]
    alerts_firing: list[str]
    alert_backtest: dict[str, list[list[str]]]
    time_to_exhaustion_s: float | None
    status: str
    warnings: list[str] = field(default_factory=list)
    sli_lower: float | None = None
    sli_upper: float | None = None
    sli_interpolated: float | None = None
    timeslices: dict = field(default_factory=dict)
    tier_notes: dict[str, str] = field(default_factory=dict)
    projected_sli: float | None = None
    projected_compliant: bool | None = None
    projection_basis: str = ""
    no_data_reason: str = ""
    data: dict = field(default_factory=dict)
    evaluated_at: str | None = None

    def to_json(self) -> dict:
        """This report plus slo-generator's field names (not yet JSON-safe: see :func:`analysis.jsonsafe.jsonable`)."""
        d = asdict(self)
        goal = self.target / 100
        window_s = self.data.get("window_seconds")
        sli = self.sli
        d.update({
            "goal": goal,
            "timestamp": self.data.get("evaluated_at_unix"),
            "timestamp_human": self.evaluated_at,
            "window_seconds": window_s,
            "sli_measurement": sli,
            "good_events_count": self.good_events,
            "bad_events_count": self.bad_events,
            "events_count": self.valid_events,
            "gap": None if sli is None else sli - goal,
            "error_budget_target": 1 - goal,
            "error_budget_measurement": None if sli is None else 1 - sli,
            "error_budget_burn_rate": None if sli is None else (1 - sli) / (1 - goal),
            "error_budget_minutes": self.budget_minutes,
            "error_minutes": None if sli is None else (window_s or 0) / 60 * (1 - sli),
            "error_budget_remaining_minutes": self.budget_remaining_minutes,
            "error_budget_consumed_ratio": None if self.budget_consumed_pct is None else self.budget_consumed_pct / 100,
            "alert": bool(self.alerts_firing),
            "valid": self.status != "NO_DATA",
            "errors": list(self.warnings) + ([self.no_data_reason] if self.no_data_reason else []),
        })
        return d


@dataclass
class SLOResult:
    """A report plus the arrays behind it (for plots and tables)."""

    slo: SLO
    report: SLOReport
    events: Events | None = None
    window_bins: tuple[int, int] = (0, -1)
    firing: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Evaluation:
    """All SLOs evaluated at one timestamp: the result of :func:`analysis.slo.pipeline.run`."""

    at: float
    results: list[SLOResult]
    grid: Grid
    samples_info: dict
    samples: Samples | None = None  # the data evaluated (the generated rules are backtested on it)
    catalog: list = field(default_factory=list)  # the catalog's SLOs as loaded (what alert rules are made from)
    pushdown: bool = False  # the data are the server's aggregates (live pushdown mode), not raw series

    @property
    def reports(self) -> list[SLOReport]:
        """The per-SLO reports, in catalog order."""
        return [r.report for r in self.results]
