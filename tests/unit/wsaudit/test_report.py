"""Verdict logic of the report: controls, real targets, tables (synthetic audits)."""

from __future__ import annotations

import json

import pytest

from analysis.record import Verdict
from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.report import (attacker_gets, checklist, counts, findings, matrix, probe_counts_text,
                                     references, text_table, to_json, unjudged, verdict)
from analysis.wsaudit.result import Case

N = len(PROBES)
GOOD_SECURE = {"transport": "N/A"}
GOOD_VULN = {"identity": "FAIL", "isolation": "FAIL", "alg_none": "FAIL", "origin": "WARN"}
GOOD_PUBSUB = {"transport": "N/A", "exp_nbf": "WARN"}
GOOD_HEADER = {"transport": "N/A", "exp_nbf": "WARN", "claimed_identity": "FAIL"}


def _controls(make_audit):
    return {"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(GOOD_VULN),
            "pubsub": make_audit(GOOD_PUBSUB), "pubsub_header": make_audit(GOOD_HEADER)}


def test_on_the_controls_the_verdict_is_about_the_seed_design_with_the_controls_as_evidence(make_audit, make_result):
    """Embedded defaults audit the seed's design (the vulnerable target): FAIL, with what an attacker gets; the
    controls that discriminate are the evidence the verdict can be trusted (issue 20: it used to be a PASS)."""
    v = verdict(make_result(_controls(make_audit)))
    assert isinstance(v, Verdict)
    assert v.status == "FAIL" and v.next_steps[0].startswith("Do not ship the seed's WebSocket handler")
    assert v.headline == (f"The seed's WebSocket design (mock auth) fails 3 of {N} applicable probes: an attacker can "
                          "act as any user by naming them (no key needed), read and act on other users' resources "
                          "and have forged tokens accepted. The battery discriminates, so the verdict can be trusted: "
                          f"the secure control passes all {N - 1} applicable probes; the pub/sub control (another "
                          "design) is WARN (policy: exp_nbf); its identity-header mode fails claimed_identity.")
    assert v.figures["secure: verdict"] == "PASS" and v.figures["vulnerable: verdict"] == "FAIL"
    assert v.figures["secure: PASS/FAIL/WARN/N/A/ERROR"] == f"{N - 1}/0/0/1/0"
    assert v.figures["vulnerable: battery wall time (s)"] == 0.01
    assert v.figure_info["secure: battery wall time (s)"]["key"] is False
    key = v.key_figures()
    assert list(key) == ["vulnerable: probes failed", "vulnerable: probe results", "secure: probe results",
                         "pubsub: probe results", "pubsub_header: probe results"]  # the audited system first
    assert key["pubsub: probe results"] == f"{N - 2} passed, 1 warning, 1 not applicable"
    assert key["vulnerable: probe results"] == f"{N - 4} passed, 3 failed, 1 warning"
    assert key["vulnerable: probes failed"] == 3 and v.figure_info["vulnerable: probes failed"]["unit"] == "probes"
    labels = [v.figure_info[k]["label"] for k in key]
    assert labels[:3] == ["Seed design (mock auth): probes failed", "Seed design (mock auth)", "Secure control"]
    assert all(label and "_" not in label for label in labels)


def test_attacker_gains_and_counts_in_words(make_audit):
    a = make_audit({"claimed_identity": "FAIL", "wrong_key": "FAIL", "alg_none": "FAIL", "persistence": "FAIL",
                    "origin": "WARN"})
    assert attacker_gets(a) == ["act as any user by naming them (no key needed)", "have forged tokens accepted",
                                "defeat 'Persistence: baseline still accepted at the end'"]
    assert probe_counts_text(a) == f"{N - 5} passed, 4 failed, 1 warning"
    assert attacker_gets(make_audit({"origin": "WARN"})) == []


def test_the_seed_design_without_a_positive_control_is_not_cross_checked(make_audit, make_result):
    v = verdict(make_result({"vulnerable": make_audit(GOOD_VULN)}))
    assert v.status == "FAIL" and v.headline.endswith("Not cross-checked: no positive control ran (add the secure or "
                                                      "pubsub target).")


@pytest.mark.parametrize("vuln", [{"isolation": "FAIL"}, {"identity": "FAIL"}, {},
                                  {"identity": "WARN", "isolation": "FAIL"}])
def test_negative_control_not_detected_is_error(vuln, make_audit, make_result):
    v = verdict(make_result({"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(vuln)}))
    assert v.status == "ERROR" and "negative control" in v.headline


def test_pubsub_controls(make_audit, make_result):
    v = verdict(make_result({"pubsub_header": make_audit(GOOD_PUBSUB)}))
    assert v.status == "ERROR" and "pubsub_header reference target did not FAIL claimed_identity" in v.headline
    v = verdict(make_result({"pubsub": make_audit({"isolation": "FAIL"})}))
    assert v.status == "ERROR" and "pubsub reference target got isolation=FAIL" in v.headline
    v = verdict(make_result({"pubsub": make_audit({"exp_nbf": "WARN"})}))  # a PASS until issue 20: nothing was audited
    assert v.status == "WARN" and v.headline.startswith("No system audited: only reference controls ran (pubsub).")
    assert "the pub/sub control (another design) is WARN (policy: exp_nbf)" in v.headline
    assert verdict(make_result({"pubsub": make_audit({"kid_injection": "ERROR"})})).status == "ERROR"


def test_positive_control_failing_is_error(make_audit, make_result):
    v = verdict(make_result({"secure": make_audit({"alg_none": "FAIL"}), "vulnerable": make_audit(GOOD_VULN)}))
    assert v.status == "ERROR" and "alg_none=FAIL" in v.headline
    assert verdict(make_result({"secure": make_audit({"expiry_open": "WARN"})})).status == "ERROR"


@pytest.mark.parametrize("real,expected", [({}, "PASS"), ({"origin": "WARN"}, "WARN"), ({"identity": "FAIL"}, "FAIL"),
                                           ({"kid_injection": "ERROR"}, "WARN"),
                                           ({"claimed_identity": "FAIL"}, "FAIL")])
def test_real_target_verdicts(real, expected, make_audit, make_result):
    v = verdict(make_result({"profile": make_audit(real)}))
    assert v.status == expected and v.next_steps
    if expected == "FAIL":
        assert any("MOCK AUTH" in s for s in v.next_steps)


def test_real_target_says_what_could_not_judge(make_audit, make_result):
    a = make_audit({})
    iso = next(r for r in a.results if r.id == "isolation")
    iso.cases = [Case("valid token for A subscribes to B's resource", "PASS", "no acknowledgement",
                      unjudged="no reply to the subscription and no victim traffic")]
    v = verdict(make_result({"profile": a}))
    assert v.status == "PASS" and "1 probe(s) could not fully judge (isolation" in v.headline
    t = unjudged({"profile": a})
    assert t.to_dict("records") == [{"target": "profile", "probe": "17 isolation",
                                     "case": "valid token for A subscribes to B's resource", "status": "PASS",
                                     "why it could not judge": "no reply to the subscription and no victim traffic"}]


def test_real_target_without_baseline_is_error(make_audit, make_result):
    v = verdict(make_result({"profile": make_audit({"baseline": "ERROR"}, baseline_ok=False)}))
    assert v.status == "ERROR" and "baseline" in v.headline
    a = make_audit({"baseline": "ERROR"}, baseline_ok=False)
    a.problems = ["p.yaml: private_key_env: names environment variable K, which is not set"]
    v = verdict(make_result({"profile": a}))
    assert v.status == "ERROR" and "private_key_env" in v.headline


def test_matrix_and_findings_shape(make_audit):
    audits = {"secure": make_audit(GOOD_SECURE), "vulnerable": make_audit(GOOD_VULN)}
    m = matrix(audits)
    assert list(m.columns) == ["probe", "title", "secure", "vulnerable"] and len(m) == N
    assert m.set_index("probe").loc["16 identity", "vulnerable"] == "FAIL"
    f = findings(audits)
    assert list(f["probe"]) == ["05 alg_none", "16 identity", "17 isolation", "18 origin"]
    assert (f["note"] == "negative control").all() and (f["target"] == "vulnerable").all()
    row = f[f["probe"] == "05 alg_none"].iloc[0]
    assert row["severity"] == "critical" and row["fix"].startswith("Pin the accepted algorithms")
    assert row["request"] == 'header {"alg": "HS256"}'
    assert f[f["probe"] == "18 origin"].iloc[0]["severity"] == ""


def test_info_cases_are_in_the_evidence_table_without_a_fix(make_audit):
    a = make_audit({})
    conf = next(r for r in a.results if r.id == "alg_confusion")
    conf.cases = [Case("alg HS384", "INFO", "accepted: not a forgery", {"header": {"alg": "HS384"}}, {"frames": []})]
    f = findings({"pubsub": a})
    assert f[["probe", "status", "fix"]].to_dict("records") == [{"probe": "08 alg_confusion", "status": "INFO",
                                                                  "fix": ""}]


def test_counts_table_and_json(make_audit):
    a = make_audit(GOOD_VULN)
    c = counts({"vulnerable": a}).set_index("target")
    assert c.loc["vulnerable"].to_dict() == {"PASS": N - 4, "FAIL": 3, "WARN": 1, "N/A": 0, "ERROR": 0,
                                             "verdict": "FAIL"}
    assert json.loads(to_json(a)) == a.to_json()
    lines = text_table(a).splitlines()
    assert lines[0] == "target ws://t  profile infra_mind  verdict FAIL  (0.0 s)" and len(lines) == N + 1
    a.problems = ["x.yaml: victim_messages[1]: not valid JSON (Expecting value)"]
    assert text_table(a).splitlines()[1] == "  problem: x.yaml: victim_messages[1]: not valid JSON (Expecting value)"


def test_checklist_and_references_tables():
    c, r = checklist(), references()
    assert len(c) == len(r) == N and list(c.columns) == ["probe", "checks", "secure behaviour", "severity"]
    assert list(r.columns) == ["probe", "ASVS 5.0", "WSTG", "CWE", "RFC", "fix"]
    assert r.iloc[4].to_dict() == {"probe": "05 alg_none", "ASVS 5.0": "9.1.2", "WSTG": "WSTG-SESS-10",
                                   "CWE": "CWE-347", "RFC": "RFC 8725 §3.1",
                                   "fix": "Pin the accepted algorithms in the verifier; never accept 'none'."}


def test_a_real_target_is_audited_and_the_seed_design_is_then_a_control(make_audit, make_result):
    audits = {"profile": make_audit({"identity": "FAIL"}), **_controls(make_audit)}
    v = verdict(make_result(audits))
    assert v.status == "FAIL" and v.headline.startswith("ws://t: 1 probe(s) FAIL (identity) — token handling is not "
                                                        "proven safe: an attacker can act as any user by naming them")
    assert "The battery discriminates, so the verdict can be trusted: the secure control passes" in v.headline
    assert "the seed's design fails identity and isolation" in v.headline
    assert list(v.key_figures())[:2] == ["profile: probes failed", "profile: probe results"]
    assert v.figure_info["vulnerable: probe results"]["label"] == "Negative control: seed design (mock auth)"
