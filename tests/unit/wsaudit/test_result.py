"""Probe status from cases, a target's verdict, the evidence summary."""

from __future__ import annotations

from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.result import Case, combine, summarise


def test_combine_and_overall(make_audit):
    assert combine(["PASS", "N/A"]) == "PASS" and combine(["N/A"]) == "N/A" and combine([]) == "N/A"
    assert combine(["PASS", "WARN", "ERROR"]) == "ERROR" and combine(["ERROR", "FAIL"]) == "FAIL"
    assert make_audit({"origin": "WARN"}).verdict == "WARN"
    assert make_audit({"persistence": "ERROR"}).verdict == "WARN"
    assert make_audit({"baseline": "ERROR"}, baseline_ok=False).verdict == "ERROR"
    assert make_audit({"baseline": "FAIL"}).verdict == "FAIL"


def test_summary_names_the_worst_cases_only():
    cases = [Case("a", "PASS", "fine")] + [Case(f"f{i}", "FAIL", f"bad {i}") for i in range(6)]
    text = summarise(cases)
    assert text.startswith("f0: bad 0; f1: bad 1") and "a: fine" not in text
    assert text.endswith("; … (+2 more FAIL)")
    assert len(summarise([Case("x", "WARN", "y" * 900)])) == 700


def test_audit_json_shape(make_audit):
    a = make_audit({"identity": "FAIL"})
    doc = a.to_json()
    assert set(doc) == {"target", "profile", "verdict", "ms", "probes"} and len(doc["probes"]) == len(PROBES)
    assert a.status_of("identity") == "FAIL" and a.status_of("nope") == "N/A"
    assert doc["probes"][0]["cases"][0] == {"label": "c", "status": "PASS", "reason": "why", "unjudged": "",
                                            "sent": {"header": {"alg": "HS256"}}, "received": {"frames": []}}
    a.problems = ["p.yaml: secret_env: names environment variable X, which is not set"]
    assert a.to_json()["problems"] == a.problems


def test_info_counts_as_pass_and_leads_the_summary():
    assert combine(["INFO", "PASS"]) == "PASS" and combine(["INFO"]) == "PASS" and combine(["INFO", "WARN"]) == "WARN"
    cases = [Case("alg RS256", "PASS", "rejected"), Case("alg HS384", "INFO", "accepted: not a forgery")]
    assert summarise(cases).startswith("alg HS384: accepted: not a forgery; alg RS256: rejected")
