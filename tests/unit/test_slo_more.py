"""Live chunking, gauge-ratio and interpolated latency SLIs, parameter checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import ParameterError
from analysis.params import validate
from analysis.slo.catalog import SLI, SLO, Window
from analysis.slo.params import SloParams
from analysis.slo.report import evaluate
from analysis.slo.samples import build
from analysis.slo.selector import parse_selector
from analysis.slo.sources.live import MAX_POINTS, chunks


@pytest.mark.parametrize("points", [1, 9_999, 10_000, 10_001, 43_201, 47_521])
def test_chunks_cover_every_step_once_under_the_limit(points):
    step, end = 60.0, 1_790_000_040.0
    start = end - (points - 1) * step
    parts = chunks(start, end, step)
    covered = [a + k * step for a, b in parts for k in range(int(round((b - a) / step)) + 1)]
    assert covered == [start + k * step for k in range(points)]
    assert all((b - a) / step + 1 <= MAX_POINTS < 11_000 for a, b in parts)
    assert parts[-1][1] == end  # pinned to the evaluation time


def test_gauge_ratio_sli():
    ts = 1_700_000_040.0 + 60 * np.arange(10)
    s = build([({"__name__": "replicas_ready"}, ts, np.array([3, 3, 3, 2, 2, 3, 3, 3, 3, 3.0])),
               ({"__name__": "replicas_desired"}, ts, np.full(10, 3.0))])
    slo = SLO("ready", 0.9, Window("rolling", seconds=540),
              SLI("gauge_ratio", good=(parse_selector("replicas_ready"),), total=(parse_selector("replicas_desired"),)))
    rep = evaluate([slo], s).reports[0]
    # window (t0, t9]: samples 1..9 → good 25 of 27
    assert rep.good_events == 25 and rep.valid_events == 27


def test_interpolation_only_when_asked():
    ts = 1_700_000_040.0 + 60 * np.arange(2)
    lab = {"__name__": "lat_seconds_bucket"}
    parts = [({**lab, "le": "1.0"}, ts, np.array([0, 900.0])), ({**lab, "le": "2.5"}, ts, np.array([0, 1000.0])),
             ({**lab, "le": "+Inf"}, ts, np.array([0, 1000.0]))]
    s = build(parts)
    for interp, expected in ((False, None), (True, 0.9 + 0.1 * (1 / 1.5))):
        slo = SLO("lat", 0.95, Window("rolling", seconds=60),
                  SLI("latency", metric="lat_seconds", threshold_s=2.0, interpolate=interp))
        rep = evaluate([slo], s).reports[0]
        if interp:
            assert math.isclose(rep.sli, expected) and rep.compliant is True
        else:
            assert rep.sli == 0.9 and rep.compliant is None


def test_params_checks_and_redaction():
    p = validate(SloParams, {"source": "prometheus", "prometheus_url": "https://ops:s3cret@prom:9090"})
    assert "s3cret" not in repr(p)
    with pytest.raises(ParameterError, match="prometheus_url"):
        validate(SloParams, {"source": "prometheus"})
    with pytest.raises(ParameterError, match="evaluation_time"):
        validate(SloParams, {"evaluation_time": "yesterday-ish"})
    with pytest.raises(ParameterError, match="environment variable"):
        validate(SloParams, {"prometheus_token_env": "eyJhbGciOi.secret.token"})


def test_embedded_export_is_the_documented_model():
    """The bundled file is exactly what analysis.samples.traffic generates (no hand edits)."""
    from analysis.config import data_dir
    from analysis.slo.sources.export import load_export
    from analysis.samples.traffic import generate

    s = load_export(data_dir() / "prometheus" / "infra_mind_30d_5m.json.gz")
    ref = build(generate(histogram_count=False))
    assert s.labels == ref.labels
    assert np.array_equal(s.ts, ref.ts) and np.array_equal(s.value, ref.value)
