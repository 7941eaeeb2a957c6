"""Frames with several newline-separated JSON replies, bare pings, and the revoke URL."""

from __future__ import annotations

from analysis.wsaudit.lifecycle import RevokeSpec
from analysis.wsaudit.sources.exchange import NOT_JSON, decode_frame, is_loopback
from analysis.wsaudit.sources.revoke import revoke_url


def test_decode_frame():
    assert decode_frame('{"id": 1, "connect": {}}') == [{"id": 1, "connect": {}}]
    assert decode_frame('{"id": 2, "subscribe": {}}\n{"push": {"channel": "c"}}\n{}') == [
        {"id": 2, "subscribe": {}}, {"push": {"channel": "c"}}, {}]
    assert decode_frame("{}") == [{}]
    assert decode_frame("hello") == [NOT_JSON]
    assert decode_frame('{"a": 1}\nnot json') == [{"a": 1}, NOT_JSON]


def test_revoke_url_relative_to_the_socket():
    spec = RevokeSpec(url="/api/revoke_token?x=1")
    assert revoke_url(spec, "ws://127.0.0.1:8000/connection/websocket") == "http://127.0.0.1:8000/api/revoke_token?x=1"
    assert revoke_url(spec, "wss://staging.example/ws") == "https://staging.example/api/revoke_token?x=1"
    assert revoke_url(RevokeSpec(url="https://auth.example/logout"), "ws://x/ws") == "https://auth.example/logout"
    assert is_loopback("ws://localhost:1/x") and not is_loopback("wss://staging.example/ws")
