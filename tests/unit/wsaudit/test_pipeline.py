"""pipeline.run: what it hands the battery, and the worker-thread boundary (no connection opened here)."""

from __future__ import annotations

import asyncio

import pytest

from analysis.errors import ConfigError
from analysis.params import validate
from analysis.wsaudit import pipeline
from analysis.wsaudit.params import WsAuditParams
from analysis.wsaudit.result import WsAuditResult


def test_run_hands_the_params_to_the_targets(monkeypatch, make_audit):
    got = {}

    async def fake(profile, targets, *, url="", probes=None, pubsub_profile=None):
        got.update(profile=profile, targets=targets, url=url, probes=probes, pubsub=pubsub_profile)
        return {t: make_audit({}) for t in targets}

    monkeypatch.setattr(pipeline, "audit_targets", fake)
    p = validate(WsAuditParams, {"targets": ["profile", "secure"], "url": "wss://staging.example/ws",
                                 "probes": ["identity"]})
    result = pipeline.run(p)
    assert isinstance(result, WsAuditResult) and list(result.audits) == ["profile", "secure"]
    assert result.profile.name == "infra_mind" and got["profile"] is result.profile
    assert got["targets"] == ["profile", "secure"] and got["url"] == "wss://staging.example/ws"
    assert got["probes"] == ["identity"] and got["pubsub"] is None  # no pub/sub target: its profile is not read
    pipeline.run(validate(WsAuditParams, {}))
    assert got["probes"] is None and got["url"] == "" and got["pubsub"].name == "pubsub"


def test_run_reports_a_bad_profile_before_any_connection(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("url: ws://127.0.0.1:9/ws\nsecret_env: WS_JWT_SECRET\nsecrte_env: typo\n")
    with pytest.raises(ConfigError, match="unknown key 'secrte_env'"):
        pipeline.run(validate(WsAuditParams, {"profile": str(bad)}))


def test_run_in_thread_returns_raises_and_times_out():
    async def value():
        return 42

    async def boom():
        raise ConfigError("x.yaml: broken")

    async def slow():
        await asyncio.sleep(5)

    assert pipeline.run_in_thread(value, timeout=5) == 42
    with pytest.raises(ConfigError, match="broken"):
        pipeline.run_in_thread(boom, timeout=5)
    with pytest.raises(TimeoutError, match="did not finish"):
        pipeline.run_in_thread(slow, timeout=0.2)
