"""Verdict logic of the report: controls, real targets, matrix shape (synthetic audits)."""

from __future__ import annotations

import json

import pytest

from analysis.record import Verdict
from analysis.wsaudit.report import checklist, counts, findings, matrix, style_matrix, text_table, to_json, verdict

GOOD_SECURE = {"transport": "N/A"}
GOOD_VULN = {"identity": "FAIL", "isolation": "FAIL", "alg_none": "FAIL", "origin": "WARN"}


def test_controls_behaving_give_pass(make_audit, make_result):
    v = verdict(make_result({"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(GOOD_VULN)}))
    assert isinstance(v, Verdict)
    assert v.status == "PASS" and "discriminates" in v.headline and v.next_steps
    assert v.figures["secure: verdict"] == "PASS" and v.figures["vulnerable: verdict"] == "FAIL"
    assert v.headline == ("The battery discriminates: the secure reference target passes all 20 applicable probes; "
                          "the seed's mock-auth target fails 3 including identity and isolation.")
    assert v.figures["secure: PASS/FAIL/WARN/N/A/ERROR"] == "20/0/0/1/0"
    assert v.figures["vulnerable: battery wall time (s)"] == 0.01


@pytest.mark.parametrize("vuln", [{"isolation": "FAIL"}, {"identity": "FAIL"}, {}, {"identity": "WARN", "isolation": "FAIL"}])
def test_negative_control_not_detected_is_error(vuln, make_audit, make_result):
    v = verdict(make_result({"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(vuln)}))
    assert v.status == "ERROR" and "negative control" in v.headline


def test_positive_control_failing_is_error(make_audit, make_result):
    v = verdict(make_result({"secure": make_audit({"alg_none": "FAIL"}), "vulnerable": make_audit(GOOD_VULN)}))
    assert v.status == "ERROR" and "alg_none=FAIL" in v.headline
    assert verdict(make_result({"secure": make_audit({"expiry_open": "WARN"})})).status == "ERROR"


@pytest.mark.parametrize("real,expected", [({}, "PASS"), ({"origin": "WARN"}, "WARN"), ({"identity": "FAIL"}, "FAIL"),
                                           ({"kid_injection": "ERROR"}, "WARN")])
def test_real_target_verdicts(real, expected, make_audit, make_result):
    v = verdict(make_result({"profile": make_audit(real)}))
    assert v.status == expected and v.next_steps
    if expected == "FAIL":
        assert "identity" in v.headline and any("MOCK AUTH" in s for s in v.next_steps)


def test_real_target_without_baseline_is_error(make_audit, make_result):
    v = verdict(make_result({"profile": make_audit({"baseline": "ERROR"}, baseline_ok=False)}))
    assert v.status == "ERROR" and "baseline" in v.headline


def test_matrix_and_findings_shape(make_audit):
    audits = {"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(GOOD_VULN)}
    m = matrix(audits)
    assert list(m.columns) == ["title", "secure", "vulnerable"] and len(m) == 21
    assert m.loc["16 identity", "vulnerable"] == "FAIL"
    f = findings(audits)
    assert set(f["probe"]) == {"16 identity", "17 isolation", "05 alg_none", "18 origin"}
    assert (f["note"] == "expected: negative control").all()
    assert "background-color" in style_matrix(m).to_html()


def test_counts_table_and_json(make_audit):
    a = make_audit(GOOD_VULN)
    c = counts({"vulnerable": a})
    assert c.loc["vulnerable"].to_dict() == {"PASS": 17, "FAIL": 3, "WARN": 1, "N/A": 0, "ERROR": 0,
                                             "verdict": "FAIL"}
    assert json.loads(to_json(a)) == a.to_json()
    lines = text_table(a).splitlines()
    assert lines[0] == "target ws://t  profile infra_mind  verdict FAIL  (0.0 s)" and len(lines) == 22
    assert len(checklist()) == 21
