"""Grafana panel CSV: wide and long forms, epoch and ISO times, legends, one-line errors."""

from __future__ import annotations

import pytest

from analysis.errors import DataError, SourceError
from analysis.slo.sources.export import load_export
from analysis.slo.sources.grafana_csv import parse_grafana_csv


def test_grafana_long_form_and_epoch_ms(tmp_path):
    p = tmp_path / "long.csv"
    p.write_text('Series,Time,Value\nhttp_requests_total{status="200"},1700000000000,1\n'
                 'http_requests_total{status="200"},1700000060000,4\n')
    s = load_export(p)
    assert s.ts.tolist() == [1700000000.0, 1700000060.0] and s.value.tolist() == [1.0, 4.0]


def test_wide_form_with_iso_times_series_names_and_legends():
    data = ('Time;x_total{job="a"};Requests - API\n'
            "2023-11-14T22:13:20Z;1;5\n2023-11-14T22:14:20Z;3;null\n").encode()
    (a, b) = parse_grafana_csv(data, "w.csv")
    assert a[0] == {"__name__": "x_total", "job": "a"} and a[1].tolist() == [1700000000.0, 1700000060.0]
    assert b[0] == {"__name__": "Requests - API"} and b[2][0] == 5 and b[2][1] != b[2][1]  # null → NaN


@pytest.mark.parametrize("text,exc,needle", [
    ("Time,x\n2023-11-14T22:13:20Z,1\n2023-11-14T22:14:20Z,abc\n", SourceError, "line 3: column 'x': not a number"),
    ("Time,x\n", DataError, "CSV has a header but no rows"),
    ("Time\n1700000000\n", DataError, "no series columns"),
])
def test_errors(text, exc, needle):
    with pytest.raises(exc) as ei:
        parse_grafana_csv(text.encode(), "g.csv")
    assert needle in str(ei.value) and str(ei.value).startswith("g.csv: ")
