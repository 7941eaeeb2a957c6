"""A real target whose baseline handshake was refused: the verdict's headline carries the hint (issue 22)."""

from __future__ import annotations

from analysis.wsaudit.report import verdict


def test_the_headline_names_the_likely_cause(make_audit, make_result):
    a = make_audit({"baseline": "ERROR"}, baseline_ok=False)
    a.results[0].evidence = ("baseline: baseline handshake refused (HTTP 403) — likely cause: missing Origin: the "
                             "server accepts the handshake with Origin: http://127.0.0.1:8000")
    v = verdict(make_result({"profile": a}))
    assert v.status == "ERROR" and "likely cause: missing Origin" in v.headline
    plain = make_audit({"baseline": "ERROR"}, baseline_ok=False)
    assert "the baseline token was not accepted" in verdict(make_result({"profile": plain})).headline
