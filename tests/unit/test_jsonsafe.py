"""analysis.jsonsafe.jsonable: the one JSON sanitizer."""

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.jsonsafe import jsonable


def test_numpy_and_pandas_scalars_become_python_numbers():
    out = jsonable({"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "t": pd.Timestamp("2026-11-01T00:00:00Z")})
    assert out == {"i": 3, "f": 0.5, "b": True, "t": "2026-11-01T00:00:00+00:00"}
    assert type(out["i"]) is int and type(out["f"]) is float and type(out["b"]) is bool


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf, np.float64("nan"), np.float32("inf")])
def test_non_finite_numbers_become_none(bad):
    assert jsonable(bad) is None


def test_dates_become_iso_text():
    assert jsonable(dt.datetime(2026, 11, 1, 12, 30, tzinfo=dt.timezone.utc)) == "2026-11-01T12:30:00+00:00"
    assert jsonable(dt.date(2026, 11, 1)) == "2026-11-01"


def test_containers_recursively_keys_as_text():
    out = jsonable({1: (np.int64(2), {"x": {np.float64(1.5)}}), "l": [None, "a", False]})
    assert out == {"1": [2, {"x": [1.5]}], "l": [None, "a", False]}


def test_arrays_become_lists_and_unknown_objects_text():
    assert jsonable(np.array([1, 2, 3])) == [1, 2, 3]
    assert jsonable(np.array(7)) == 7
    assert jsonable(Path("/tmp/x")) == "/tmp/x"


def test_ndigits_rounds_floats_only():
    assert jsonable({"f": 0.123456, "i": 7, "n": [np.float64(2.71828)]}, ndigits=2) == {"f": 0.12, "i": 7, "n": [2.72]}
    assert jsonable(0.123456) == 0.123456


def test_the_result_passes_strict_json():
    value = {"a": np.float64("nan"), "b": [np.int32(1), dt.date(2026, 1, 1)], "c": object()}
    json.dumps(jsonable(value), allow_nan=False)
