"""Synthetic audits for the report and results tests (no connection is opened)."""

from __future__ import annotations

import pytest

from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.profile import parse_profile
from analysis.wsaudit.result import Audit, Case, ProbeResult, WsAuditResult, overall_verdict


def synthetic_audit(statuses: dict[str, str], baseline_ok: bool = True, name: str = "t") -> Audit:
    """All 21 probes PASS except ``statuses`` (probe id → status), one case each."""
    results = [ProbeResult(p.n, p.id, p.title, statuses.get(p.id, "PASS"), "ev", 1.0,
                           [Case("c", statuses.get(p.id, "PASS"), "why", {"header": {"alg": "HS256"}}, {"frames": []})])
               for p in PROBES]
    return Audit(f"ws://{name}", "infra_mind", overall_verdict(results, baseline_ok), results, 10.0, baseline_ok)


@pytest.fixture
def make_audit():
    return synthetic_audit


@pytest.fixture
def make_result():
    profile = parse_profile({"url": "ws://127.0.0.1:9/ws", "secret_env": "WS_JWT_SECRET"}, "synthetic.yaml")
    return lambda audits: WsAuditResult(profile, audits)
