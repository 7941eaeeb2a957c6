"""Verdict logic of the report: controls, real targets, matrix shape (synthetic audits)."""

from __future__ import annotations

import pytest

from analysis.wsaudit.probes import PROBES, Audit, Case, ProbeResult, combine, overall_verdict
from analysis.wsaudit.report import findings, matrix, notebook_verdict, style_matrix


def _audit(statuses: dict[str, str], baseline_ok: bool = True, name: str = "t") -> Audit:
    results = [ProbeResult(p.n, p.id, p.title, statuses.get(p.id, "PASS"), "ev", 1.0,
                           [Case("c", statuses.get(p.id, "PASS"), "why", {"header": {"alg": "HS256"}}, {"frames": []})])
               for p in PROBES]
    return Audit(f"ws://{name}", "infra_mind", overall_verdict(results, baseline_ok), results, 10.0, baseline_ok)


GOOD_SECURE = {"transport": "N/A"}
GOOD_VULN = {"identity": "FAIL", "isolation": "FAIL", "alg_none": "FAIL", "origin": "WARN"}


def test_combine_and_overall():
    assert combine(["PASS", "N/A"]) == "PASS" and combine(["N/A"]) == "N/A" and combine([]) == "N/A"
    assert combine(["PASS", "WARN", "ERROR"]) == "ERROR" and combine(["ERROR", "FAIL"]) == "FAIL"
    assert _audit({"origin": "WARN"}).verdict == "WARN"
    assert _audit({"persistence": "ERROR"}).verdict == "WARN"
    assert _audit({"baseline": "ERROR"}, baseline_ok=False).verdict == "ERROR"
    assert _audit({"baseline": "FAIL"}).verdict == "FAIL"


def test_controls_behaving_give_pass():
    status, head, figures, steps = notebook_verdict({"secure": _audit(GOOD_SECURE), "vulnerable": _audit(GOOD_VULN)})
    assert status == "PASS" and "discriminates" in head and steps
    assert figures["secure: verdict"] == "PASS" and figures["vulnerable: verdict"] == "FAIL"


@pytest.mark.parametrize("vuln", [{"isolation": "FAIL"}, {"identity": "FAIL"}, {}, {"identity": "WARN", "isolation": "FAIL"}])
def test_negative_control_not_detected_is_error(vuln):
    status, head, _, _ = notebook_verdict({"secure": _audit(GOOD_SECURE), "vulnerable": _audit(vuln)})
    assert status == "ERROR" and "negative control" in head


def test_positive_control_failing_is_error():
    status, head, _, _ = notebook_verdict({"secure": _audit({"alg_none": "FAIL"}), "vulnerable": _audit(GOOD_VULN)})
    assert status == "ERROR" and "alg_none=FAIL" in head
    status, _, _, _ = notebook_verdict({"secure": _audit({"expiry_open": "WARN"})})
    assert status == "ERROR"


@pytest.mark.parametrize("real,expected", [({}, "PASS"), ({"origin": "WARN"}, "WARN"), ({"identity": "FAIL"}, "FAIL"),
                                           ({"kid_injection": "ERROR"}, "WARN")])
def test_real_target_verdicts(real, expected):
    status, head, _, steps = notebook_verdict({"profile": _audit(real)})
    assert status == expected and steps
    if expected == "FAIL":
        assert "identity" in head and any("MOCK AUTH" in s for s in steps)


def test_real_target_without_baseline_is_error():
    status, head, _, _ = notebook_verdict({"profile": _audit({"baseline": "ERROR"}, baseline_ok=False)})
    assert status == "ERROR" and "baseline" in head


def test_matrix_and_findings_shape():
    audits = {"secure": _audit(GOOD_SECURE), "vulnerable": _audit(GOOD_VULN)}
    m = matrix(audits)
    assert list(m.columns) == ["title", "secure", "vulnerable"] and len(m) == 21
    assert m.loc["16 identity", "vulnerable"] == "FAIL"
    f = findings(audits)
    assert set(f["probe"]) == {"16 identity", "17 isolation", "05 alg_none", "18 origin"}
    assert (f["note"] == "expected: negative control").all()
    assert "background-color" in style_matrix(m).to_html()
