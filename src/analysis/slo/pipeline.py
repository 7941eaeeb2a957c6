"""Wiring: parameters → catalog → source → :class:`~analysis.slo.result.Evaluation`.

The notebook and the CLI both call :func:`run`; nothing here computes SLO math.
"""

from __future__ import annotations

import logging
import math
import time

from ..errors import ConfigError
from ..params import env_value
from ..redact import redact_uri
from ..timeparse import iso, parse_time
from .budget import BURN_WINDOWS_S, window_bounds
from . import pushdown
from .catalog import load_catalog
from .evaluate import evaluate
from .objectives import SLO, with_window
from .params import SloParams
from .result import Evaluation
from .series import Samples, build
from .sources import export, live
from .validation import validate_against

log = logging.getLogger(__name__)


def live_range(slos: list[SLO], at: float, step: float) -> tuple[float, float]:
    """The fetch range for a live server: the earliest window start minus the longest alert window."""
    starts = [window_bounds(s.window, at)[0] for s in slos]
    longest = max([*BURN_WINDOWS_S, *(t.long_s for s in slos for t in s.alert_tiers)])
    start = min(starts) - longest - step
    return math.floor(start / step) * step, at


def _headers(p: SloParams) -> dict | None:
    token = env_value("prometheus_token_env", p.prometheus_token_env)
    return {"Authorization": f"Bearer {token}"} if token else None


def load_samples(p: SloParams, slos: list[SLO], at: float | None) -> tuple[Samples, float | None]:
    """Read the samples the parameters point at; returns ``(samples, at)`` (at fixed for live)."""
    if p.source == "export":
        return export.load_exports(p.export_paths), at
    if at is None:
        at = math.floor(time.time() / p.step_s) * p.step_s
    start, end = live_range(slos, at, p.step_s)
    selectors = [str(sel) for s in slos for sel in s.sli.selectors()]
    return live.fetch(p.prometheus_url, selectors, start, end, step=p.step_s, headers=_headers(p),
                      timeout=p.timeout_s), at


def run_pushdown(p: SloParams, slos: list[SLO], at: float | None) -> Evaluation:
    """Pushdown mode: check the catalog against the server's series, let the server aggregate, evaluate."""
    step = p.pushdown_step_s
    at = math.floor(time.time() / step) * step if at is None else at
    start, end = live_range(slos, at, step)
    selectors = [str(sel) for s in slos for sel in s.sli.selectors()]
    labels = live.series_labels(p.prometheus_url, selectors, start, end, headers=_headers(p), timeout=p.timeout_s)
    validation = validate_against(slos, labels, where=p.catalog)
    queries, rewritten = pushdown.plan(slos, step, skip=set(validation.missing))
    answers = live.fetch_increases(p.prometheus_url, queries, start, end, step=step, headers=_headers(p),
                                   timeout=p.timeout_s)
    gauges = {n for n, q in queries.items() if pushdown.is_gauge(n, q)}
    parts = [x for n, res in answers.items() for x in pushdown.to_parts(n, res, step, n in gauges)]
    samples = build(parts, origin=f"Prometheus {redact_uri(p.prometheus_url)} (pushdown, step "
                                  f"{step:g}s, at {iso(at)})")
    return evaluate(rewritten, samples, at, resolution=step, where=p.catalog, validation=validation)


#: what to do when raw series cannot reproduce an SLI the server can evaluate as written
ADVICE_EXPORT = "use --prometheus URL --mode pushdown (parameters source: prometheus, live_mode: pushdown) to " \
                "have the server evaluate the query as written"
ADVICE_RAW = "rerun with --mode pushdown (parameter live_mode: pushdown) to have the server evaluate the query " \
             "as written"


def check_computable(slos: list[SLO], p: SloParams) -> None:
    """An SLI raw series cannot reproduce (``count()``, a native histogram, a plugin...): one line, unless pushed down.

    Live raw mode does not switch such an SLO to pushdown by itself: the two modes count
    differently (Prometheus' extrapolated ``increase()`` per step vs raw samples) and at different
    resolutions, so one report mixing them would compare unlike numbers. The line names the
    switch instead (docs/slo-alerting.md, "PromQL as written").

    Raises
    ------
    ConfigError
        ``catalog: SLO name: key: construct is not computable from an export; use --prometheus ...``.
    """
    pushdown_ok = p.source == "prometheus" and p.live_mode == "pushdown"
    for s in slos:
        w = s.sli.written
        if w is None or not w.refused or s.not_exported:
            continue
        if not (pushdown_ok and w.live):
            where = s.spec.file if s.spec else p.catalog
            if not w.live:
                reason = w.refused
            elif p.source == "export":
                reason = f"{w.refused}; {ADVICE_EXPORT}"
            else:
                reason = f"{w.refused.replace('from an export', 'from raw series')}; {ADVICE_RAW}"
            raise ConfigError(f"{where}: SLO {s.name}: {reason}")


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
    check_computable(slos, p)
    at = parse_time(p.evaluation_time, "evaluation_time") if p.evaluation_time else None
    if p.source == "prometheus" and p.live_mode == "pushdown":
        ev = run_pushdown(p, slos, at)
        ev.pushdown = True
    else:
        samples, at = load_samples(p, slos, at)
        resolution = p.step_s if p.source == "prometheus" else None
        ev = evaluate(slos, samples, at, resolution=resolution, where=p.catalog)
    ev.catalog = slos
    return ev
