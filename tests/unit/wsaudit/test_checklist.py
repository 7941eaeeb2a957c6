"""The checklist: 28 probes in order with references; docs/ws-token-probes.md shows exactly the same tables."""

from __future__ import annotations

import re

from analysis.config import project_root
from analysis.wsaudit.checklist import IDENTITY_PROBES, PROBE_IDS, PROBES, SEVERITIES, spec
from analysis.wsaudit.report import checklist, references


def test_probes_in_order_with_references():
    assert [p.n for p in PROBES] == list(range(1, 29)) and len(set(PROBE_IDS)) == 28
    assert PROBE_IDS[0] == "baseline" and PROBE_IDS[20] == "persistence"
    assert set(IDENTITY_PROBES) <= set(PROBE_IDS)
    for p in PROBES:
        assert p.severity in SEVERITIES, p.id
        assert re.fullmatch(r"\d+\.\d+\.\d+", p.asvs), p.id
        assert re.fullmatch(r"WSTG-[A-Z]{4}-\d\d", p.wstg), p.id
        assert re.fullmatch(r"CWE-\d+", p.cwe), p.id
        assert re.fullmatch(r"RFC \d{4} §[\d.]+", p.rfc), p.id
        assert p.fix.endswith(".") and p.fix.count(". ") == 0, p.id  # one sentence
    assert spec("claimed_identity").asvs == "4.1.3" and spec("psychic_sig").cwe == "CWE-347"


def _table(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("| "):
            break
        rows.append(line)
    return rows


def test_docs_page_holds_the_checklist_and_references_tables():
    text = (project_root() / "docs" / "ws-token-probes.md").read_text(encoding="utf-8")
    head = "| probe | checks | secure behaviour | severity |"
    expected = [f"| {r['probe']} | {r['checks']} | {r['secure behaviour']} | {r['severity']} |"
                for _, r in checklist().iterrows()]
    assert text.count(head) == 1 and _table(text, head) == expected
    head = "| probe | ASVS 5.0 | WSTG | CWE | RFC | fix |"
    expected = [f"| {r['probe']} | {r['ASVS 5.0']} | {r['WSTG']} | {r['CWE']} | {r['RFC']} | {r['fix']} |"
                for _, r in references().iterrows()]
    assert text.count(head) == 1 and _table(text, head) == expected
    assert 'What "rejected" means' in text
