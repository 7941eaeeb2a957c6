"""The whole battery against live in-process targets: the four reference controls, transports, broken servers."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import replace
from http import HTTPStatus

import jwt
import pytest
from websockets.asyncio.server import serve

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.pipeline import audit_targets
from analysis.wsaudit.profile import load_profile, parse_profile
from analysis.wsaudit.sources.reference_target import ReferenceTarget
from analysis.wsaudit.sources.targets import reference_target
from tests.integration.wsaudit_helpers import SECRET, Server, cases, private_ca, silent, statuses, timed
from tests.ports import free_port

pytestmark = pytest.mark.integration

SECURE_EXPECTED = {pid: "PASS" for pid in PROBE_IDS} | {"transport": "N/A"}
VULNERABLE_EXPECTED = {pid: "FAIL" for pid in PROBE_IDS} | {
    "expiry_open": "WARN", "origin": "WARN", "transport": "N/A", "error_oracle": "N/A", "persistence": "PASS",
    "token_in_url": "WARN", "message_limits": "PASS"}
PUBSUB_EXPECTED = SECURE_EXPECTED | {"exp_nbf": "WARN"}
PUBSUB_HEADER_EXPECTED = PUBSUB_EXPECTED | {"claimed_identity": "FAIL"}


@pytest.fixture
def profile():
    return load_profile("profiles/infra_mind.yaml")


@pytest.fixture(scope="module")
def reference_run():
    """The four reference targets, audited once for the module (as notebook 04 does)."""
    p, ps = load_profile("profiles/infra_mind.yaml"), load_profile("profiles/pubsub.yaml")
    return asyncio.run(audit_targets(p, ["secure", "vulnerable", "pubsub", "pubsub_header"], pubsub_profile=ps))


def test_reference_targets_every_expected_verdict(reference_run):
    audits = reference_run
    assert statuses(audits["secure"]) == SECURE_EXPECTED, audits["secure"].to_json()
    assert statuses(audits["vulnerable"]) == VULNERABLE_EXPECTED
    assert statuses(audits["pubsub"]) == PUBSUB_EXPECTED, audits["pubsub"].to_json()
    assert statuses(audits["pubsub_header"]) == PUBSUB_HEADER_EXPECTED
    assert [a.verdict for a in audits.values()] == ["PASS", "FAIL", "WARN", "FAIL"]
    vul = {r.id: r for r in audits["vulnerable"].results}
    # the seed's attack exactly: junk token + forged user_id of B authenticates as B
    junk = vul["identity"].cases[0]
    assert junk.status == "FAIL" and "ws-audit-user-b" in junk.reason and junk.sent["token"] == "junk token"
    assert any(c.received["victim_push"] for c in vul["isolation"].cases)
    # evidence never carries the secret or a signature
    blob = json.dumps([a.to_json() for a in audits.values()])
    assert ".eyJ" not in blob  # no token (header.payload.signature) in the evidence, only header and claims
    base_tok = audits["secure"].results[0].cases[0].sent
    assert set(base_tok) == {"token", "header", "claims", "signed"}


def test_the_pubsub_server_is_judged_on_what_an_attacker_can_do(reference_run):
    """Part 0 of issue 13: a securely configured server of another design is not FAILed for policies."""
    pub = reference_run["pubsub"]
    conf = cases(pub, "alg_confusion")
    assert conf["alg HS384"].status == conf["alg HS512"].status == "INFO"  # real secret: not a forgery
    assert conf["alg RS256"].status == "PASS" and "not a forgery" in conf["alg HS384"].reason
    exp = cases(pub, "exp_nbf")
    assert exp["exp missing"].status == "WARN" and "require_exp" in exp["exp missing"].reason
    assert exp["exp past (beyond leeway)"].status == "PASS"  # a refresh error (109), socket kept open
    assert exp["exp past (beyond leeway)"].received["close_code"] is None
    oracle = cases(pub, "error_oracle")
    reply = oracle["reply by kind of forgery"]
    assert reply.status == "PASS" and "close 3500" in reply.reason
    expiry = cases(pub, "expiry_open")["token expires while connected"]
    assert expiry.status == "PASS" and "close 3005" in expiry.reason and "+2." in expiry.reason
    base = cases(pub, "baseline")["valid token for A"]
    assert base.reason == "acts as 'ws-audit-user-a' by behaviour: A's resource acknowledged, B's refused"
    iso = cases(pub, "isolation")["valid token for A subscribes to B's resource"]
    assert iso.status == "PASS" and iso.reason == "subscription refused" and not iso.unjudged
    ids = cases(pub, "identity")
    assert ids["valid token for A + X-User-Id: ws-audit-user-b"].status == "PASS"
    first = cases(pub, "baseline")["valid token for A"].received["frames"][0]
    assert first.startswith('{"id":1,"connect":{"client":') and first.endswith("\n{}")  # reply + ping, one frame
    claimed = cases(reference_run["pubsub_header"], "claimed_identity")
    assert claimed["no token + X-User-Id: ws-audit-user-b"].status == "FAIL"
    assert claimed["no token + ?user=ws-audit-user-b"].status == "PASS"


def test_lifecycle_probes_on_the_infra_mind_controls(reference_run):
    audits = reference_run
    sec, vul = audits["secure"], audits["vulnerable"]
    rev = cases(sec, "revocation")
    assert "close 4401 token revoked" in rev["open socket after the revoke"].reason
    assert rev["new connection with the revoked token"].status == "PASS"
    vrev = cases(vul, "revocation")
    assert "still acts as A" in vrev["open socket after the revoke"].reason
    assert "still connects" in vrev["new connection with the revoked token"].reason
    authz = [c for c in next(r for r in vul.results if r.id == "message_authz").cases if c.status == "FAIL"]
    assert [json.loads(c.label)["type"] for c in authz] == ["unsubscribe"]
    assert authz[0].sent["message"]["data"]["topic"] == "assessment:ws-audit-assessment-b"
    lim = cases(sec, "message_limits")
    # the frame is a clear step above the profile's limit (issue 22: the old 1 MiB frame equalled daphne's limit)
    assert "close 1009" in lim["one 2,097,152-byte frame (2 × the profile's 1,048,576-byte limit)"].reason
    assert lim["a fresh valid token afterwards"].status == "PASS"
    assert {c.status for c in cases(vul, "psychic_sig").values()} == {"FAIL"}
    assert cases(vul, "token_in_url")["token only in ?token= (no first message)"].status == "WARN"


def test_within_leeway_accepted_by_a_target_with_leeway(monkeypatch):
    p = load_profile("tests/data/wsaudit/leeway_profile.yaml")

    keys = load_keys(p, secret=SECRET)

    async def go():
        async with reference_target("secure", keys, p) as t:
            return await run_battery(p.with_url(t.url), keys, probes=["exp_nbf"])

    a = asyncio.run(go())
    exp = {r.id: r for r in a.results}["exp_nbf"]
    assert exp.status == "PASS", exp.evidence
    assert [c.status for c in exp.cases if c.label == "exp past within leeway"] == ["PASS"]


def test_query_param_transport(monkeypatch):
    p = load_profile("tests/data/wsaudit/query_param_profile.yaml")
    keys = load_keys(p, secret=SECRET)
    probes = ["no_token", "alg_none", "wrong_key", "identity", "token_in_url"]

    async def go(mode):
        async with reference_target(mode, keys, p) as t:
            return await run_battery(p.with_url(t.url), keys, probes=probes)

    sec, vul = asyncio.run(go("secure")), asyncio.run(go("vulnerable"))
    assert statuses(sec) == {"baseline": "PASS", "no_token": "PASS", "alg_none": "PASS", "wrong_key": "PASS",
                             "identity": "PASS", "token_in_url": "WARN"}
    rejected = {r.id: r for r in sec.results}["alg_none"].cases[0].received
    assert rejected["http_status"] == 401
    url = cases(sec, "token_in_url")["token in the query string"]
    assert "RFC 6750 §2.3" in url.reason and "the first message" in url.reason  # the secure target also reads it there
    assert statuses(vul)["identity"] == "FAIL" and statuses(vul)["baseline"] == "FAIL"


def test_keyless_weak_secret_claims_no_pass_it_cannot_prove(monkeypatch, profile):
    """Without the signing key no baseline is accepted: the empty-key token's rejection proves nothing."""
    monkeypatch.delenv(profile.secret_env, raising=False)
    keyless = load_keys(profile)
    assert keyless.missing

    async def go():
        async with reference_target("secure", load_keys(profile, secret=SECRET), profile) as t:
            return await run_battery(profile.with_url(t.url), keyless, probes=["weak_secret"])

    got = cases(asyncio.run(go()), "weak_secret")
    by_label = {label: c.status for label, c in got.items()}
    assert by_label and "PASS" not in by_label.values(), by_label
    assert got["offline common-secret check"].reason == "no baseline token (the signing key is missing)"


# ----------------------------------------------------------------- broken targets
async def _close_now(ws):
    return


async def _non_json(ws):
    await ws.send("hello, this is not JSON")
    await ws.send(b"\x00\x01binary")
    await ws.wait_closed()


def _run_against(profile, url, **kw):
    fast = replace(profile, reply_timeout_s=0.3, url=url)
    t0 = time.perf_counter()
    a = asyncio.run(run_battery(fast, load_keys(fast, secret=SECRET), **kw))
    return a, time.perf_counter() - t0


@pytest.mark.parametrize("handler,why", [(silent, "no accept/reject"), (_close_now, "closed (1000"),
                                         (_non_json, "no accept/reject")])
def test_broken_servers_give_error_rows_in_bounded_time(profile, handler, why):
    a, wall = timed(Server(handler), profile, reply_timeout_s=0.3)
    assert wall < 3
    st = statuses(a)
    assert st["baseline"] == "ERROR" and why in a.results[0].evidence
    assert {s for k, s in st.items() if k not in ("baseline", "transport", "weak_secret")} == {"N/A"}
    assert a.verdict == "ERROR" and len(a.results) == len(PROBE_IDS)
    if handler is _non_json:
        assert any("(non-JSON)" in f for f in a.results[0].cases[0].received["frames"])


def test_refused_connection(profile):
    a, wall = _run_against(profile, f"ws://127.0.0.1:{free_port()}/ws")
    assert wall < 3 and a.results[0].status == "ERROR" and "connection refused" in a.results[0].evidence
    assert a.verdict == "ERROR"


def test_tcp_server_that_never_answers_the_handshake(profile):
    async def go():
        async def hang(reader, writer):
            await asyncio.sleep(30)

        srv = await asyncio.start_server(hang, "127.0.0.1", 0)
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/ws"
        try:
            fast = replace(profile, reply_timeout_s=0.3, url=url)
            return await run_battery(fast, load_keys(fast, secret=SECRET))
        finally:
            srv.close()

    t0 = time.perf_counter()
    a = asyncio.run(go())
    assert time.perf_counter() - t0 < 5
    assert a.results[0].status == "ERROR" and "handshake timed out" in a.results[0].evidence


def test_wss_to_a_plain_server_is_a_tls_error_row(profile):
    async def go():
        async with ReferenceTarget("secure", SECRET) as t:
            fast = replace(profile, reply_timeout_s=0.5, url=t.url.replace("ws://", "wss://"))
            return await run_battery(fast, load_keys(fast, secret=SECRET), probes=["transport"])

    a = asyncio.run(go())
    assert a.results[0].status == "ERROR" and "TLS" in a.results[0].evidence
    assert {r.id: r.status for r in a.results}["transport"] == "PASS"


def test_deadline_bounds_a_target_that_hangs_after_the_baseline(profile):
    calls = {"n": 0}

    class Hangs(ReferenceTarget):
        async def _handler(self, ws):
            calls["n"] += 1
            if calls["n"] == 1:
                return await super()._handler(ws)
            await ws.wait_closed()  # handshake done, then never a frame

    a, wall = timed(Hangs("secure", SECRET), profile, reply_timeout_s=2.0, deadline_s=1.5)
    assert wall < 2.5
    st = statuses(a)
    assert st["baseline"] == "PASS" and st["alg_none"] == "ERROR"
    assert "deadline" in {r.id: r for r in a.results}["alg_none"].evidence


def test_a_target_that_fetches_jku_is_caught(profile):
    class Fetches(ReferenceTarget):
        async def _auth(self, conn, data):
            token = data.get("token")
            try:
                header = jwt.get_unverified_header(token)
            except jwt.PyJWTError:
                header = {}
            for key in ("jku", "x5u"):
                if header.get(key):
                    await asyncio.get_running_loop().run_in_executor(
                        None, lambda u=header[key]: urllib.request.urlopen(u, timeout=1).read())
            await super()._auth(conn, data)

    async def go():
        async with Fetches("secure", SECRET) as t:
            p = replace(profile, url=t.url)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=["jku_x5u", "alg_none"])

    st = statuses(asyncio.run(go()))
    assert st == {"baseline": "PASS", "jku_x5u": "FAIL", "alg_none": "PASS"}


def test_header_transport(profile):
    """Authorization: Bearer at the handshake; 401 on a bad token (a server written against PyJWT directly)."""
    hp = parse_profile({"url": "ws://127.0.0.1:9/ws", "token_transport": "header", "secret_env": "WS_JWT_SECRET",
                        "claims": {"iss": "infra-mind", "aud": "infra-mind-api", "token_type": "access"},
                        "reply_timeout_s": 1.0}, "header.yaml")

    def check(connection, request):
        auth = request.headers.get("Authorization", "")
        try:
            jwt.decode(auth.removeprefix("Bearer "), SECRET, algorithms=["HS256"], audience="infra-mind-api",
                       issuer="infra-mind", options={"require": ["exp", "sub"]})
        except jwt.PyJWTError:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "no\n")
        return None

    class HeaderServer(Server):
        async def __aenter__(self):
            self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, process_request=check)
            self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
            return self

    async def go():
        async with HeaderServer(silent) as s:
            p = hp.with_url(s.url)
            return await run_battery(p, load_keys(p, secret=SECRET),
                                     probes=["no_token", "alg_none", "wrong_key", "exp_nbf"])

    a = asyncio.run(go())
    # no identity_path: acceptance is proven, identity is not → the baseline says WARN, honestly
    assert statuses(a) == {"baseline": "WARN", "no_token": "PASS", "alg_none": "PASS", "wrong_key": "PASS",
                            "exp_nbf": "PASS"}, a.to_json()
    assert "identity unknown" in a.results[0].evidence
    assert {r.id: r for r in a.results}["alg_none"].cases[0].received["http_status"] == 401


def test_untrusted_certificate_is_a_tls_error_row(profile, tmp_path):
    """A certificate of a private CA the profile does not trust (no ca_file): ERROR with the reason, bounded."""
    _, ctx = private_ca(tmp_path)
    a, wall = timed(Server(silent, ssl=ctx), profile, reply_timeout_s=0.5)
    assert wall < 3 and a.results[0].status == "ERROR"
    assert "TLS error" in a.results[0].evidence and "CERTIFICATE_VERIFY_FAILED" in a.results[0].evidence
    assert {r.id: r.status for r in a.results}["transport"] == "PASS"


def test_subprotocol_transport():
    """Token offered as the Sec-WebSocket-Protocol value; 401 on a bad token."""
    sp = parse_profile({"url": "ws://127.0.0.1:9/ws", "token_transport": "subprotocol", "secret_env": "WS_JWT_SECRET",
                        "reply_timeout_s": 1.0}, "subprotocol.yaml")

    def check(connection, request):
        offered = request.headers.get("Sec-WebSocket-Protocol", "")
        try:
            jwt.decode(offered, SECRET, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        except jwt.PyJWTError:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "no\n")
        return None

    class SubprotocolServer(Server):
        async def __aenter__(self):
            self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, process_request=check,
                                      select_subprotocol=lambda conn, offered: offered[0] if offered else None)
            self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
            return self

    async def go():
        async with SubprotocolServer(silent) as s:
            p = sp.with_url(s.url)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=["alg_none", "tampered"])

    a = asyncio.run(go())
    assert statuses(a) == {"baseline": "WARN", "alg_none": "PASS", "tampered": "PASS"}, a.to_json()
    assert {r.id: r for r in a.results}["tampered"].cases[0].received["http_status"] == 401


def test_a_validly_signed_unknown_crit_accepted_is_a_warn_not_a_fail(profile, monkeypatch):
    """Issue 20 item 4 (a false positive on a securely configured Centrifugo 6.9.1): a verifier that ignores crit
    accepts a token signed with the REAL key — an attacker cannot make it, so it is a WARN with the RFC reason."""
    monkeypatch.setattr(jwt.api_jws.PyJWS, "_validate_crit", lambda self, headers: None)  # a crit-blind verifier

    async def go():
        async with ReferenceTarget("secure", SECRET) as t:
            p = replace(profile, url=t.url)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=["header_abuse"])

    a = asyncio.run(go())
    abuse = cases(a, "header_abuse")
    crit = abuse["crit: unknown extension"]
    assert crit.status == "WARN" and "RFC 7515 §4.1.11" in crit.reason and "not a forgery" in crit.reason
    assert abuse["x5c: attacker certificate chain"].status == "PASS"  # what an attacker can make is still rejected
    assert statuses(a)["header_abuse"] == "WARN" and a.verdict == "WARN"
