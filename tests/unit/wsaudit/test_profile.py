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
    assert p.url.startswith("ws://127.0.0.1") and p.algorithms == ("HS256",) and p.require_exp
    assert p.revoke is not None and p.revoke.kind == "message" and p.revoke_grace_s == 2
    assert len(p.victim_messages) == 2 and not p.problems
    assert p.limits.enabled and p.limits.max_frame_bytes == 1 << 20 and p.limits.burst == 50


def test_pubsub_profile():
    p = load_profile("profiles/pubsub.yaml")
    assert p.reply_id_path == "id" and p.claimed_identity_header == "X-User-Id" and not p.require_exp
    assert [m.describe() for m in p.ignore] == [{}] and p.ignore[0].matches({}) and not p.ignore[0].matches({"a": 1})
    assert p.revoke.kind == "http" and p.revoke.url == "/api/revoke_token"
    assert p.revoke.secret_env == "WS_PUBSUB_API_KEY"
    assert p.revoke.json_body and p.revoke.body == '{"uid": "{jti}"}' and p.expiry_grace_s == 2


def test_old_algorithm_key_and_family_lists():
    p = parse_profile({"url": "ws://x:1/ws", "algorithm": "HS512"}, "old.yaml")
    assert p.algorithms == ("HS512",) and p.algorithm == "HS512"
    assert parse_profile({"url": "ws://x:1/ws", "algorithms": ["RS256", "PS256"]}, "f.yaml").algorithm == "RS256"


def test_victim_messages_entry_that_is_not_json_is_deferred():
    p = parse_profile({"url": "ws://x:1/ws", "victim_messages": ['{"a": "{victim_resource}"}', "{not json",
                                                                   {"b": 1}]}, "vm.yaml")
    assert p.victim_messages == ({"a": "{victim_resource}"}, {"b": 1})
    assert p.problems == ("vm.yaml: victim_messages[1]: not valid JSON (Expecting property name enclosed in double "
                          "quotes)",)


def test_limits_off_and_defaults():
    assert not parse_profile({"url": "ws://x:1/ws", "limits": False}, "l.yaml").limits.enabled
    lim = parse_profile({"url": "ws://x:1/ws", "limits": {"burst": 5, "burst_message": '{"type": "ping"}'}},
                        "l.yaml").limits
    assert lim.burst == 5 and lim.max_frame_bytes is None and lim.burst_message == {"type": "ping"}  # discovered


def test_an_ecdsa_profile_without_a_key_loads():
    p = load_profile("tests/data/wsaudit/es256_no_key.yaml")
    assert p.algorithm == "ES256" and not p.private_key_env


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
    ("origin_string", "origin_string.yaml: origin: expected true, false or an Origin such as https://app.example.com, "
                      "got 'yes'"),
    ("zero_timeout", "zero_timeout.yaml: reply_timeout_s: must be between 0.05 and 30 s"),
    ("missing_url", "missing_url.yaml: url: required"),
    ("secret_inline", "secret_inline.yaml: secret_env: must name an environment variable, not hold a value"),
    ("bad_regex", "bad_regex.yaml: accepted.type: invalid regex"),
    ("no_placeholder", "no_placeholder.yaml: auth_message: must contain the placeholder {token}"),
    ("both_algorithm_keys", "both_algorithm_keys.yaml: algorithm: give either 'algorithm' (one) or 'algorithms'"),
    ("mixed_families", "mixed_families.yaml: algorithms: mixes key types (HS256, RS256)"),
    ("revoke_both", "revoke_both.yaml: revoke: give exactly one of 'url' (HTTP request) or 'message'"),
    ("revoke_bad_url", "revoke_bad_url.yaml: revoke.url: 'ftp://x/logout' is not an http:// or https:// URL"),
    ("revoke_secret_without_env", "revoke_secret_without_env.yaml: revoke.secret_env: required by the {secret}"),
    ("revoke_secret_inline", "revoke_secret_inline.yaml: revoke.secret_env: must name an environment variable"),
    ("limits_flood", "limits_flood.yaml: limits.burst: must be an integer between 1 and 500"),
    ("limits_huge_frame", "limits_huge_frame.yaml: limits.max_frame_bytes: must be an integer between 1024 and"),
    ("victim_messages_number", "victim_messages_number.yaml: victim_messages: expected a list of JSON messages"),
    ("grace_beyond_deadline", "grace_beyond_deadline.yaml: expiry_grace_s: the expiry probe needs about"),
    ("ca_file_missing", "ca_file_missing.yaml: ca_file: tests/data/wsaudit/no-such-ca.pem not found"),
    ("bad_identity_header", "bad_identity_header.yaml: identity_header: 'X User' is not an HTTP header name"),
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
    assert make_matcher({}, "t", empty_matches_empty=True).matches({})  # ... except in ignore: the bare {} ping
    assert not make_matcher({}, "t", empty_matches_empty=True).matches({"type": "x"})
    with pytest.raises(ConfigError, match="dotted JSON path"):
        make_matcher({"a..b": "x"}, "t")
