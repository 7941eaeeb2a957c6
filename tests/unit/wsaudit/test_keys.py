"""Key material from the env vars a profile names: one-line ConfigErrors, never a value in a message."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from analysis.errors import ConfigError
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import load_profile

SECRET = "unit-test-secret-0123456789abcdef0123"


@pytest.fixture
def profile():
    return load_profile("profiles/infra_mind.yaml")


def test_load_keys_needs_the_env_var(profile, monkeypatch):
    monkeypatch.delenv("WS_JWT_SECRET", raising=False)
    with pytest.raises(ConfigError) as e:
        load_keys(profile)
    assert "WS_JWT_SECRET" in str(e.value) and "\n" not in str(e.value)
    assert str(e.value) == ("profiles/infra_mind.yaml: secret_env: names environment variable WS_JWT_SECRET, "
                            "which is not set")
    monkeypatch.setenv("WS_JWT_SECRET", SECRET)
    assert load_keys(profile).secret == SECRET.encode()


def test_rs_profile_with_ec_key_is_one_line_error(monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setenv("WSAUDIT_TEST_PRIVATE_KEY", key.private_bytes(serialization.Encoding.PEM,
                       serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())
    with pytest.raises(ConfigError, match="RSA private key"):
        load_keys(load_profile("tests/data/wsaudit/rs256_profile.yaml"))
    monkeypatch.setenv("WSAUDIT_TEST_PRIVATE_KEY", "not a pem")
    with pytest.raises(ConfigError, match="PEM"):
        load_keys(load_profile("tests/data/wsaudit/rs256_profile.yaml"))
