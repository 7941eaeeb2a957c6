"""Notebook 03's parameters: checks and redaction."""

from __future__ import annotations

import pytest

from analysis.errors import ParameterError
from analysis.params import validate
from analysis.slo.params import SloParams


def test_params_checks_and_redaction():
    p = validate(SloParams, {"source": "prometheus", "prometheus_url": "https://ops:s3cret@prom:9090"})
    assert "s3cret" not in repr(p)
    with pytest.raises(ParameterError, match="prometheus_url"):
        validate(SloParams, {"source": "prometheus"})
    with pytest.raises(ParameterError, match="evaluation_time"):
        validate(SloParams, {"evaluation_time": "yesterday-ish"})
    with pytest.raises(ParameterError, match="environment variable"):
        validate(SloParams, {"prometheus_token_env": "eyJhbGciOi.secret.token"})


def test_bad_evaluation_time_is_one_line_naming_the_parameter():
    with pytest.raises(ParameterError) as ei:
        validate(SloParams, {"evaluation_time": "next tuesday"})
    assert str(ei.value) == ("parameter 'evaluation_time': cannot parse time 'next tuesday' "
                             "(use ISO 8601, e.g. 2026-11-01T00:00:00Z)")


@pytest.mark.parametrize("values,needle", [
    ({"source": "prometheus", "prometheus_url": "prom:9090"}, "must start with http:// or https://"),
    ({"export_paths": []}, "export_paths"),
    ({"source": "kafka"}, "source"),
])
def test_more_checks(values, needle):
    with pytest.raises(ParameterError, match=needle):
        validate(SloParams, values)


def test_iso_and_unix_evaluation_times_are_accepted():
    assert validate(SloParams, {"evaluation_time": "2026-11-01T00:00:00Z"}).evaluation_time == "2026-11-01T00:00:00Z"
    assert validate(SloParams, {"evaluation_time": "1793491200"}).evaluation_time == "1793491200"
