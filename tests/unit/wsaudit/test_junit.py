"""JUnit XML: one suite per target, one case per probe, FAIL/ERROR/N/A/WARN mapped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.junit import junit_xml


def test_junit_document(make_audit):
    audits = {"profile": make_audit({"alg_none": "FAIL", "origin": "WARN", "kid_injection": "ERROR",
                                     "transport": "N/A"}), "secure": make_audit({})}
    text = junit_xml(audits)
    assert text.startswith("<?xml")
    root = ET.fromstring(text)
    assert root.tag == "testsuites" and root.get("tests") == str(2 * len(PROBES))
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "1", "1")
    suite = root.find("testsuite")
    assert suite.get("name") == "ws-audit profile (ws://t)" and suite.find("properties/property").get("value") == "FAIL"
    cases = {c.get("name").split(":")[0]: c for c in suite.findall("testcase")}
    failure = cases["05 alg_none"].find("failure")
    assert failure.get("type") == "FAIL" and "fix: Pin the accepted algorithms" in failure.text
    assert "CWE-347" in failure.text and "severity critical" in failure.text
    assert cases["12 kid_injection"].find("error") is not None and cases["19 transport"].find("skipped") is not None
    assert cases["18 origin"].find("failure") is None and "WARN" in cases["18 origin"].find("system-out").text
    assert list(cases["01 baseline"]) == []
