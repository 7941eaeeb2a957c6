"""Wiring: parameters → catalog → source → :class:`~analysis.slo.result.Evaluation`.

The notebook and the CLI both call :func:`run`; nothing here computes SLO math.
"""

from __future__ import annotations

import logging
import math
import time

from ..params import env_value
from ..timeparse import parse_time
from .budget import BURN_WINDOWS_S, DEFAULT_TIERS, window_bounds
from .catalog import load_catalog
from .evaluate import evaluate
from .objectives import SLO, with_window
from .params import SloParams
from .result import Evaluation
from .series import Samples
from .sources import export, live

log = logging.getLogger(__name__)


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
        Every SLO's report and arrays; :func:`analysis.slo.report.verdict` judges it.
    """
    slos = with_window(load_catalog(p.catalog), p.window_override)
    at = parse_time(p.evaluation_time, "evaluation_time") if p.evaluation_time else None
    samples, at = load_samples(p, slos, at)
    resolution = p.step_s if p.source == "prometheus" else None
    return evaluate(slos, samples, at, resolution=resolution, where=p.catalog)
