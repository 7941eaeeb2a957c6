"""Connection settings on every connection (issue 22): Origin, extra headers and cookies (secret ones from env
vars), subprotocols — against a gateway-like server that refuses handshakes lacking any of them."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus

import jwt
import pytest
from websockets.asyncio.server import serve

from analysis.errors import ConfigError
from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import parse_profile
from tests.integration.wsaudit_helpers import CANARY, SECRET, cases, statuses

pytestmark = pytest.mark.integration

ORIGIN = "https://app.example"
SUBPROTOCOL = "infra-mind.v1"


def _check(connection, request):
    """The gateway: Origin allowlist, API key header, tenant cookie, then the bearer token."""
    h = request.headers
    if h.get("Origin") != ORIGIN:
        return connection.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
    if h.get("X-Api-Key") != CANARY:
        return connection.respond(HTTPStatus.UNAUTHORIZED, "missing X-Api-Key header\n")
    if "tenant=acme" not in h.get("Cookie", ""):
        return connection.respond(HTTPStatus.FORBIDDEN, "unknown tenant\n")
    try:
        jwt.decode(h.get("Authorization", "").removeprefix("Bearer "), SECRET, algorithms=["HS256"],
                   options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return connection.respond(HTTPStatus.UNAUTHORIZED, "bad token\n")
    return None


async def _welcome(ws):
    claims = jwt.decode(ws.request.headers["Authorization"].removeprefix("Bearer "), SECRET, algorithms=["HS256"])
    await ws.send(json.dumps({"type": "welcome", "user": claims["sub"], "subprotocol": ws.subprotocol}))
    await ws.wait_closed()


def _profile(url, **keys):
    raw = {"url": url, "token_transport": "header", "secret_env": "WS_JWT_SECRET", "accepted": {"type": "^welcome$"},
           "identity_path": "user", "reply_timeout_s": 1.0, "origin": ORIGIN, "headers_env": {"X-Api-Key": "WS_API_KEY"},
           "cookies": {"tenant": "acme"}, "subprotocols": [SUBPROTOCOL]} | keys
    return parse_profile({k: v for k, v in raw.items() if v is not None}, "gateway.yaml")


def _run(profile_keys, probes, env):
    async def go():
        server = await serve(_welcome, "127.0.0.1", 0, ping_interval=None, process_request=_check,
                             subprotocols=[SUBPROTOCOL])
        try:
            p = _profile(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws", **profile_keys)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=probes)
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(go())


def test_every_connection_carries_origin_headers_cookies_and_subprotocols(monkeypatch):
    monkeypatch.setenv("WS_API_KEY", CANARY)
    a = _run({}, ["no_token", "wrong_key", "origin"], None)
    assert statuses(a) == {"baseline": "PASS", "no_token": "PASS", "wrong_key": "PASS", "origin": "PASS"}, a.to_json()
    base = cases(a, "baseline")["valid token for A"]
    assert f'"subprotocol": "{SUBPROTOCOL}"' in base.received["frames"][0]
    origin = cases(a, "origin")
    assert origin["Origin: https://evil.example"].reason == "handshake refused (HTTP 403)"
    assert origin["no Origin header"].status == "PASS"
    assert CANARY not in json.dumps(a.to_json())  # a secret header value is never written


def test_a_missing_header_is_an_error_with_the_hint(monkeypatch):
    a = _run({"headers_env": None}, ["alg_none"], None)
    reason = cases(a, "baseline")["baseline"].reason
    assert a.verdict == "ERROR" and "HTTP 401" in reason
    assert "likely cause: missing header: the refusal names one (HTTP 401 missing X-Api-Key header)" in reason


def test_a_secret_header_whose_variable_is_unset_is_one_line(monkeypatch):
    monkeypatch.delenv("WS_API_KEY", raising=False)
    p = _profile("ws://127.0.0.1:9/ws")
    with pytest.raises(ConfigError, match=r"^gateway.yaml: headers_env.X-Api-Key: names environment variable "
                                          r"WS_API_KEY, which is not set$"):
        load_keys(p, secret=SECRET)


def test_a_404_at_the_baseline_is_a_wrong_path_hint():
    def only_ws(connection, request):
        return None if request.path == "/ws" else connection.respond(HTTPStatus.NOT_FOUND, "Not Found\n")

    async def go():
        server = await serve(_welcome, "127.0.0.1", 0, ping_interval=None, process_request=only_ws)
        try:
            p = _profile(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/ws", headers_env=None)
            return await run_battery(p, load_keys(p, secret=SECRET), probes=["alg_none"])
        finally:
            server.close()
            await server.wait_closed()

    a = asyncio.run(go())
    reason = cases(a, "baseline")["baseline"].reason
    assert a.verdict == "ERROR" and "likely cause: wrong path: nothing serves a WebSocket at /api/ws (HTTP 404)" in reason
