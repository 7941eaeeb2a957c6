"""Wiring: parameters → catalog → source → :class:`~analysis.slo.report.Evaluation`.

The notebook and the CLI both call :func:`run`; nothing here computes SLO math.
"""

from __future__ import annotations

import logging
import math
import time

import pandas as pd

from ..errors import ParameterError
from ..params import env_value
from .budget import BURN_WINDOWS_S, DEFAULT_TIERS, window_bounds
from .catalog import SLO, load_catalog, with_window
from .params import SloParams
from .report import Evaluation, evaluate
from .samples import Samples
from .sources import export, live

log = logging.getLogger(__name__)


def parse_time(text: str, name: str = "at") -> float:
    """ISO 8601 (``2026-11-01T00:00:00Z``; naive = UTC) or Unix seconds → Unix seconds."""
    try:
        if text.replace(".", "", 1).isdigit():
            return float(text)
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise ParameterError(f"parameter '{name}': cannot parse time {text!r} (use ISO 8601, e.g. 2026-11-01T00:00:00Z)") from None
    if ts is pd.NaT:
        raise ParameterError(f"parameter '{name}': cannot parse time {text!r}")
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).timestamp()


def live_range(slos: list[SLO], at: float, step: float) -> tuple[float, float]:
    """The fetch range for a live server: the earliest window start minus the longest alert window."""
    starts = [window_bounds(s.window, at)[0] for s in slos]
    longest = max([*BURN_WINDOWS_S, *(t.long_s for t in DEFAULT_TIERS)])
    start = min(starts) - longest - step
    return math.floor(start / step) * step, at


def load_samples(p: SloParams, slos: list[SLO], at: float | None) -> tuple[Samples, float | None]:
    """Read the samples the parameters point at; returns ``(samples, at)`` (at fixed for live)."""
    if p.source == "export":
        return export.load_exports(p.export_paths), at
    headers = None
    token = env_value("prometheus_token_env", p.prometheus_token_env)
    if token:
        headers = {"Authorization": f"Bearer {token}"}
    if at is None:
        at = math.floor(time.time() / p.step_s) * p.step_s
    start, end = live_range(slos, at, p.step_s)
    selectors = [str(sel) for s in slos for sel in s.sli.selectors()]
    return live.fetch(p.prometheus_url, selectors, start, end, step=p.step_s, headers=headers,
                      timeout=p.timeout_s), at


def run(p: SloParams) -> Evaluation:
    """Load the catalog and the data, evaluate every SLO at one timestamp.

    Parameters
    ----------
    p : SloParams
        Validated parameters.

    Returns
    -------
    Evaluation
    """
    slos = with_window(load_catalog(p.catalog), p.window_override)
    at = parse_time(p.evaluation_time, "evaluation_time") if p.evaluation_time else None
    samples, at = load_samples(p, slos, at)
    resolution = p.step_s if p.source == "prometheus" else None
    return evaluate(slos, samples, at, resolution=resolution, where=p.catalog)
