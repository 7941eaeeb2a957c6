"""Export files: every format gives the same samples; detection, merging, one-line errors."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import DataError, SourceError
from analysis.samples.prometheus_files import write_query_range
from analysis.slo.series import build
from analysis.slo.sources.export import detect_format, expand_paths, load_export, load_exports

DATA = Path(__file__).resolve().parents[3] / "data" / "slo"


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


def test_exposition_is_detected():
    assert detect_format((DATA / "metrics-2023-11-14T22-13-20Z.prom").read_bytes()) == "exposition"
    assert detect_format(b'up{job="a"} 1\n') == "exposition"
    assert detect_format(b"  \n") == "empty"


def test_two_exposition_snapshots_give_increase():
    s = load_exports([DATA / "metrics-2023-11-14T22-13-20Z.prom", DATA / "metrics-2023-11-14T22-17-20Z.prom"])
    got = _by_status(s)
    assert got["200"] == ([1700000000.0, 1700000240.0], [100.0, 180.0])
    assert got["503"][1] == [5.0, 9.0]


def test_gzip_is_detected_by_content(tmp_path):
    p = tmp_path / "x.dat"
    p.write_bytes(gzip.compress((DATA / "tiny.om").read_bytes()))
    assert len(load_export(p)) == 8
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b" + b"not gzip")
    with pytest.raises(SourceError, match="corrupt gzip file"):
        load_export(tmp_path / "broken.gz")


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


def test_directories_stand_for_their_export_files(tmp_path):
    for name in ("b.json", "a.om", "README.md", ".hidden", "c.yaml"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.om", "b.json"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="directory holds no export files"):
        expand_paths([tmp_path / "empty"])
    with pytest.raises(SourceError, match="is a directory"):
        load_export(tmp_path)


@pytest.mark.parametrize("content,exc,needle", [
    (b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[3,',
     SourceError, "invalid JSON at line 1"),
    (b"", DataError, "empty export"),
    (b'{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution"}', SourceError,
     "exceeded maximum resolution"),
    (b"a,b\n1,2\n", SourceError, "no time column"),
    (b'# TYPE x counter\nx_total 1\nthis is not a sample\n', SourceError, ":3: cannot parse line"),
    (b'{"status":"success","data":{"resultType":"matrix","result":[]}}', DataError, "holds no samples (prom-json)"),
])
def test_bad_exports_one_line(tmp_path, content, exc, needle):
    p = tmp_path / "bad.dat"
    p.write_bytes(content)
    with pytest.raises(exc) as ei:
        load_export(p)
    msg = str(ei.value)
    assert needle in msg and str(p) in msg and "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="export file not found"):
        load_export(tmp_path / "nope.json")


def test_embedded_export_is_the_documented_model():
    """The bundled file is exactly what analysis.samples.traffic generates (no hand edits)."""
    from analysis.config import data_dir
    from analysis.samples.traffic import generate

    s = load_export(data_dir() / "prometheus" / "infra_mind_30d_5m.json.gz")
    ref = build(generate(histogram_count=False))
    assert s.labels == ref.labels
    assert np.array_equal(s.ts, ref.ts) and np.array_equal(s.value, ref.value)
