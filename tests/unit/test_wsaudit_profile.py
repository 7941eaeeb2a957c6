"""Profile validation (one-line ConfigErrors for bad input), matchers and templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import ConfigError, ParameterError
from analysis.params import validate
from analysis.wsaudit.params import WsAuditParams
from analysis.wsaudit.profile import (drop_placeholder, load_profile, lookup, make_matcher, parse_profile, render,
                                      set_path)

BAD = sorted(Path("tests/data/bad/wsaudit").glob("*.yaml"))


def test_infra_mind_profile_matches_the_issue():
    p = load_profile("profiles/infra_mind.yaml")
    assert p.auth_message == {"type": "auth", "data": {"token": "{token}"}}
    assert p.accepted.describe() == {"type": "^auth$", "data.status": "^authenticated"}
    assert p.rejected.describe() == {"type": "^error$"}
    assert {"type": "^notification$"} in [m.describe() for m in p.ignore]
    assert p.identity_path == "data.user_id" and p.forged_identity_path == "data.user_id"
    assert p.claims["iss"] == "infra-mind" and p.claims["aud"] == "infra-mind-api"
    assert p.claims["token_type"] == "access" and p.algorithm == "HS256" and p.secret_env == "WS_JWT_SECRET"
    assert p.url.startswith("ws://127.0.0.1")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_profiles_give_one_line(path):
    with pytest.raises(ConfigError) as e:
        load_profile(path)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg and len(msg) < 600


def test_unknown_key_names_the_key():
    with pytest.raises(ConfigError, match="unknown key 'secrte_env'"):
        load_profile("tests/data/bad/wsaudit/unknown_key.yaml")


def test_missing_file():
    with pytest.raises(ConfigError, match="file not found"):
        load_profile("tests/data/wsaudit/nope.yaml")


def test_defaults():
    p = parse_profile({"url": "wss://example.invalid/ws", "secret_env": "X"}, "inline.yaml")
    assert p.token_transport == "first_message" and p.query_param == "token" and p.header == "Authorization"
    assert p.header_value == "Bearer {token}" and p.reply_timeout_s == 2.0 and not p.origin
    assert p.name == "inline" and not p.accepted
    assert p.with_url("ws://127.0.0.1:1/x").url == "ws://127.0.0.1:1/x"
    with pytest.raises(ConfigError):
        p.with_url("http://x")


def test_matcher():
    m = make_matcher({"type": "^auth$", "data.status": "^authenticated", "data.items.1": "^b$"}, "t")
    assert m.matches({"type": "auth", "data": {"status": "authenticated", "items": ["a", "b"]}})
    assert not m.matches({"type": "auth", "data": {"status": "authenticated", "items": ["a"]}})
    assert not m.matches({"type": "authx", "data": {"status": "authenticated", "items": ["a", "b"]}})
    assert not m.matches("not a dict") and not m.matches(None)
    assert make_matcher({"data.ok": "^true$", "n": "^4"}, "t").matches({"data": {"ok": True}, "n": 42})
    assert not make_matcher({}, "t").matches({})  # empty matcher never matches
    with pytest.raises(ConfigError, match="dotted JSON path"):
        make_matcher({"a..b": "x"}, "t")


def test_templates():
    msg = {"type": "auth", "data": {"token": "{token}", "n": 1, "l": ["Bearer {token}"]}}
    assert render(msg, token="T") == {"type": "auth", "data": {"token": "T", "n": 1, "l": ["Bearer T"]}}
    assert drop_placeholder(msg) == {"type": "auth", "data": {"n": 1, "l": ["Bearer {token}"]}}
    forged = set_path(msg, "data.user_id", "B")
    assert forged["data"]["user_id"] == "B" and "user_id" not in msg["data"]
    assert set_path({}, "a.b.c", 1) == {"a": {"b": {"c": 1}}}
    assert lookup({"a": {"b": 2}}, "a.b") == 2 and lookup({"a": 1}, "a.b", "d") == "d"


def test_notebook_params():
    p = validate(WsAuditParams, {})
    assert p.targets == ["secure", "vulnerable"] and p.url == "" and p.probes == []
    assert validate(WsAuditParams, {"targets": ["profile"], "url": "wss://staging.example/ws"}).url
    with pytest.raises(ParameterError, match="targets"):
        validate(WsAuditParams, {"url": "wss://staging.example/ws"})
    with pytest.raises(ParameterError, match="probes"):
        validate(WsAuditParams, {"probes": ["alg_nope"]})
    with pytest.raises(ParameterError, match="url"):
        validate(WsAuditParams, {"targets": ["profile"], "url": "https://x"})
    with pytest.raises(ParameterError, match="targets"):
        validate(WsAuditParams, {"targets": []})
