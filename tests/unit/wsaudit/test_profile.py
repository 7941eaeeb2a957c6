"""Profile validation (one-line ConfigErrors for bad input), matchers and templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.config import resolve_path
from analysis.errors import ConfigError
from analysis.wsaudit.profile import load_profile, make_matcher, parse_profile

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
    with pytest.raises(ConfigError) as e:
        load_profile("tests/data/wsaudit/nope.yaml")
    assert str(e.value) == f"{resolve_path('tests/data/wsaudit/nope.yaml')}: not found"


@pytest.mark.parametrize("name,message", [
    ("http_url", "http_url.yaml: url: 'http://127.0.0.1:9/ws' is not a ws:// or wss:// URL"),
    ("bad_transport", "bad_transport.yaml: token_transport: 'carrier_pigeon' is not one of"),
    ("origin_string", "origin_string.yaml: origin: expected true or false, got 'yes'"),
    ("zero_timeout", "zero_timeout.yaml: reply_timeout_s: must be between 0.05 and 30 s"),
    ("missing_url", "missing_url.yaml: url: required"),
    ("secret_inline", "secret_inline.yaml: secret_env: must name an environment variable, not hold a value"),
    ("bad_regex", "bad_regex.yaml: accepted.type: invalid regex"),
    ("no_placeholder", "no_placeholder.yaml: auth_message: must contain the placeholder {token}"),
    ("rs_without_key", "rs_without_key.yaml: private_key_env: required by algorithm RS256"),
    ("same_subjects", "same_subjects.yaml: victim_subject: must differ from 'subject'"),
    ("not_mapping", "not_mapping.yaml: expected a mapping of keys, got list"),
])
def test_validation_errors_are_file_key_problem(name, message):
    path = f"tests/data/bad/wsaudit/{name}.yaml"
    with pytest.raises(ConfigError) as e:
        load_profile(path)
    assert str(e.value).startswith(f"tests/data/bad/wsaudit/{message}")


def test_yaml_errors_come_from_the_one_loader():
    with pytest.raises(ConfigError) as e:
        load_profile("tests/data/bad/wsaudit/invalid_yaml.yaml")
    assert str(e.value).startswith(f"{resolve_path('tests/data/bad/wsaudit/invalid_yaml.yaml')}:2: invalid YAML (")
    with pytest.raises(ConfigError, match="binary.yaml: not UTF-8 text$"):
        load_profile("tests/data/bad/wsaudit/binary.yaml")


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
