"""``ws-audit``: flags → pipeline.run (patched) → table or JSON → the verdict's exit code."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.wsaudit import pipeline
from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.params import WsAuditParams

PROFILE = "profiles/infra_mind.yaml"


@pytest.fixture
def fake_run(monkeypatch, make_audit, make_result):
    """Patch pipeline.run: record the params it got, return a synthetic audit of the real target."""
    calls: list[WsAuditParams] = []
    outcome = {"statuses": {}, "baseline_ok": True}

    def run(params):
        calls.append(params)
        return make_result({"profile": make_audit(outcome["statuses"], outcome["baseline_ok"], "staging")})

    monkeypatch.setattr(pipeline, "run", run)
    return calls, outcome


@pytest.mark.parametrize("statuses,baseline_ok,rc", [({}, True, 0), ({"origin": "WARN"}, True, 0),
                                                     ({"identity": "FAIL"}, True, 1),
                                                     ({"baseline": "ERROR"}, False, 2)])
def test_exit_code_is_the_verdicts(fake_run, capsys, statuses, baseline_ok, rc):
    calls, outcome = fake_run
    outcome.update(statuses=statuses, baseline_ok=baseline_ok)
    assert main(["ws-audit", "--profile", PROFILE]) == rc
    assert calls == [WsAuditParams(profile=PROFILE, url="", probes=[], targets=["profile"])]
    assert capsys.readouterr().out.startswith("target ws://staging  profile infra_mind  verdict ")


def test_flags_reach_the_pipeline_and_json_is_printed(fake_run, capsys):
    calls, _ = fake_run
    rc = main(["ws-audit", "--profile", PROFILE, "--url", "wss://staging.example/ws", "--probes",
               " identity, isolation ,", "--json"])
    assert rc == 0
    assert calls == [WsAuditParams(profile=PROFILE, url="wss://staging.example/ws", probes=["identity", "isolation"],
                                   targets=["profile"])]
    doc = json.loads(capsys.readouterr().out)
    assert doc["target"] == "ws://staging" and doc["verdict"] == "PASS" and len(doc["probes"]) == len(PROBES)


@pytest.mark.parametrize("argv,message", [(["--probes", "nope"], "parameter 'probes': 'nope' is not one of"),
                                          (["--url", "http://x"], "parameter 'url': 'http://x' is not a ws://")])
def test_bad_flags_are_one_line_and_never_run(fake_run, capsys, argv, message):
    calls, _ = fake_run
    assert main(["ws-audit", "--profile", PROFILE, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert calls == []
