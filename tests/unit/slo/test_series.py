"""The Samples container: building, merging, deduplication, the tidy frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.promql import parse_selector
from analysis.slo.series import build, merge
from analysis.slo.sources.export import load_export

DATA = Path(__file__).resolve().parents[2] / "data" / "slo"


def test_merge_single_is_identity():
    s = load_export(DATA / "tiny.om")
    assert merge([s]) is s


def test_tidy_frame_has_labels_timestamp_value():
    df = load_export(DATA / "tiny.om").frame()
    assert list(df.columns) == ["status", "__name__", "timestamp", "value"] or set(df.columns) == {
        "status", "__name__", "timestamp", "value"}
    assert len(df) == 8 and str(df["timestamp"].dt.tz) == "UTC"
    assert df.loc[df["status"] == "503", "value"].tolist() == [5.0, 7.0, 1.0, 3.0]


def test_build_sorts_dedupes_and_counts():
    lab = {"__name__": "c"}
    # one step backwards (3 → 1), a conflicting duplicate at t=2, a NaN in a second part of the same series
    s = build([(lab, np.array([3.0, 1.0, 2.0, 2.0]), np.array([30.0, 10.0, 20.0, 21.0])),
               (dict(lab), np.array([4.0]), np.array([np.nan]))])
    assert len(s.labels) == 1 and s.ts.tolist() == [1.0, 2.0, 3.0] and s.value.tolist() == [10.0, 20.0, 30.0]
    assert s.quality == {"out_of_order": 1, "duplicates": 1, "duplicates_conflicting": 1, "nan": 1}


def test_select_resolution_and_time_range():
    s = build([({"__name__": "c", "a": "1"}, 100 + 15 * np.arange(5), np.arange(5.0)),
               ({"__name__": "c", "a": "2"}, 100 + 60 * np.arange(3), np.arange(3.0))])
    assert s.select(parse_selector('c{a="2"}')) == [1]
    assert s.resolution() == 15.0 and s.time_range == (100.0, 220.0)


def test_merge_adds_quality_counts():
    a = build([({"__name__": "c"}, np.array([1.0, 2.0]), np.array([1.0, np.nan]))], origin="a")
    b = build([({"__name__": "c"}, np.array([2.0, 3.0]), np.array([2.0, 3.0]))], origin="b")
    m = merge([a, b])
    assert m.origin == "a, b" and m.value.tolist() == [1.0, 2.0, 3.0] and m.quality["nan"] == 1
