"""Text exposition and OpenMetrics: labels, timestamps, snapshot times, one error per bad line."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import SourceError
from analysis.slo.sources.exposition import parse_text, snapshot_time, to_epoch


def test_exposition_timestamps_are_milliseconds_and_labels_unescaped():
    data = b'# HELP x help\nx_total{path="/a\\"b",msg="l1\\nl2"} 3 1700000000000\nx_total 4 1700000060000\n'
    parts = parse_text(data, Path("m.prom"), openmetrics=False)
    (lab1, ts1, v1), (lab2, ts2, v2) = parts
    assert lab1 == {"path": '/a"b', "msg": "l1\nl2", "__name__": "x_total"} and ts1.tolist() == [1700000000.0]
    assert lab2 == {"__name__": "x_total"} and v2.tolist() == [4.0]


def test_openmetrics_needs_eof():
    with pytest.raises(SourceError, match="without '# EOF'"):
        parse_text(b"x_total 1 1700000000\n", Path("m.om"), openmetrics=True)


@pytest.mark.parametrize("line,needle", [
    (b'x_total{a=~"b"} 1', "cannot parse labels {a=~\"b\"}"),
    (b"x_total{a='b'} 1", "cannot parse labels {a='b'}"),
    (b"x_total abc", "bad sample value 'abc'"),
    (b"x_total 1 12e", "bad timestamp '12e'"),
])
def test_bad_lines_name_file_and_line(line, needle):
    with pytest.raises(SourceError) as ei:
        parse_text(b"# TYPE x counter\n" + line + b"\n", Path("m.prom"), openmetrics=False)
    assert str(ei.value).startswith("m.prom:2: ") and needle in str(ei.value)


def test_snapshot_time_from_comment_then_name():
    assert snapshot_time(Path("m.prom"), ["# scraped_at: 2023-11-14T22:13:20Z", "x 1"]) == 1700000000.0
    assert snapshot_time(Path("m.prom"), ["# scraped_at 1700000000000"]) == 1700000000.0  # milliseconds
    assert snapshot_time(Path("metrics-2023-11-14T22-13-20Z.prom"), ["x 1"]) == 1700000000.0
    assert snapshot_time(Path("scrape_1700000060.prom"), ["x 1"]) == 1700000060.0


def test_snapshot_time_falls_back_to_mtime(tmp_path):
    p = tmp_path / "metrics.prom"
    p.write_text("x 1\n")
    assert snapshot_time(p, ["x 1"]) == p.stat().st_mtime


def test_to_epoch():
    assert to_epoch("2023-11-14_22-13Z", "w") == 1699999980.0
    assert to_epoch("2023-11-14T23:13:20+01:00", "w") == 1700000000.0
    with pytest.raises(SourceError, match="w: cannot parse time 'yesterday'"):
        to_epoch("yesterday", "w")
