"""Key material from the env vars a profile names: one-line ConfigErrors, never a value in a message."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from analysis.errors import ConfigError
from analysis.wsaudit.keys import MissingKeyError, generate_keys, load_keys
from analysis.wsaudit.profile import load_profile, parse_profile

SECRET = "unit-test-secret-0123456789abcdef0123"


@pytest.fixture
def profile():
    return load_profile("profiles/infra_mind.yaml")


def test_missing_secret_is_keyless_not_fatal(profile, monkeypatch):
    monkeypatch.delenv("WS_JWT_SECRET", raising=False)
    keys = load_keys(profile)
    assert keys.missing == ("profiles/infra_mind.yaml: secret_env: names environment variable WS_JWT_SECRET, "
                            "which is not set")
    with pytest.raises(MissingKeyError, match="WS_JWT_SECRET"):
        keys.signing_key
    monkeypatch.setenv("WS_JWT_SECRET", SECRET)
    keys = load_keys(profile)
    assert keys.secret == SECRET.encode() and not keys.missing and keys.signing_key == SECRET.encode()


def test_ecdsa_profile_without_a_key_names_the_profile_key():
    keys = load_keys(load_profile("tests/data/wsaudit/es256_no_key.yaml"))
    assert keys.missing == ("tests/data/wsaudit/es256_no_key.yaml: private_key_env: required by algorithm ES256 "
                            "(names the env var)")


def test_revoke_secret_from_its_env_var(monkeypatch):
    p = load_profile("profiles/pubsub.yaml")
    monkeypatch.setenv("WS_PUBSUB_SECRET", SECRET)
    monkeypatch.delenv("WS_PUBSUB_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="^profiles/pubsub.yaml: revoke.secret_env: names environment variable "
                                          "WS_PUBSUB_API_KEY, which is not set$"):
        load_keys(p)
    monkeypatch.setenv("WS_PUBSUB_API_KEY", "api-key-0123456789")
    keys = load_keys(p)
    assert keys.revoke_secret == "api-key-0123456789" and "api-key-0123456789" in keys.secret_texts()


@pytest.mark.parametrize("alg,kind", [("HS384", bytes), ("ES384", ec.EllipticCurvePrivateKey)])
def test_generated_keys_for_reference_targets(alg, kind):
    p = parse_profile({"url": "ws://x:1/ws", "algorithms": [alg]}, "g.yaml")
    keys = generate_keys(p)
    assert keys.generated and not keys.missing and isinstance(keys.signing_key, kind) and keys.revoke_secret
    if alg.startswith("ES"):
        assert keys.private_key.curve.name == "secp384r1" and keys.verify_key is not None


def test_rs_profile_with_ec_key_is_one_line_error(monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setenv("WSAUDIT_TEST_PRIVATE_KEY", key.private_bytes(serialization.Encoding.PEM,
                       serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())
    with pytest.raises(ConfigError, match="RSA private key"):
        load_keys(load_profile("tests/data/wsaudit/rs256_profile.yaml"))
    monkeypatch.setenv("WSAUDIT_TEST_PRIVATE_KEY", "not a pem")
    with pytest.raises(ConfigError, match="PEM"):
        load_keys(load_profile("tests/data/wsaudit/rs256_profile.yaml"))
