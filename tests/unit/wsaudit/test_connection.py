"""Connection settings (issue 22): parsing, and the handshake every connection sends."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.wsaudit.connection import own_origin
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import parse_profile
from analysis.wsaudit.sources.handshake import build_handshake

BASE = {"url": "ws://127.0.0.1:9/ws?v=1", "secret_env": "X"}


def _p(**keys):
    return parse_profile({**BASE, **keys}, "c.yaml")


def test_the_handshake_carries_every_setting(monkeypatch):
    monkeypatch.setenv("WS_SESSION", "s3cret-session")
    p = _p(headers={"X-Tenant": "acme"}, cookies={"locale": "en"}, cookies_env={"sessionid": "WS_SESSION"},
           subprotocols=["graphql-transport-ws"], token_transport="cookie", cookie="jwt")
    keys = load_keys(p, secret="k" * 32)
    hs = build_handshake(p, keys, "TOKEN", transport=p.token_transport)
    assert hs.headers == {"X-Tenant": "acme", "Cookie": "locale=en; sessionid=s3cret-session; jwt=TOKEN"}
    assert hs.subprotocols == ["graphql-transport-ws"] and hs.url == "ws://127.0.0.1:9/ws?v=1"
    assert "s3cret-session" in keys.secret_texts()  # redacted from every output
    sub = build_handshake(p, keys, "TOKEN", transport="subprotocol")
    assert sub.subprotocols == ["graphql-transport-ws", "TOKEN"] and "jwt=" not in sub.headers["Cookie"]
    q = build_handshake(p, keys, "TOKEN", transport="query_param", forged=2, where="query")
    assert q.url == "ws://127.0.0.1:9/ws?v=1&token=TOKEN&user_id=2"
    h = build_handshake(p, keys, None, transport="header", forged="b", where="header")
    assert h.headers["X-User-Id"] == "b" and "Authorization" not in h.headers


def test_origin_forms():
    assert _p(origin=True).origin and _p(origin=True).origin_header == ""
    assert _p(origin="http://localhost:3000/").origin_header == "http://localhost:3000"
    assert not _p().origin and _p().origin_header == ""
    assert own_origin("wss://staging.example:8443/ws/user/?x=1") == "https://staging.example:8443"
    assert own_origin("ws://127.0.0.1:8000/ws") == "http://127.0.0.1:8000"


@pytest.mark.parametrize("keys,message", [
    ({"origin": "evil.example"}, "c.yaml: origin: expected true, false or an Origin"),
    ({"headers": {"Origin": "x"}}, "c.yaml: headers: 'Origin' is not a header a profile may set"),
    ({"headers": {"X-A": 1}}, "c.yaml: headers: expected a mapping of name to string value"),
    ({"headers_env": {"X-Api-Key": "sk-live-123 456"}}, "c.yaml: headers_env.X-Api-Key: must name an environment"),
    ({"cookies": {"a b": "1"}}, "c.yaml: cookies: 'a b' is not a cookie name"),
    ({"cookies": {"a": "x;y"}}, "c.yaml: cookies.a: a cookie value may not contain"),
    ({"subprotocols": [3]}, "c.yaml: subprotocols: expected a list of subprotocol names"),
    ({"token_transport": "cookie", "cookies": {"access_token": "x"}}, "c.yaml: cookies: 'access_token' is the token"),
])
def test_bad_connection_settings_are_one_line(keys, message):
    with pytest.raises(ConfigError) as e:
        _p(**keys)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)
