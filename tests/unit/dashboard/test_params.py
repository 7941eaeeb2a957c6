"""Notebook 02's parameters and the --sizes parser."""

from __future__ import annotations

import math

import pytest

from analysis.dashboard.params import DashboardParams, parse_sizes
from analysis.errors import ParameterError
from analysis.params import validate


@pytest.mark.parametrize("text", ["100,abc", "0", "-5", "1.5", "", "10,,20", "²"])
def test_parse_sizes_rejects(text):
    with pytest.raises(ParameterError, match="--sizes"):
        parse_sizes(text)


def test_params_validation():
    assert parse_sizes("100, 1000") == [100, 1000]
    with pytest.raises(ParameterError, match="sizes"):
        validate(DashboardParams, {"sizes": [100, 100]})
    with pytest.raises(ParameterError, match="mongo_uri_env"):
        validate(DashboardParams, {"mongo_uri_env": "mongodb://u:p@h"})
    with pytest.raises(ParameterError, match="audit_user"):
        validate(DashboardParams, {"audit_user": "u1"})
    assert math.isclose(validate(DashboardParams, {}).cache_time_scale, 0.0004)
