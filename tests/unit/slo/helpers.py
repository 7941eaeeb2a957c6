"""Small synthetic counters shared by the SLO math tests."""

from __future__ import annotations

import numpy as np

from analysis.promql import parse_selector
from analysis.slo.objectives import SLI, SLO, Window
from analysis.slo.series import build

STEP = 60.0
T0 = 1_700_000_040.0  # a multiple of 60


def counter(incs, start=0.0, reset_at=None):
    """A counter's values from its increases (optionally reset to 0 at index ``reset_at``)."""
    v = np.cumsum(np.asarray(incs, float)) + start
    if reset_at is not None:
        v[reset_at:] = np.cumsum(np.asarray(incs, float)[reset_at:])
    return v


def ratio_slo(target=0.999, window=Window("rolling", seconds=3600), name="s", **kw):
    """``req_total{code="200"}`` over ``req_total``."""
    return SLO(name=name, target=target, window=window,
               sli=SLI("ratio", good=(parse_selector('req_total{code="200"}'),), total=(parse_selector("req_total"),)),
               **kw)


def samples_from(good_inc, bad_inc, drop=()):
    """Two ``req_total`` series (code 200 and 500) with these increases per minute."""
    n = len(good_inc)
    ts = T0 + STEP * np.arange(n)
    keep = np.ones(n, bool)
    keep[list(drop)] = False
    return build([({"__name__": "req_total", "code": "200"}, ts[keep], counter(good_inc)[keep]),
                  ({"__name__": "req_total", "code": "500"}, ts[keep], counter(bad_inc)[keep])])
