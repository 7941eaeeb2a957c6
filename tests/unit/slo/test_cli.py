"""``python -m analysis slo``: flags → pipeline.run arguments; the verdict → exit code; output shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.errors import SourceError
from analysis.slo import pipeline
from analysis.slo.evaluate import evaluate
from analysis.slo.objectives import Window
from analysis.slo.params import SloParams
from tests.unit.slo.helpers import ratio_slo, samples_from


def _evaluation(bad_minute: float, zero: bool = False):
    n = 61
    good, bad = np.full(n, 0.0 if zero else 980.0), np.zeros(n)
    bad[30] = bad_minute
    return evaluate([ratio_slo(0.99, name="avail", window=Window("rolling", seconds=3600))], samples_from(good, bad))


@pytest.fixture
def calls(monkeypatch):
    """Replace pipeline.run; the test sets ``calls["result"]`` and reads ``calls["params"]``."""
    got: dict = {"params": []}

    def fake_run(p):
        got["params"].append(p)
        if isinstance(got.get("result"), Exception):
            raise got["result"]
        return got["result"]

    monkeypatch.setattr(pipeline, "run", fake_run)
    return got


@pytest.mark.parametrize("bad_minute,zero,status,code", [
    (1200.0, False, "FAIL", 1),  # 2 % errors on a 1 % budget
    (6.0, False, "PASS", 0),
    (0.0, True, "WARN", 0),      # no traffic: NO_DATA makes the verdict WARN, still exit 0
])
def test_verdict_gives_the_exit_code(calls, capsys, bad_minute, zero, status, code):
    calls["result"] = _evaluation(bad_minute, zero)
    rc = main(["slo", "--catalog", "c.yaml", "--export", "a.json", "b.csv"])
    out = capsys.readouterr().out
    assert rc == code
    assert f"\n{status}: " in out and out.startswith("evaluated at 2023-11-14T23:14:00Z from ")
    (p,) = calls["params"]
    assert p == SloParams(catalog="c.yaml", source="export", export_paths=["a.json", "b.csv"])


def test_live_flags_reach_the_parameters(calls, capsys):
    calls["result"] = _evaluation(6.0)
    rc = main(["slo", "--catalog", "c.yaml", "--prometheus", "https://prom:9090", "--token-env", "PROM_TOKEN",
               "--at", "2026-11-01T00:00:00Z", "--window", "7d", "--step", "15", "--timeout", "5", "--json"])
    assert rc == 0
    (p,) = calls["params"]
    assert p == SloParams(catalog="c.yaml", source="prometheus", prometheus_url="https://prom:9090",
                          prometheus_token_env="PROM_TOKEN", evaluation_time="2026-11-01T00:00:00Z",
                          window_override="7d", step_s=15.0, timeout_s=5.0)
    reports = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in reports] == ["avail"] and reports[0]["status"] == "PASS"


def test_out_file_holds_the_json(calls, capsys, tmp_path):
    calls["result"] = _evaluation(1200.0)
    out = tmp_path / "sub" / "r.json"
    rc = main(["slo", "--catalog", "c.yaml", "--export", "a.json", "--out", str(out)])
    assert rc == 1
    (rep,) = json.loads(out.read_text())
    assert rep["name"] == "avail" and rep["status"] == "FAIL" and rep["compliant"] is False
    assert "FAIL: 0 of 1 SLOs met; avail budget overspent by 100 %" in capsys.readouterr().out


def test_errors_are_one_line_exit_2_and_no_report(calls, capsys, tmp_path):
    calls["result"] = SourceError("x.json: invalid JSON at line 3 column 1: Expecting value")
    out = tmp_path / "r.json"
    rc = main(["slo", "--catalog", "c.yaml", "--export", "x.json", "--out", str(out)])
    assert rc == 2 and not out.exists()
    assert capsys.readouterr().err == "error: x.json: invalid JSON at line 3 column 1: Expecting value\n"


def test_bad_parameter_never_reaches_the_pipeline(calls, capsys):
    rc = main(["slo", "--catalog", "c.yaml", "--export", "a.json", "--at", "soon"])
    assert rc == 2 and calls["params"] == []
    assert "parameter 'evaluation_time': cannot parse time 'soon'" in capsys.readouterr().err


def test_missing_source_is_argparse_error(calls):
    with pytest.raises(SystemExit) as ei:
        main(["slo", "--catalog", "c.yaml"])
    assert ei.value.code == 2 and calls["params"] == []


CATALOG = """version: 1
service: t
slos:
  - name: avail
    target: 99
    window: 1h
    sli:
      ratio:
        good: 'req_total{code="200"}'
        total: req_total
"""
#: The issue's export (issue 20): the only series holds a staleness marker and +Inf.
NAN_INF_EXPORT = {"status": "success", "data": {"resultType": "matrix", "result": [
    {"metric": {"__name__": "req_total", "code": "200"}, "values": [[1, "NaN"], [2, "+Inf"]]}]}}


@pytest.fixture
def nan_inf_files(tmp_path):
    (tmp_path / "c.yaml").write_text(CATALOG)
    (tmp_path / "e.json").write_text(json.dumps(NAN_INF_EXPORT))
    return str(tmp_path / "c.yaml"), str(tmp_path / "e.json")


def test_dropped_samples_are_said_in_the_text_output(nan_inf_files, capsys):
    """Read for real (no patched pipeline): the text names the NaN and the +Inf, and claims no coverage."""
    catalog, export = nan_inf_files
    assert main(["slo", "--catalog", catalog, "--export", export]) == 0
    out = capsys.readouterr().out
    assert "WARN: 0 of 1 SLOs met; 1 without data; data quality: 1 NaN staleness marker and 1 +Inf/−Inf or negative " \
           "counter value dropped" in out
    assert "avail: 1 NaN sample(s) (Prometheus staleness markers) dropped" in out
    assert "avail: 1 +Inf/−Inf or negative counter value(s) dropped" in out
    assert "every sample of the SLO's series was dropped" in out and "covers" not in out


def test_dropped_samples_are_in_the_json_output(nan_inf_files, capsys):
    catalog, export = nan_inf_files
    assert main(["slo", "--catalog", catalog, "--export", export, "--json"]) == 0
    (rep,) = json.loads(capsys.readouterr().out)
    assert rep["status"] == "NO_DATA" and "every sample of the SLO's series was dropped" in rep["no_data_reason"]
    assert rep["data"]["dropped_samples"] == {"nan": {'req_total{code="200"}': 1}, "invalid": {'req_total{code="200"}': 1}}
    assert any("NaN" in w for w in rep["warnings"]) and any("+Inf" in w for w in rep["warnings"])
