"""The whole battery against live in-process targets: reference controls, broken servers, CLI."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from http import HTTPStatus

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import serve

from analysis.cli import main as cli_main
from analysis.config import project_root
from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.pipeline import audit_targets
from analysis.wsaudit.profile import load_profile, parse_profile
from analysis.wsaudit.sources.reference_target import ReferenceTarget, ThreadedTarget, reference_target

pytestmark = pytest.mark.integration
SECRET = "integration-secret-0123456789abcdefghijkl"
CANARY = "canary-ws-secret-DO-NOT-PRINT-0123456789abcdef"

SECURE_EXPECTED = {pid: "PASS" for pid in PROBE_IDS} | {"transport": "N/A"}
VULNERABLE_EXPECTED = {pid: "FAIL" for pid in PROBE_IDS} | {
    "expiry_open": "WARN", "origin": "WARN", "transport": "N/A", "error_oracle": "N/A", "persistence": "PASS"}


@pytest.fixture
def profile():
    return load_profile("profiles/infra_mind.yaml")


def _statuses(audit):
    return {r.id: r.status for r in audit.results}


def test_reference_targets_every_expected_verdict(profile, monkeypatch):
    monkeypatch.setenv("WS_JWT_SECRET", SECRET)
    audits = asyncio.run(audit_targets(profile, ["secure", "vulnerable"]))
    assert _statuses(audits["secure"]) == SECURE_EXPECTED, audits["secure"].to_json()
    assert _statuses(audits["vulnerable"]) == VULNERABLE_EXPECTED
    assert audits["secure"].verdict == "PASS" and audits["vulnerable"].verdict == "FAIL"
    vul = {r.id: r for r in audits["vulnerable"].results}
    # the seed's attack exactly: junk token + forged user_id of B authenticates as B
    junk = vul["identity"].cases[0]
    assert junk.status == "FAIL" and "ws-audit-user-b" in junk.reason and junk.sent["token"] == "junk token"
    assert any(c.received["victim_push"] for c in vul["isolation"].cases)
    # evidence never carries the secret or a signature
    blob = json.dumps([a.to_json() for a in audits.values()])
    assert SECRET not in blob
    base_tok = audits["secure"].results[0].cases[0].sent
    assert set(base_tok) == {"token", "header", "claims", "signed"}


def test_within_leeway_accepted_by_a_target_with_leeway(monkeypatch):
    p = load_profile("tests/data/wsaudit/leeway_profile.yaml")

    async def go():
        async with reference_target("secure", SECRET, p) as t:
            return await run_battery(p.with_url(t.url), load_keys(p, secret=SECRET), probes=["exp_nbf"])

    a = asyncio.run(go())
    exp = {r.id: r for r in a.results}["exp_nbf"]
    assert exp.status == "PASS", exp.evidence
    assert [c.status for c in exp.cases if c.label == "exp past within leeway"] == ["PASS"]


def test_query_param_transport(monkeypatch):
    p = load_profile("tests/data/wsaudit/query_param_profile.yaml")
    keys = load_keys(p, secret=SECRET)
    probes = ["no_token", "alg_none", "wrong_key", "identity"]

    async def go(mode):
        async with reference_target(mode, SECRET, p) as t:
            return await run_battery(p.with_url(t.url), keys, probes=probes)

    sec, vul = asyncio.run(go("secure")), asyncio.run(go("vulnerable"))
    assert _statuses(sec) == {"baseline": "PASS", "no_token": "PASS", "alg_none": "PASS", "wrong_key": "PASS",
                              "identity": "PASS"}
    rejected = {r.id: r for r in sec.results}["alg_none"].cases[0].received
    assert rejected["http_status"] == 401
    assert _statuses(vul)["identity"] == "FAIL" and _statuses(vul)["baseline"] == "FAIL"


# ----------------------------------------------------------------- broken targets
class _Server:
    def __init__(self, handler):
        self.handler = handler

    async def __aenter__(self):
        self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None)
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


async def _silent(ws):
    await ws.wait_closed()  # accepts, never answers


async def _close_now(ws):
    return


async def _non_json(ws):
    await ws.send("hello, this is not JSON")
    await ws.send(b"\x00\x01binary")
    await ws.wait_closed()


def _timed(server, profile, **changes):
    """Run the battery against ``server`` (async context manager with .url); return (audit, battery wall s)."""
    async def go():
        async with server as s:
            p = replace(profile, url=s.url, **changes)
            t0 = time.perf_counter()
            a = await run_battery(p, load_keys(p, secret=SECRET))
            return a, time.perf_counter() - t0

    return asyncio.run(go())


def _run_against(profile, url, **kw):
    fast = replace(profile, reply_timeout_s=0.3, url=url)
    t0 = time.perf_counter()
    a = asyncio.run(run_battery(fast, load_keys(fast, secret=SECRET), **kw))
    return a, time.perf_counter() - t0


@pytest.mark.parametrize("handler,why", [(_silent, "no accept/reject"), (_close_now, "closed (1000"),
                                         (_non_json, "no accept/reject")])
def test_broken_servers_give_error_rows_in_bounded_time(profile, handler, why):
    a, wall = _timed(_Server(handler), profile, reply_timeout_s=0.3)
    assert wall < 3
    st = _statuses(a)
    assert st["baseline"] == "ERROR" and why in a.results[0].evidence
    assert {s for k, s in st.items() if k not in ("baseline", "transport", "weak_secret")} == {"N/A"}
    assert a.verdict == "ERROR" and len(a.results) == 21
    if handler is _non_json:
        assert any("(non-JSON)" in f for f in a.results[0].cases[0].received["frames"])


def test_refused_connection(profile):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    a, wall = _run_against(profile, f"ws://127.0.0.1:{port}/ws")
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

    a, wall = _timed(Hangs("secure", SECRET), profile, reply_timeout_s=2.0, deadline_s=1.5)
    assert wall < 2.5
    st = _statuses(a)
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

    st = _statuses(asyncio.run(go()))
    assert st == {"baseline": "PASS", "jku_x5u": "FAIL", "alg_none": "PASS"}


# ----------------------------------------------------------------- CLIs
def test_cli_json_exit_codes_and_no_secret(profile, monkeypatch, capsys):
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    with ThreadedTarget("vulnerable", CANARY) as vul, ThreadedTarget("secure", CANARY) as sec:
        rc_v = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", vul.url, "--json"])
        out_v = capsys.readouterr()
        rc_s = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", sec.url,
                         "--probes", "identity,isolation"])
        out_s = capsys.readouterr()
    assert rc_v == 1 and rc_s == 0
    doc = json.loads(out_v.out)
    assert set(doc) >= {"target", "profile", "verdict", "probes"} and doc["verdict"] == "FAIL"
    assert all(set(p) >= {"id", "title", "status", "evidence", "ms"} for p in doc["probes"])
    assert len(doc["probes"]) == 21
    assert "identity" in out_s.out and "PASS" in out_s.out
    for text in (out_v.out, out_v.err, out_s.out, out_s.err):
        assert CANARY not in text


def test_cli_bad_input_is_one_line(monkeypatch, capsys):
    monkeypatch.delenv("WS_JWT_SECRET", raising=False)
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "WS_JWT_SECRET" in err
    assert cli_main(["ws-audit", "--profile", "tests/data/bad/wsaudit/unknown_key.yaml"]) == 2
    assert "unknown key" in capsys.readouterr().err
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--probes", "nope"]) == 2
    assert cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", "http://x"]) == 2


def test_cli_refused_target_reports_error_rows(monkeypatch, capsys):
    monkeypatch.setenv("WS_JWT_SECRET", CANARY)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = cli_main(["ws-audit", "--profile", "profiles/infra_mind.yaml", "--url", f"ws://127.0.0.1:{port}/ws", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 2 and doc["verdict"] == "ERROR" and doc["probes"][0]["status"] == "ERROR"


def test_ws_target_command_generates_a_secret_without_printing_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WS_JWT_SECRET"}
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "ws-target", "--mode", "vulnerable", "--port", "0"],
                            cwd=project_root(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(5)
    assert "generated" in first and "not shown" in first
    assert "listening on ws://127.0.0.1:" in second


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

    class HeaderServer(_Server):
        async def __aenter__(self):
            self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, process_request=check)
            self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
            return self

    async def go():
        async with HeaderServer(_silent) as s:
            p = hp.with_url(s.url)
            return await run_battery(p, load_keys(p, secret=SECRET),
                                     probes=["no_token", "alg_none", "wrong_key", "exp_nbf"])

    a = asyncio.run(go())
    # no identity_path: acceptance is proven, identity is not → the baseline says WARN, honestly
    assert _statuses(a) == {"baseline": "WARN", "no_token": "PASS", "alg_none": "PASS", "wrong_key": "PASS",
                            "exp_nbf": "PASS"}, a.to_json()
    assert "identity unknown" in a.results[0].evidence
    assert {r.id: r for r in a.results}["alg_none"].cases[0].received["http_status"] == 401


def test_untrusted_certificate_is_a_tls_error_row(profile, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")

    class TlsServer(_Server):
        async def __aenter__(self):
            self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, ssl=ctx)
            self.url = f"wss://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
            return self

    a, wall = _timed(TlsServer(_silent), profile, reply_timeout_s=0.5)
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

    class SubprotocolServer(_Server):
        async def __aenter__(self):
            self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, process_request=check,
                                      select_subprotocol=lambda conn, offered: offered[0] if offered else None)
            self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
            return self

    async def go():
        async with SubprotocolServer(_silent) as s:
            p = sp.with_url(s.url)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=["alg_none", "tampered"])

    a = asyncio.run(go())
    assert _statuses(a) == {"baseline": "WARN", "alg_none": "PASS", "tampered": "PASS"}, a.to_json()
    assert {r.id: r for r in a.results}["tampered"].cases[0].received["http_status"] == 401
