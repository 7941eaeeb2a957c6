"""``ws-audit`` and ``ws-target`` end to end: exit codes, JSON, SARIF (schema-valid), JUnit, problems on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from analysis.cli import main as cli_main
from analysis.config import project_root
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.sources.targets import ThreadedTarget
from tests.integration.wsaudit_helpers import CANARY
from tests.ports import free_port

pytestmark = pytest.mark.integration
SCHEMA = json.loads(Path("tests/data/wsaudit/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
API_CANARY = "canary-pubsub-api-key-7d1c0e9f55"


def test_cli_json_exit_codes_and_no_secret(monkeypatch, capsys):
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    with ThreadedTarget("vulnerable", CANARY) as vul, ThreadedTarget("secure", CANARY) as sec:
        rc_v = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", vul.url, "--json"])
        out_v = capsys.readouterr()
        rc_s = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", sec.url,
                         "--probes", "identity,isolation,claimed_identity"])
        out_s = capsys.readouterr()
    assert rc_v == 1 and rc_s == 0
    doc = json.loads(out_v.out)
    assert set(doc) >= {"target", "profile", "verdict", "probes"} and doc["verdict"] == "FAIL"
    assert all(set(p) >= {"id", "title", "status", "evidence", "ms"} for p in doc["probes"])
    assert len(doc["probes"]) == len(PROBE_IDS)
    assert "claimed_identity" in out_s.out and "PASS" in out_s.out
    for text in (out_v.out, out_v.err, out_s.out, out_s.err):
        assert CANARY not in text


def test_cli_writes_schema_valid_sarif_and_junit(tmp_path, monkeypatch, capsys):
    """The pub/sub server in its identity-header mode: FAIL (exit 1), one SARIF result per non-passing probe."""
    monkeypatch.setenv("WS_PUBSUB_SECRET", CANARY)
    monkeypatch.setenv("WS_PUBSUB_API_KEY", API_CANARY)
    sarif, junit = tmp_path / "ws.sarif", tmp_path / "ws.xml"
    with ThreadedTarget("pubsub_header", CANARY, api_key=API_CANARY) as t:
        rc = cli_main(["ws-audit", "--profile", "profiles/pubsub.yaml", "--url", t.url, "--sarif", str(sarif),
                       "--junit", str(junit)])
    out = capsys.readouterr()
    assert rc == 1 and "claimed_identity" in out.out
    log = json.loads(sarif.read_text())
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(log)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert set(results) == {"ws-audit/claimed_identity", "ws-audit/exp_nbf"}
    claimed = results["ws-audit/claimed_identity"]
    assert claimed["kind"] == "fail" and claimed["level"] == "error"
    assert results["ws-audit/exp_nbf"]["kind"] == "review"
    root = ET.parse(junit).getroot()
    assert root.get("failures") == "1" and root.get("tests") == str(len(PROBE_IDS))
    for text in (sarif.read_text(), junit.read_text(), out.out, out.err):
        assert CANARY not in text and API_CANARY not in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_bad_input_is_one_line(monkeypatch, capsys):
    monkeypatch.delenv("WS_JWT_SECRET", raising=False)
    url = f"ws://127.0.0.1:{free_port()}/ws"
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("ws-audit: profiles/infra_mind.yaml: secret_env: names environment variable WS_JWT_SECRET, "
                   "which is not set")
    assert cli_main(["ws-audit", "--profile", "tests/data/bad/wsaudit/unknown_key.yaml"]) == 2
    assert "unknown key" in capsys.readouterr().err
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--probes", "nope"]) == 2
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", "http://x"]) == 2
    capsys.readouterr()
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--sarif", "/nonexistent/dir/x.sarif"]) == 2
    assert capsys.readouterr().err == "error: --sarif: folder /nonexistent/dir does not exist\n"


def test_cli_refused_target_reports_error_rows(monkeypatch, capsys):
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    url = f"ws://127.0.0.1:{free_port()}/ws"
    rc = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", url, "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 2 and doc["verdict"] == "ERROR" and doc["probes"][0]["status"] == "ERROR"


@pytest.mark.parametrize("mode,scheme_path", [("vulnerable", "/api/performance/ws"),
                                              ("pubsub", "/connection/websocket")])
def test_ws_target_command_generates_secrets_without_printing_them(mode, scheme_path):
    env = {k: v for k, v in os.environ.items() if k not in ("WS_JWT_SECRET", "WS_PUBSUB_API_KEY")}
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "ws-target", "--mode", mode, "--port", "0"],
                            cwd=project_root(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3 if mode == "pubsub" else 2)]
    finally:
        proc.terminate()
        proc.wait(5)
    assert "generated" in lines[0] and "not shown" in lines[0]
    assert "listening on ws://127.0.0.1:" in lines[-1] and scheme_path in lines[-1]
    if mode == "pubsub":
        assert lines[1].startswith("API key: $WS_PUBSUB_API_KEY is unset")
