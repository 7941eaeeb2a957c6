"""JUnit XML of a run: one testcase per notebook, so CI systems show the verdicts natively.

FAIL → ``<failure>``, ERROR → ``<error>``, PASS/WARN pass (WARN notes its headline in
``<system-out>``); the message is the headline, the text holds the key figures and the change
since the baseline. Headlines quote audited systems: ElementTree escapes markup, and
:func:`analysis.escape.xml_clean` makes characters XML 1.0 forbids visible text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..escape import xml_clean
from ..fileio import write_atomic
from ..record import figure_label, format_figure
from .changes import describe
from .result import NotebookResult, RunSummary


def _details(r: NotebookResult, change: dict | None) -> str:
    """The text of a testcase: headline, figures, change since the baseline, error."""
    info = r.figure_info
    lines = [r.headline, *(f"{figure_label(k, info.get(k))}: {format_figure(v, info.get(k, {}).get('unit', ''))}"
                           for k, v in r.figures.items())]
    if change:
        lines.append(f"since last run: {describe(change)}")
    if r.error:
        lines.append(f"error: {r.error}")
    return "\n".join(lines)


def junit_xml(summary: RunSummary) -> bytes:
    """The JUnit document (UTF-8 bytes with an XML declaration).

    Parameters
    ----------
    summary : RunSummary
        The finished run.
    """
    by_name = {c["notebook"]: c for c in summary.changes}
    suite = ET.Element("testsuite", {
        "name": "infra-mind-audit", "tests": str(len(summary.notebooks)),
        "failures": str(sum(r.status == "FAIL" for r in summary.notebooks)),
        "errors": str(sum(r.status == "ERROR" for r in summary.notebooks)), "skipped": "0",
        "time": f"{sum(r.seconds for r in summary.notebooks):.2f}", "timestamp": summary.started[:19],
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("run_id", summary.run_id), ("params_hash", summary.params_hash),
                        ("baseline", (summary.baseline or {}).get("run_id", ""))):
        ET.SubElement(props, "property", {"name": name, "value": str(value or "")})
    for r in summary.notebooks:
        case = ET.SubElement(suite, "testcase", {"classname": "infra-mind-audit", "name": r.name, "time": f"{r.seconds:.2f}"})
        text = _details(r, by_name.get(r.name))
        if r.status in ("FAIL", "ERROR"):
            tag = "failure" if r.status == "FAIL" else "error"
            ET.SubElement(case, tag, {"message": r.headline, "type": r.status}).text = text
        else:
            ET.SubElement(case, "system-out").text = f"{r.status}: {text}"
    root = ET.Element("testsuites", {"name": "infra-mind-audit", "tests": suite.get("tests", "0"),
                                     "failures": suite.get("failures", "0"), "errors": suite.get("errors", "0")})
    root.append(suite)
    ET.indent(xml_clean(root))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_junit(summary: RunSummary, path: Path) -> None:
    """Write :func:`junit_xml` to ``path`` (atomically: a reader never sees half a file)."""
    write_atomic(path, junit_xml(summary))
