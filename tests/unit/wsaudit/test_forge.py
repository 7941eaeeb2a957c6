"""The forge: every variant decodes to what it claims; PyJWT and hmac are the oracles."""

from __future__ import annotations

import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from analysis.wsaudit.forge import Forger
from analysis.wsaudit.jws import b64url_decode, split_token
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import load_profile

SECRET = "unit-test-secret-0123456789abcdef0123"


@pytest.fixture
def profile():
    return load_profile("profiles/infra_mind.yaml")


@pytest.fixture
def forger(profile):
    return Forger(profile, load_keys(profile, secret=SECRET))


def _decode(token, **kw):
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="infra-mind-api", issuer="infra-mind", **kw)


def _parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def test_baseline_verifies_with_pyjwt(forger, profile):
    f = forger.baseline()
    claims = _decode(f.token)
    assert claims["sub"] == profile.subject
    assert claims["token_type"] == "access" and claims["email"] == f"{profile.subject}@example.invalid"
    assert claims["exp"] - claims["iat"] == profile.token_lifetime_s
    assert jwt.get_unverified_header(f.token) == {"alg": "HS256", "typ": "JWT"} == f.header
    assert f.evidence()["claims"] == claims and "token" in f.evidence() and f.token not in json.dumps(f.evidence())


def test_alg_none_variants(forger):
    tokens = forger.alg_none()
    assert sorted({t.header["alg"] for t in tokens}) == sorted(["none", "None", "NONE", "nOnE"])
    base_sig = forger.baseline().token.split(".")[2]
    for t in tokens:
        h, c, s = _parts(t.token)
        assert h == t.header and c == t.claims
        assert s == ("" if "empty" in t.label else base_sig) or (s != "" and "old" in t.label)
        with pytest.raises(jwt.InvalidTokenError):
            _decode(t.token)
    assert {t.token.split(".")[2] == "" for t in tokens} == {True, False}


def test_tampered_payload_keeps_the_original_signature(forger, profile):
    tampered, truncated = forger.tampered()
    _, c, _ = _parts(tampered.token)
    assert c["sub"] == profile.victim_subject
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(tampered.token)
    assert len(truncated.token.split(".")[2]) == 43 - 4
    with pytest.raises(jwt.InvalidTokenError):
        _decode(truncated.token)


def test_null_signatures(forger):
    empty, zero = forger.null_signature()
    assert empty.token.endswith(".") and b64url_decode(zero.token.split(".")[2]) == bytes(32)


def test_wrong_key_same_header(forger):
    (f,) = forger.wrong_key()
    assert f.header == forger.header()
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(f.token)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_disallowed_algs_are_really_signed(forger):
    toks = {t.header["alg"]: t for t in forger.disallowed_algs()}
    assert "HS256" not in toks and {"HS384", "HS512", "RS256", "ES256"} <= set(toks)
    # HS512 with the configured secret: only pinning the algorithm rejects it
    assert jwt.decode(toks["HS512"].token, SECRET, algorithms=["HS512"], audience="infra-mind-api")["sub"]
    pub = forger.attacker.rsa.public_key()
    assert jwt.decode(toks["RS256"].token, pub, algorithms=["RS256"], audience="infra-mind-api")


def _rsa_profile(tmp_path, monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()
    monkeypatch.setenv("WSAUDIT_TEST_PRIVATE_KEY", pem.replace("\n", "\\n"))  # one-line env form
    p = load_profile("tests/data/wsaudit/rs256_profile.yaml")
    return p, key


def test_confusion_token_verifies_with_hmac_over_public_key_bytes(tmp_path, monkeypatch):
    p, key = _rsa_profile(tmp_path, monkeypatch)
    keys = load_keys(p)
    f = Forger(p, keys)
    pub = key.public_key()
    pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = {"PEM with trailing newline": pem, "PEM without trailing newline": pem.rstrip(b"\n"), "DER": der}
    tokens = f.confusion()
    assert len(tokens) == 3
    for t in tokens:
        signing_input, sig = t.token.rsplit(".", 1)
        assert t.header["alg"] == "HS256"
        want = hmac.new(expected[t.meta["hmac_key"]], signing_input.encode(), hashlib.sha256).digest()
        assert b64url_decode(sig) == want
    # the valid RS256 baseline verifies with the public key (PyJWT oracle)
    assert jwt.decode(f.baseline().token, pub, algorithms=["RS256"], audience="infra-mind-api")["sub"] == p.subject
    assert any("PRIVATE" not in s and len(s) > 16 for s in keys.secret_texts())


def test_es256_baseline(monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setenv("WSAUDIT_TEST_EC_KEY", key.private_bytes(serialization.Encoding.PEM,
                       serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())
    p = load_profile("tests/data/wsaudit/es256_profile.yaml")
    f = Forger(p, load_keys(p))
    assert jwt.decode(f.baseline().token, key.public_key(), algorithms=["ES256"])["sub"] == p.subject
    assert jwt.decode(f.wrong_key()[0].token, options={"verify_signature": False})["sub"] == p.subject
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f.wrong_key()[0].token, key.public_key(), algorithms=["ES256"])


def test_empty_secret_and_kid_tokens(forger):
    (empty,) = forger.empty_secret()
    signing_input, sig = empty.token.rsplit(".", 1)
    assert b64url_decode(sig) == hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    kids = {t.label: t for t in forger.kid_injection()}
    devnull = kids["kid path traversal to /dev/null"]
    assert devnull.header["kid"].endswith("/dev/null")
    si, s = devnull.token.rsplit(".", 1)
    assert b64url_decode(s) == hmac.new(b"", si.encode(), hashlib.sha256).digest()
    sql = kids["kid SQL injection"]
    si, s = sql.token.rsplit(".", 1)
    assert "UNION SELECT" in sql.header["kid"]
    assert b64url_decode(s) == hmac.new(b"ws-audit-key", si.encode(), hashlib.sha256).digest()


def test_jwk_header_token_is_signed_by_the_embedded_key(forger):
    for t in forger.jwk_header():
        key = jwt.PyJWK(t.header["jwk"], algorithm=t.header["alg"])
        assert jwt.decode(t.token, key, algorithms=[t.header["alg"]], audience="infra-mind-api")["sub"]


def test_jku_x5u_point_at_the_listener(forger):
    jku, x5u = forger.jku_x5u("http://127.0.0.1:4321")
    assert jku.header["jku"] == "http://127.0.0.1:4321/jwks.json" and x5u.header["x5u"].endswith("/cert.pem")
    jwks = forger.attacker.jwks_document()
    key = jwt.PyJWK(jwks["keys"][0])
    assert jwt.decode(jku.token, key, algorithms=["RS256"], audience="infra-mind-api")
    assert b"BEGIN CERTIFICATE" in forger.attacker.x509_pem()


def test_exp_nbf_and_claim_variants_fail_pyjwt_for_the_stated_reason(forger):
    by = {t.label: t for t in forger.exp_nbf()}
    with pytest.raises(jwt.ExpiredSignatureError):
        _decode(by["exp past (beyond leeway)"].token)
    with pytest.raises(jwt.MissingRequiredClaimError):
        _decode(by["exp missing"].token, options={"require": ["exp"]})
    with pytest.raises(jwt.ImmatureSignatureError):
        _decode(by["nbf in the future"].token)
    assert "exp past within leeway" not in by  # profile leeway 0
    cv = {t.label: t for t in forger.iss_aud_type()}
    with pytest.raises(jwt.InvalidIssuerError):
        _decode(cv["wrong iss"].token)
    with pytest.raises(jwt.InvalidAudienceError):
        _decode(cv["wrong aud"].token)
    assert "token_type" not in _decode(cv["missing token_type"].token)
    assert _decode(cv["wrong token_type"].token)["token_type"] == "ws-audit-wrong-token_type"


def test_within_leeway_variant():
    p = load_profile("tests/data/wsaudit/leeway_profile.yaml")
    f = Forger(p, load_keys(p, secret=SECRET))
    t = {x.label: x for x in f.exp_nbf()}["exp past within leeway"]
    assert t.expect == "accept"
    with pytest.raises(jwt.ExpiredSignatureError):
        _decode(t.token)
    assert _decode(t.token, leeway=4)["sub"] == p.subject


def test_malformed_tokens(forger):
    labels = {t.label: t for t in forger.malformed()}
    assert labels["2 segments"].token.count(".") == 1
    assert split_token(labels["non-JSON header"].token)[0] is None
    for t in labels.values():
        with pytest.raises(jwt.InvalidTokenError):
            _decode(t.token)


def test_same_family_algorithms_are_marked_and_allowlisted_ones_skipped(profile):
    from dataclasses import replace as _replace
    f = Forger(_replace(profile, algorithms=("HS256", "HS384")), load_keys(profile, secret=SECRET))
    toks = {t.header["alg"]: t for t in f.disallowed_algs()}
    assert "HS384" not in toks and toks["HS512"].meta == {"same_key": True}
    assert toks["RS256"].meta == {} and "attacker key" in toks["RS256"].note


@pytest.mark.parametrize("alg,size", [("ES256", 64), ("ES384", 96)])
def test_psychic_signatures_are_zero(forger, alg, size):
    toks = [t for t in forger.psychic() if t.header["alg"] == alg]
    sigs = sorted(b64url_decode(t.token.split(".")[2]) for t in toks)
    assert sigs == sorted([bytes(size), bytes.fromhex("3006020100020100")])
    key = ec.generate_private_key(ec.SECP256R1() if alg == "ES256" else ec.SECP384R1()).public_key()
    for t in toks:  # a patched verifier (cryptography via PyJWT) rejects r = s = 0
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(t.token, key, algorithms=[alg], audience="infra-mind-api")


def test_header_abuse_tokens(forger, profile):
    from cryptography import x509
    x5c = forger.x5c()
    leaf, ca = (x509.load_der_x509_certificate(__import__("base64").b64decode(c)) for c in x5c.header["x5c"])
    assert leaf.issuer == ca.subject
    assert leaf.public_key().public_numbers() == forger.attacker.rsa.public_key().public_numbers()
    assert jwt.decode(x5c.token, leaf.public_key(), algorithms=["RS256"], audience="infra-mind-api")
    crit, cty, b64 = forger.header_abuse()
    with pytest.raises(jwt.InvalidTokenError, match="ws-audit-ext"):  # PyJWT honours RFC 7515 §4.1.11
        _decode(crit.token)
    signing_input, sig = crit.token.rsplit(".", 1)  # ... although its signature is the real key's
    assert b64url_decode(sig) == hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    payload = b64url_decode(cty.token.split(".")[1]).decode()
    assert payload.count(".") == 2
    assert jwt.decode(payload, options={"verify_signature": False})["sub"] == profile.victim_subject
    with pytest.raises(jwt.DecodeError):
        _decode(cty.token)
    head, raw, sig = b64.token.split(".")
    assert json.loads(raw) == b64.claims and b64.header["crit"] == ["b64"]
    assert b64url_decode(sig) == hmac.new(SECRET.encode(), f"{head}.{raw}".encode(), hashlib.sha256).digest()


def test_keyless_forger_still_makes_attacker_tokens():
    p = load_profile("tests/data/wsaudit/es256_no_key.yaml")
    f = Forger(p, load_keys(p))
    assert len(f.alg_none()) == 8 and len(f.psychic()) == 4 and f.x5c().header["alg"] == "RS256"
    from analysis.wsaudit.keys import MissingKeyError
    with pytest.raises(MissingKeyError, match="private_key_env"):
        f.baseline()
    with pytest.raises(MissingKeyError):
        f.header_abuse()
