"""Export formats: every format gives the same samples; the fast JSON path equals a plain parse."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import DataError, SourceError
from analysis.slo.samples import merge
from analysis.samples.prometheus_files import write_query_range
from analysis.slo.sources.export import detect_format, load_export, load_exports, parse_prom_json

DATA = Path(__file__).resolve().parents[1] / "data" / "slo"


def _by_status(s):
    out = {}
    b = s.series_slices()
    for i, lab in enumerate(s.labels):
        out[lab["status"]] = (s.ts[b[i]:b[i + 1]].tolist(), s.value[b[i]:b[i + 1]].tolist())
    return out


def _increase(values):
    """Reference: naive Prometheus-style increase with resets, written as a loop."""
    total = 0.0
    for prev, cur in zip(values, values[1:]):
        total += cur - prev if cur >= prev else cur
    return total


@pytest.mark.parametrize("name,fmt", [("tiny_matrix.json", "prom-json"), ("grafana_wide.csv", "grafana-csv"),
                                      ("tiny.om", "openmetrics")])
def test_formats_agree(name, fmt):
    path = DATA / name
    assert detect_format(path.read_bytes()) == fmt
    s = load_export(path)
    got = _by_status(s)
    assert _increase(got["200"][1]) == 140
    assert _increase(got["503"][1]) == 5
    assert got["200"][0][0] == 1700000000


def test_nan_counted_not_kept():
    s = load_export(DATA / "tiny_matrix.json")
    assert s.quality.get("nan") == 1
    assert not np.isnan(s.value).any()


def test_two_exposition_snapshots_give_increase():
    s = load_exports([DATA / "metrics-2023-11-14T22-13-20Z.prom", DATA / "metrics-2023-11-14T22-17-20Z.prom"])
    got = _by_status(s)
    assert got["200"] == ([1700000000.0, 1700000240.0], [100.0, 180.0])
    assert got["503"][1] == [5.0, 9.0]


def test_fast_json_path_equals_plain_json(tmp_path):
    rng = np.random.default_rng(1)
    parts = [({"__name__": "x", "i": str(i), "odd": 'q"uo}te'}, 1.7e9 + 15 * np.arange(500),
              np.cumsum(rng.integers(0, 9, 500)).astype(float)) for i in range(5)]
    buf = io.StringIO()
    write_query_range(parts, buf)
    data = buf.getvalue().encode()
    fast = parse_prom_json(data, "t")
    doc = json.loads(data)
    assert len(fast) == len(doc["data"]["result"]) == 5
    for (lab, ts, val), item in zip(fast, doc["data"]["result"]):
        assert lab == item["metric"]
        assert ts.tolist() == [float(t) for t, _ in item["values"]]
        assert val.tolist() == [float(v) for _, v in item["values"]]
    # gzip is detected by content
    p = tmp_path / "x.json.gz"
    p.write_bytes(gzip.compress(data))
    assert len(load_export(p)) == 2500


def test_vector_files_merge_into_series(tmp_path):
    for i, v in enumerate((10, 25)):
        (tmp_path / f"v{i}.json").write_text(json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": {"__name__": "up_total"}, "value": [1700000000 + 60 * i, str(v)]}]}}))
    s = load_exports([tmp_path])
    assert s.value.tolist() == [10.0, 25.0]


def test_overlapping_exports_are_deduplicated(tmp_path):
    parts = [({"__name__": "c_total"}, 1.7e9 + 60 * np.arange(10), np.arange(10.0))]
    for name, sl in (("a.json", slice(0, 6)), ("b.json", slice(4, 10))):
        buf = io.StringIO()
        write_query_range([(parts[0][0], parts[0][1][sl], parts[0][2][sl])], buf)
        (tmp_path / name).write_text(buf.getvalue())
    s = load_exports([tmp_path / "a.json", tmp_path / "b.json"])
    assert s.value.tolist() == list(range(10))
    assert s.quality["duplicates"] == 2


def test_grafana_long_form_and_epoch_ms(tmp_path):
    p = tmp_path / "long.csv"
    p.write_text('Series,Time,Value\nhttp_requests_total{status="200"},1700000000000,1\n'
                 'http_requests_total{status="200"},1700000060000,4\n')
    s = load_export(p)
    assert s.ts.tolist() == [1700000000.0, 1700000060.0] and s.value.tolist() == [1.0, 4.0]


@pytest.mark.parametrize("content,exc,needle", [
    (b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[3,',
     SourceError, "invalid JSON at line 1"),
    (b"", DataError, "empty export"),
    (b'{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution"}', SourceError,
     "exceeded maximum resolution"),
    (b"a,b\n1,2\n", SourceError, "no time column"),
    (b'# TYPE x counter\nx_total 1\nthis is not a sample\n', SourceError, ":3: cannot parse line"),
])
def test_bad_exports_one_line(tmp_path, content, exc, needle):
    p = tmp_path / "bad.dat"
    p.write_bytes(content)
    with pytest.raises(exc) as ei:
        load_export(p)
    msg = str(ei.value)
    assert needle in msg and str(p) in msg and "\n" not in msg


def test_merge_single_is_identity():
    s = load_export(DATA / "tiny.om")
    assert merge([s]) is s


def test_tidy_frame_has_labels_timestamp_value():
    df = load_export(DATA / "tiny.om").frame()
    assert list(df.columns) == ["status", "__name__", "timestamp", "value"] or set(df.columns) == {
        "status", "__name__", "timestamp", "value"}
    assert len(df) == 8 and str(df["timestamp"].dt.tz) == "UTC"
    assert df.loc[df["status"] == "503", "value"].tolist() == [5.0, 7.0, 1.0, 3.0]


def test_bad_value_in_fast_path_names_the_series(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"a_total"},'
                 '"values":[[1700000000,"1"],[1700000060,"oops"]]}]}}')
    with pytest.raises(SourceError) as ei:
        load_export(p)
    assert "a_total" in str(ei.value) or "result[0]" in str(ei.value)
