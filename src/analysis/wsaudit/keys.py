"""Key material for minting tokens: read from the environment variables a profile names, never from a file.

HS* profiles need the shared secret (``secret_env``); RS*/PS*/ES* profiles an unencrypted
PEM private key (``private_key_env``); ``public_key_env`` optionally names the server's
public key (used by the algorithm-confusion probe). PEM values may be given on one line
with literal ``\\n`` separators.
"""

from __future__ import annotations

import os
import secrets as _secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..errors import ConfigError
from .profile import Profile


@dataclass(frozen=True)
class Keys:
    """Key material for minting: the configured algorithm plus secret or key pair."""

    algorithm: str
    secret: bytes | None = None
    private_key: Any = None
    public_pem: bytes | None = None
    generated: bool = False

    @property
    def signing_key(self) -> Any:
        """The secret (HS*) or the private key (asymmetric algorithms)."""
        return self.secret if self.algorithm.startswith("HS") else self.private_key

    def secret_texts(self) -> list[str]:
        """Values that must never appear in output (for redaction)."""
        out = []
        if self.secret:
            out.append(self.secret.decode("utf-8", "replace"))
        if self.private_key is not None:
            pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
            out.extend(line for line in pem.splitlines() if len(line) > 16 and "PRIVATE KEY" not in line)
        return out


def generate_secret() -> str:
    """A random 256-bit HS256 secret for a run against in-process reference targets."""
    return _secrets.token_urlsafe(32)


def pem_from_env(value: str) -> bytes:
    """PEM bytes from an environment value (one-line ``\\n`` form accepted)."""
    return value.replace("\\n", "\n").encode()


def _where(profile: Profile) -> str:
    return profile.source or profile.name


def _env(profile: Profile, key: str, required: bool) -> str | None:
    """The value of the env var the profile's ``key`` names (None when unset and not required)."""
    name = getattr(profile, key)
    value = os.environ.get(name) if name else None
    if required and not value:
        raise ConfigError(f"{_where(profile)}: {key}: names environment variable {name or '(none)'}, "
                          "which is not set")
    return value or None


def _public_pem(profile: Profile) -> bytes | None:
    """The public key ``public_key_env`` names, as SubjectPublicKeyInfo PEM (None when not configured)."""
    text = _env(profile, "public_key_env", False)
    if not text:
        return None
    try:
        pub = serialization.load_pem_public_key(pem_from_env(text))
    except ValueError:
        raise ConfigError(f"{_where(profile)}: public_key_env: {profile.public_key_env} does not hold a PEM "
                          "public key") from None
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_key(profile: Profile) -> Any:
    """The private key ``private_key_env`` names, checked against the profile's algorithm."""
    where, alg, name = _where(profile), profile.algorithm, profile.private_key_env
    text = _env(profile, "private_key_env", True)
    try:
        key = serialization.load_pem_private_key(pem_from_env(text or ""), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{where}: private_key_env: {name} does not hold an unencrypted PEM private key") from None
    if alg.startswith(("RS", "PS")) and not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{where}: private_key_env: {alg} needs an RSA private key in {name}")
    if alg.startswith("ES") and not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{where}: private_key_env: {alg} needs an EC private key in {name}")
    return key


def load_keys(profile: Profile, *, secret: str | None = None) -> Keys:
    """Read the profile's key material from the environment.

    Parameters
    ----------
    profile : Profile
        Names the algorithm and the env vars (``secret_env``, ``private_key_env``, ``public_key_env``).
    secret : str, optional
        Use this HS* secret instead of the env var (in-process reference targets only).

    Returns
    -------
    Keys

    Raises
    ------
    ConfigError
        One line ``file: key: problem`` when a named variable is unset or holds an unusable key.
    """
    alg = profile.algorithm
    public_pem = _public_pem(profile)
    if alg.startswith("HS"):
        value = secret if secret is not None else _env(profile, "secret_env", True)
        return Keys(alg, secret=(value or "").encode(), public_pem=public_pem, generated=secret is not None)
    key = _private_key(profile)
    if public_pem is None:
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return Keys(alg, private_key=key, public_pem=public_pem)
