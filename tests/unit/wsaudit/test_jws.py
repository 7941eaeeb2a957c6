"""Compact JWS by hand: the offline weak-secret check, base64url."""

from __future__ import annotations

from analysis.wsaudit.jws import COMMON_SECRETS, b64url, sign_with, weak_secret_matches

SECRET = "unit-test-secret-0123456789abcdef0123"


def test_weak_secret_offline_check():
    h, c = {"alg": "HS256", "typ": "JWT"}, {"sub": "a"}
    assert weak_secret_matches(sign_with(h, c, b"secret")) == [COMMON_SECRETS.index("secret")]
    assert weak_secret_matches(sign_with(h, c, b"")) == [0]
    assert weak_secret_matches(sign_with(h, c, SECRET.encode())) == []
    assert weak_secret_matches(sign_with({"alg": "HS512"}, c, b"changeme")) == [COMMON_SECRETS.index("changeme")]
    assert weak_secret_matches("not.a.token") == []
    assert b64url(b"\xfb\xff") == "-_8"
