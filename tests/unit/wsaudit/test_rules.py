"""The one rule of what a probe judges (issue 20 item 4), and the frames of the message-limits probe (issue 22)."""

from __future__ import annotations

import json

from analysis.wsaudit.forge import Forger
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.lifecycle import DISCOVERY_STEPS, OVERSIZE_FACTOR
from analysis.wsaudit.probes.cases import NOT_A_FORGERY, attacker_can_make, judge_keyed
from analysis.wsaudit.probes.limits import frame_of
from analysis.wsaudit.profile import load_profile
from analysis.wsaudit.result import INFO, Case

SECRET = "unit-test-secret-0123456789abcdef0123"


def _forger():
    p = load_profile("profiles/infra_mind.yaml")
    return Forger(p, load_keys(p, secret=SECRET))


def test_only_tokens_signed_with_the_real_key_are_not_attacker_made():
    fg = _forger()
    keyed = fg.header_abuse() + [f for f in fg.disallowed_algs() if f.header["alg"].startswith("HS")]
    assert keyed and not any(attacker_can_make(f) for f in keyed)
    assert all(f.meta["rfc"].startswith("RFC ") for f in fg.header_abuse())
    made = [fg.x5c(), *fg.alg_none(), *fg.jwk_header(), *fg.tampered(), *fg.wrong_key(), *fg.psychic()]
    assert all(attacker_can_make(f) for f in made)


def test_judge_keyed_turns_only_the_keyed_fails():
    fg = _forger()
    crit, x5c = fg.header_abuse()[0], fg.x5c()
    cases = [Case("crit", "FAIL", "accepted"), Case("x5c", "FAIL", "accepted"), Case("b64", "PASS", "rejected")]
    judge_keyed([crit, x5c, fg.header_abuse()[2]], cases, "WARN", lambda f: f.meta["rfc"])
    assert [c.status for c in cases] == ["WARN", "FAIL", "PASS"]
    assert cases[0].reason.startswith("accepted: RFC 7515 §4.1.11") and cases[0].reason.endswith(NOT_A_FORGERY)
    info = [Case("HS512", "FAIL", "accepted")]
    judge_keyed([fg.disallowed_algs()[0]], info, INFO, lambda f: "same family")
    assert info[0].status == INFO


def test_frames_are_exactly_their_size_and_the_steps_are_bounded():
    for size in (1024, *DISCOVERY_STEPS[:3]):
        text = frame_of(size)
        assert len(text.encode()) == size and json.loads(text)["type"] == "ws-audit-oversized"
    assert DISCOVERY_STEPS[0] == (16 << 10) + 1 and DISCOVERY_STEPS[-1] == (16 << 20) + 1
    assert sum(DISCOVERY_STEPS) < 22 << 20 and OVERSIZE_FACTOR >= 2
