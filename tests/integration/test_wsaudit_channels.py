"""A control from a real stack nobody here wrote: Django Channels (daphne 4.2) + djangorestframework-simplejwt 5.5
+ the channels-auth-token-middlewares SimpleJWT middleware, behind AllowedHostsOriginValidator (issue 22).

The app is ``tests/channels_target`` (dev extras only), started once per module in a subprocess on a free
loopback port; its SQLite database lives in the module's tmp dir. Profile: ``profiles/django_channels.yaml``
(identity in simplejwt's ``user_id`` claim — the database ids "1" and "2" as strings — 5-minute HS256 tokens,
the daphne default frame limit of 1 MiB).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import jwt
import pytest

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import load_profile
from tests.channels_target.control import IDS, ChannelsControl
from tests.integration.wsaudit_helpers import SECRET, cases, statuses

pytestmark = pytest.mark.integration

#: The secure configuration: PASS, except the two real reasons to review (and N/A where nothing is configured).
CHANNELS_SECURE_EXPECTED = {pid: "PASS" for pid in PROBE_IDS} | {
    "transport": "N/A",        # ws:// on loopback
    "revocation": "N/A",       # simplejwt access tokens have no logout (the blacklist app covers refresh tokens)
    "expiry_open": "WARN",     # the middleware checks the token at connect only: the socket outlives it
    "token_in_url": "WARN",    # ?token= lands in access logs
}


@pytest.fixture(scope="module")
def channels(tmp_path_factory):
    with ChannelsControl(tmp_path_factory.mktemp("channels"), SECRET) as control:
        yield control


@pytest.fixture(scope="module")
def profile():
    return load_profile("profiles/django_channels.yaml")


def audit(channels, profile, variant="secure", probes=None, **changes):
    p = replace(profile, url=channels.url(variant), **changes)
    return asyncio.run(run_battery(p, load_keys(p, secret=SECRET), probes=probes))


@pytest.fixture(scope="module")
def secure_run(channels, profile):
    return audit(channels, profile)


def test_the_secure_channels_stack_is_audited_end_to_end_and_judged_warn(secure_run):
    a = secure_run
    assert statuses(a) == CHANNELS_SECURE_EXPECTED, json.dumps(a.to_json())[:3000]
    assert a.verdict == "WARN" and a.baseline_accepted
    base = cases(a, "baseline")["valid token for A"]
    assert base.reason == "acts as 'ws-audit-user-a' (the token's user_id)"
    assert base.sent["claims"]["user_id"] == IDS["ws-audit-user-a"] == "1"  # a string, as simplejwt 5.5 issues it
    expiry = cases(a, "expiry_open")["token expires while connected"]
    assert "still acts as the subject after its token expired" in expiry.reason
    url = cases(a, "token_in_url")["token in the query string"]
    assert "RFC 6750 §2.3" in url.reason and "Authorization header" in url.reason and "access_token cookie" in url.reason
    origin = cases(a, "origin")
    assert origin["Origin: https://evil.example"].reason == "handshake refused (HTTP 403)"
    assert origin["no Origin header"].status == "PASS"  # AllowedHostsOriginValidator refuses a missing Origin too
    ids = cases(a, "identity")
    assert ids["valid token for A + ?user=2"].status == "PASS"
    forged = ids["token naming B (user_id='2') under A's signature"]
    assert forged.status == "PASS" and forged.sent["claims"]["user_id"] == "2"
    assert cases(a, "tampered")["payload user_id→victim, original signature"].sent["claims"]["user_id"] == "2"
    lim = cases(a, "message_limits")
    frame = lim["one 2,097,152-byte frame (2 × the profile's 1,048,576-byte limit)"]
    assert frame.status == "PASS" and "close 1009" in frame.reason  # autobahn's "message too big"


def test_identity_from_a_query_parameter_fails_identity_and_claimed_identity(channels, profile):
    a = audit(channels, profile, "query_user", probes=["identity", "claimed_identity", "isolation"])
    st = statuses(a)
    assert st["identity"] == "FAIL" and st["claimed_identity"] == "FAIL" and a.verdict == "FAIL"
    ids = cases(a, "identity")
    assert "acts as the victim 'ws-audit-user-b'" in ids["valid token for A + ?user=2"].reason
    claimed = cases(a, "claimed_identity")["no token + ?user=2"]
    assert claimed.status == "FAIL" and "'2'" in claimed.reason  # authenticated as B's id without any token


def test_a_token_forged_for_b_is_tried_and_judged_where_signatures_are_not_verified(channels, profile):
    a = audit(channels, profile, "unverified", probes=["tampered", "identity", "alg_none"])
    assert statuses(a)["tampered"] == statuses(a)["identity"] == statuses(a)["alg_none"] == "FAIL"
    tampered = cases(a, "tampered")["payload user_id→victim, original signature"]
    assert tampered.received["identity"] == "2" and "acts as the victim 'ws-audit-user-b'" in tampered.reason
    forged = cases(a, "identity")["token naming B (user_id='2') under A's signature"]
    assert forged.status == "FAIL" and "impersonation" in forged.reason
    # before identity_claim: user_id sat in the static claims and the forgery changed sub, a claim simplejwt never
    # reads — the "impersonation" was accepted as A and B was never tried
    old = replace(profile, identity_claim=("sub",), subject_identity=None, victim_identity=None,
                  claims={"token_type": "access", "user_id": "1"})
    b = audit(channels, old, "unverified", probes=["tampered"])
    sub_only = cases(b, "tampered")["payload sub→victim, original signature"]
    assert sub_only.received["identity"] == "1" and "impersonation" not in sub_only.reason


def test_a_missing_topic_acl_fails_isolation(channels, profile):
    a = audit(channels, profile, "no_acl", probes=["isolation", "message_authz"])
    assert statuses(a)["isolation"] == statuses(a)["message_authz"] == "FAIL"


def test_cookie_transport(channels, profile):
    a = audit(channels, profile, token_transport="cookie", probes=["no_token", "wrong_key", "identity", "token_in_url"])
    assert statuses(a) == {"baseline": "PASS", "no_token": "PASS", "wrong_key": "PASS", "identity": "PASS",
                           "token_in_url": "WARN"}, a.to_json()
    sent = cases(a, "token_in_url")["token only in ?token= (no cookie)"]
    assert "also takes the token from the URL" in sent.reason


def test_missing_origin_is_an_error_with_the_hint(channels, profile):
    a = audit(channels, profile, origin=True, probes=["alg_none"])
    assert a.verdict == "ERROR" and statuses(a) == {"baseline": "ERROR", "alg_none": "N/A"}
    reason = cases(a, "baseline")["baseline"].reason
    assert "HTTP 403" in reason and f"likely cause: missing Origin: the server accepts the handshake with Origin: " \
        f"http://127.0.0.1:{channels.port}" in reason and "AllowedHostsOriginValidator" in reason


def test_wrong_path_is_an_error_with_the_hint(channels, profile):
    p = replace(profile, url=channels.url().rstrip("/"))
    a = asyncio.run(run_battery(p, load_keys(p, secret=SECRET), probes=["alg_none"]))
    reason = cases(a, "baseline")["baseline"].reason
    assert a.verdict == "ERROR" and "likely cause: wrong path: the server accepts the handshake at /ws/user/" in reason


def test_simplejwt_itself_accepts_the_audits_baseline(channels, profile):
    """The oracle: the baseline the battery mints is what simplejwt's own AccessToken would issue (claims, types)."""
    a = audit(channels, profile, probes=["no_token"])
    claims = cases(a, "baseline")["valid token for A"].sent["claims"]
    assert {"token_type", "exp", "iat", "jti", "user_id"} <= set(claims) and claims["exp"] - claims["iat"] == 300
    assert jwt.decode(jwt.encode(claims, SECRET, "HS256"), SECRET, algorithms=["HS256"])["user_id"] == "1"
