"""The checklist: 21 probes in order, and docs/ws-token-probes.md shows exactly the same table."""

from __future__ import annotations

from analysis.config import project_root
from analysis.wsaudit.checklist import IDENTITY_PROBES, PROBE_IDS, PROBES
from analysis.wsaudit.report import checklist


def test_21_probes_in_order():
    assert [p.n for p in PROBES] == list(range(1, 22)) and len(set(PROBE_IDS)) == 21
    assert PROBE_IDS[0] == "baseline" and PROBE_IDS[-1] == "persistence"
    assert set(IDENTITY_PROBES) <= set(PROBE_IDS)


def test_docs_page_holds_the_checklist_table():
    text = (project_root() / "docs" / "ws-token-probes.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")][2:]  # after the header and rule
    expected = [f"| {probe} | {r['checks']} | {r['secure behaviour']} |" for probe, r in checklist().iterrows()]
    assert text.count("| probe | checks | secure behaviour |") == 1 and rows == expected
    assert 'What "rejected" means' in text
