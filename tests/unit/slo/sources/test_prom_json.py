"""Prometheus API JSON: the fast numpy path equals a plain parse; malformed results are one line."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import SourceError
from analysis.samples.prometheus_files import write_query_range
from analysis.slo.sources.export import load_export
from analysis.slo.sources.prom_json import parse_prom_json

DATA = Path(__file__).resolve().parents[3] / "data" / "slo"


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


def test_nan_counted_not_kept():
    s = load_export(DATA / "tiny_matrix.json")
    assert s.quality.get("nan") == 1
    assert not np.isnan(s.value).any()


def test_bad_value_in_fast_path_names_the_series(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"a_total"},'
                 '"values":[[1700000000,"1"],[1700000060,"oops"]]}]}}')
    with pytest.raises(SourceError) as ei:
        load_export(p)
    assert "a_total" in str(ei.value) or "result[0]" in str(ei.value)


@pytest.mark.parametrize("doc,needle", [
    ({"status": "success", "data": {"resultType": "scalar", "result": [1, "2"]}}, "unsupported resultType 'scalar'"),
    ({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}}, "result[0] is malformed"),
    ({"hello": "world"}, "not a Prometheus API response"),
])
def test_malformed_documents(doc, needle):
    with pytest.raises(SourceError) as ei:
        parse_prom_json(json.dumps(doc).encode(), "f.json")
    assert needle in str(ei.value) and str(ei.value).startswith("f.json: ")
