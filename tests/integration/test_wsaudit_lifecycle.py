"""The lifecycle probes and the bad-input paths against live targets: ECDSA, keyless runs, revoke, private CAs."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import jwt
import pytest

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.jws import b64url_decode
from analysis.wsaudit.keys import generate_keys, load_keys
from analysis.wsaudit.profile import load_profile, parse_profile
from analysis.wsaudit.sources import pubsub_target
from analysis.wsaudit.sources.reference_target import ReferenceTarget
from analysis.wsaudit.sources.targets import reference_target
from tests.integration.wsaudit_helpers import SECRET, cases, private_ca, statuses

pytestmark = pytest.mark.integration


def _run(mode, profile, keys, probes=None, target_keys=None, **kw):
    """The battery against a reference target for ``profile`` (its keys default to ``keys``)."""
    async def go():
        async with reference_target(mode, target_keys or keys, profile, **kw) as t:
            return await run_battery(profile.with_url(t.url), keys, probes=probes)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def es256():
    p = load_profile("tests/data/wsaudit/es256_no_key.yaml")
    return p, generate_keys(p)


def test_secure_target_verifies_ecdsa_and_rejects_psychic_signatures(es256):
    p, keys = es256
    a = _run("secure", p, keys, probes=["psychic_sig", "alg_confusion", "header_abuse", "wrong_key"])
    assert statuses(a) == {"baseline": "PASS", "wrong_key": "PASS", "alg_confusion": "PASS", "psychic_sig": "PASS",
                           "header_abuse": "PASS"}, a.to_json()
    conf = cases(a, "alg_confusion")
    assert conf["HS256 keyed with public key (PEM with trailing newline)"].status == "PASS"


class _PsychicTarget(ReferenceTarget):
    """A secure target whose ECDSA check has the CVE-2022-21449 bug: r = s = 0 verifies."""

    def _verify(self, token):
        try:
            sig = b64url_decode(token.rsplit(".", 1)[1])
            header = jwt.get_unverified_header(token)
        except (ValueError, IndexError, jwt.PyJWTError, AttributeError):
            return super()._verify(token)
        zeros = not any(sig.replace(bytes.fromhex("3006020100020100"), b""))  # raw zeros, or the DER of r = s = 0
        if header.get("alg", "").startswith("ES") and sig and zeros:
            return jwt.decode(token, options={"verify_signature": False})
        return super()._verify(token)


def test_a_psychic_signature_bug_is_caught(es256):
    p, keys = es256
    claims = p.claims

    async def go():
        async with _PsychicTarget("secure", "", algorithms=["ES256"], public_key=keys.verify_key,
                                  issuer=claims["iss"], audience=claims["aud"]) as t:
            return await run_battery(p.with_url(t.url), keys, probes=["psychic_sig"])

    a = asyncio.run(go())
    assert statuses(a) == {"baseline": "PASS", "psychic_sig": "FAIL"}
    assert {c.status for c in cases(a, "psychic_sig").values()} == {"FAIL"}


def test_an_ecdsa_profile_without_a_key_runs_what_it_can(es256):
    p, target_keys = es256
    keys = load_keys(p)  # no private_key_env: keyless
    sec = _run("secure", p, keys, target_keys=target_keys)
    vul = _run("vulnerable", p, keys, target_keys=target_keys)
    line = "tests/data/wsaudit/es256_no_key.yaml: private_key_env: required by algorithm ES256 (names the env var)"
    assert sec.problems == [line] and sec.verdict == "ERROR" and not sec.baseline_accepted
    st = statuses(sec)
    assert st["baseline"] == st["tampered"] == st["exp_nbf"] == st["iss_aud_type"] == "ERROR"
    assert f"needs the signing key: {line}" in sec.results[0].evidence
    assert st["alg_none"] == st["psychic_sig"] == st["claimed_identity"] == st["no_token"] == "N/A"
    assert "unproven: no accepted baseline" in next(r for r in sec.results if r.id == "alg_none").evidence
    assert cases(sec, "header_abuse")["crit / cty / b64 (signed with the configured key)"].status == "ERROR"
    vst = statuses(vul)  # acceptances of attacker tokens stand without a key
    assert vst["alg_none"] == vst["psychic_sig"] == vst["claimed_identity"] == "FAIL" and vul.verdict == "FAIL"


def test_a_revoke_endpoint_that_does_not_answer_is_one_error_row(tmp_path):
    async def go():
        async def hang(reader, writer):
            await asyncio.sleep(30)

        api = await asyncio.start_server(hang, "127.0.0.1", 0)
        port = api.sockets[0].getsockname()[1]
        base = load_profile("profiles/infra_mind.yaml")
        p = parse_profile({**_raw("profiles/infra_mind.yaml"), "reply_timeout_s": 0.5,
                           "revoke": {"url": f"http://127.0.0.1:{port}/logout", "headers": {"Authorization":
                                                                                          "Bearer {token}"}}},
                          "hang.yaml")
        keys = load_keys(base, secret=SECRET)
        try:
            async with reference_target("secure", keys, p) as t:
                t0 = time.perf_counter()
                a = await run_battery(p.with_url(t.url), keys, probes=["revocation", "alg_none"])
                return a, time.perf_counter() - t0, port
        finally:
            api.close()

    a, wall, port = asyncio.run(go())
    assert wall < 5 and statuses(a) == {"baseline": "PASS", "alg_none": "PASS", "revocation": "ERROR"}
    (case,) = cases(a, "revocation").values()
    assert case.reason == (f"revoke: POST http://127.0.0.1:{port}/logout did not answer within 0.5 s; nothing about "
                           "revocation could be judged")
    assert a.verdict == "WARN"


def _raw(path):
    from analysis.yamlio import load_yaml
    return dict(load_yaml(path))


def test_a_victim_message_that_is_not_json_is_its_own_error_row():
    raw = {**_raw("profiles/infra_mind.yaml"), "victim_messages": [
        '{"type": "get_assessment", "data": {"id": "{victim_resource}"}}', '{"type": broken']}
    p = parse_profile(raw, "vm.yaml")
    keys = load_keys(p, secret=SECRET)
    a = _run("secure", p, keys, probes=["message_authz"])
    c = list(cases(a, "message_authz").values())
    assert [x.status for x in c] == ["PASS", "ERROR"]
    assert c[1].label == "victim_messages[1]"
    assert c[1].reason.startswith("vm.yaml: victim_messages[1]: not valid JSON (")
    assert a.problems == [c[1].reason] and statuses(a)["message_authz"] == "ERROR"


def test_private_ca_wss_and_https_revoke(tmp_path):
    """wss:// with a certificate of a private CA named by ca_file; the HTTP revoke trusts it too."""
    ca, ctx = private_ca(tmp_path)
    p = replace(load_profile("profiles/pubsub.yaml"), ca_file=str(ca))
    p = p.with_url(p.url.replace("ws://", "wss://"))
    keys = generate_keys(p)
    a = _run("pubsub", p, keys, probes=["revocation", "transport", "alg_none"], ssl_context=ctx)
    assert statuses(a) == {"baseline": "PASS", "transport": "PASS", "alg_none": "PASS", "revocation": "PASS"}
    notes = cases(a, "revocation")["open socket after the revoke"].received["notes"]
    assert notes[0].startswith("revoked: POST https://127.0.0.1:")


def test_policies_of_the_pubsub_server_follow_the_profile():
    """require_exp turns the missing exp into a FAIL; without the documented grace, expiry_open WARNs."""
    p = replace(load_profile("profiles/pubsub.yaml"), require_exp=True, expiry_grace_s=0.0)
    keys = generate_keys(p)
    a = _run("pubsub", p, keys, probes=["exp_nbf", "expiry_open"], expiry_grace_s=2.0)
    assert statuses(a) == {"baseline": "PASS", "exp_nbf": "FAIL", "expiry_open": "WARN"}
    assert "set expiry_grace_s" in next(r for r in a.results if r.id == "expiry_open").evidence


def test_isolation_by_acknowledgement_needs_reply_ids(monkeypatch):
    """A server that lets A subscribe to B's channel and confirms with {"id": n, "subscribe": {}} only."""
    monkeypatch.setattr(pubsub_target._Socket, "allowed", lambda self, ch: True)
    monkeypatch.setattr(pubsub_target._Socket, "subscribe", lambda self, rid, body: [{"id": rid, "subscribe": {}}])
    p = load_profile("profiles/pubsub.yaml")
    keys = generate_keys(p)
    a = _run("pubsub", p, keys, probes=["isolation"], push_interval_s=60)
    iso = cases(a, "isolation")["valid token for A subscribes to B's resource"]
    assert iso.status == "FAIL" and iso.reason == "subscription acknowledged for personal:#ws-audit-user-b"
    blind = _run("pubsub", replace(p, reply_id_path=""), keys, probes=["isolation"], push_interval_s=60)
    iso = cases(blind, "isolation")["valid token for A subscribes to B's resource"]
    assert iso.status == "PASS" and "silence is not a refusal" in iso.unjudged  # said plainly, not hidden
