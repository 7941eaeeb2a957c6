"""identity_claim and per-user identity values (issue 22): what the forge mints for simplejwt, Auth0, Cognito,
Keycloak — PyJWT decodes every token, and the claim keeps the type the server issues."""

from __future__ import annotations

import jwt
import pytest

from analysis.errors import ConfigError
from analysis.wsaudit.forge import Forger
from analysis.wsaudit.identities import claim_label, get_claim, parse_claim_path, same_identity, set_claim
from analysis.wsaudit.jws import b64url_decode
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import load_profile, parse_profile

SECRET = "unit-test-secret-0123456789abcdef0123"
AUTH0 = "https://infra-mind.example/user_id"


def _forger(**keys):
    p = parse_profile({"url": "ws://127.0.0.1:9/ws", "secret_env": "X", **keys}, "id.yaml")
    return Forger(p, load_keys(p, secret=SECRET))


def _claims(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})


@pytest.mark.parametrize("keys,path,a,b", [
    # simplejwt 5.5: user_id, the database id as a string; sub is not read
    ({"identity_claim": "user_id", "subject_identity": "1", "victim_identity": "2"}, ("user_id",), "1", "2"),
    # the same claim issued as a number stays a number
    ({"identity_claim": "user_id", "subject_identity": 1, "victim_identity": 2}, ("user_id",), 1, 2),
    # Auth0: a namespaced custom claim (its name holds dots: a list of one segment)
    ({"identity_claim": [AUTH0], "subject_identity": "auth0|a", "victim_identity": "auth0|b"}, (AUTH0,),
     "auth0|a", "auth0|b"),
    # Cognito access tokens: username
    ({"identity_claim": "username", "subject_identity": "alice", "victim_identity": "bob"}, ("username",),
     "alice", "bob"),
    # Keycloak: preferred_username; a nested claim path
    ({"identity_claim": "preferred_username"}, ("preferred_username",), "ws-audit-user-a", "ws-audit-user-b"),
    ({"identity_claim": "user.id", "subject_identity": 7, "victim_identity": 8}, ("user", "id"), 7, 8),
])
def test_every_identity_token_names_the_user_in_the_identity_claim(keys, path, a, b):
    fg = _forger(**keys)
    assert fg.profile.identity_claim == path
    base = _claims(fg.baseline().token)
    assert get_claim(base, path) == a and type(get_claim(base, path)) is type(a)
    assert base["sub"] == "ws-audit-user-a"  # sub stays the user's name (a server reading it sees A)
    tampered = fg.tampered()[0]
    assert get_claim(tampered.claims, path) == b and tampered.claims["sub"] == "ws-audit-user-b"
    assert tampered.label == f"payload {claim_label(path)}→victim, original signature"
    nested = next(f for f in fg.header_abuse() if f.meta.get("nested"))
    inner = nested.claims["nested (alg none)"]
    assert get_claim(inner, path) == b
    inner_token = b64url_decode(nested.token.split(".")[1]).decode()
    assert get_claim(jwt.decode(inner_token, options={"verify_signature": False}), path) == b
    assert fg.identity_in(base) == a


def test_the_default_is_sub_and_unchanged():
    fg = _forger()
    c = _claims(fg.baseline().token)
    assert c["sub"] == "ws-audit-user-a" and fg.profile.identity_claim == ("sub",)
    assert fg.tampered()[0].claims["sub"] == "ws-audit-user-b"


def test_django_channels_profile():
    p = load_profile("profiles/django_channels.yaml")
    assert p.identity_claim == ("user_id",) and p.subject_id == "1" and p.victim_id == "2"
    assert p.origin_header == "http://localhost:3000" and p.limits.max_frame_bytes == 1 << 20


def test_claims_template_can_name_the_identity():
    fg = _forger(identity_claim="user_id", subject_identity=41, victim_identity=42,
                 claims={"email": "{sub}@example.invalid", "uid": "{identity}"})
    c = fg.claims()
    assert c["email"] == "ws-audit-user-a@example.invalid" and c["uid"] == "41" and c["user_id"] == 41


@pytest.mark.parametrize("keys,message", [
    ({"identity_claim": 3}, "id.yaml: identity_claim: expected a dotted claim path"),
    ({"identity_claim": "user..id"}, "id.yaml: identity_claim: 'user..id' has an empty or blank segment"),
    ({"subject_identity": True}, "id.yaml: subject_identity: expected a non-empty string or an integer"),
    ({"victim_identity": 1.5}, "id.yaml: victim_identity: expected a non-empty string or an integer"),
    ({"subject_identity": "1", "victim_identity": "1"}, "id.yaml: victim_identity: must differ from A's identity"),
])
def test_bad_identity_keys_are_one_line(keys, message):
    with pytest.raises(ConfigError) as e:
        parse_profile({"url": "ws://127.0.0.1:9/ws", **keys}, "id.yaml")
    assert str(e.value).startswith(message)


def test_helpers():
    assert set_claim({"a": 1}, ("user", "id"), 2) == {"a": 1, "user": {"id": 2}}
    assert get_claim({"user": {"id": 2}}, ("user", "x")) is None
    assert parse_claim_path("a.b", "w") == ("a", "b") and parse_claim_path([AUTH0], "w") == (AUTH0,)
    assert same_identity(1, "alice", "1") and not same_identity(None, "x") and not same_identity("2", "alice", 1)
