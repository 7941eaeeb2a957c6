"""JUnit XML of WebSocket audits: one test suite per target, one test case per probe.

FAIL → ``<failure>`` (message: the evidence; text: the worst cases, the fix and the
references), ERROR → ``<error>``, N/A → ``<skipped>``, WARN → a passing case whose
``<system-out>`` says WARN and why (CI gates on FAIL; WARN is a policy to review), PASS →
a passing case. Evidence quotes what the target sent (frames, close reasons, HTTP bodies):
ElementTree escapes markup, and :func:`analysis.escape.xml_clean` makes characters XML 1.0
forbids (a control character in a frame) visible text, so the document always parses.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..escape import xml_clean
from .checklist import spec
from .result import Audit, ProbeResult


def _detail(r: ProbeResult) -> str:
    p = spec(r.id)
    cases = "\n".join(f"- {c.label}: {c.status} — {c.reason}" for c in r.cases if c.status == r.status)
    return (f"{cases}\nfix: {p.fix}\nreferences: OWASP ASVS 5.0 {p.asvs}; {p.wstg}; {p.cwe}; {p.rfc}; "
            f"severity {p.severity}")


def _case(suite: ET.Element, name: str, r: ProbeResult) -> None:
    tc = ET.SubElement(suite, "testcase", classname=f"ws-audit.{name}", name=f"{r.n:02d} {r.id}: {r.title}",
                       time=f"{r.ms / 1000:.3f}")
    if r.status == "FAIL":
        ET.SubElement(tc, "failure", message=r.evidence, type="FAIL").text = _detail(r)
    elif r.status == "ERROR":
        ET.SubElement(tc, "error", message=r.evidence, type="ERROR").text = _detail(r)
    elif r.status == "N/A":
        ET.SubElement(tc, "skipped", message=r.evidence)
    elif r.status == "WARN":
        ET.SubElement(tc, "system-out").text = f"WARN (policy to review): {r.evidence}\n{_detail(r)}"


def junit_xml(audits: dict[str, Audit]) -> str:
    """The JUnit XML document of ``audits`` (UTF-8 text with an XML declaration)."""
    root = ET.Element("testsuites", name="ws-audit")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for name, a in audits.items():
        n = {"tests": len(a.results), "failures": sum(r.status == "FAIL" for r in a.results),
             "errors": sum(r.status == "ERROR" for r in a.results),
             "skipped": sum(r.status == "N/A" for r in a.results)}
        suite = ET.SubElement(root, "testsuite", name=f"ws-audit {name} ({a.target})",
                              time=f"{a.ms / 1000:.3f}", **{k: str(v) for k, v in n.items()})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="verdict", value=a.verdict)
        ET.SubElement(props, "property", name="profile", value=a.profile)
        for r in a.results:
            _case(suite, name, r)
        totals = {k: totals[k] + n[k] for k in totals}
    root.attrib.update({k: str(v) for k, v in totals.items()})
    ET.indent(xml_clean(root))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
