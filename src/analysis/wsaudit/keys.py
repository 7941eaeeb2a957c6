"""Key material for minting tokens: read from the environment variables a profile names, never from a file.

HS* profiles need the shared secret (``secret_env``); RS*/PS*/ES* profiles an unencrypted
PEM private key (``private_key_env``); ``public_key_env`` optionally names the server's
public key (used by the algorithm-confusion probe); ``revoke.secret_env`` the value of a
revoke request's ``{secret}``; ``headers_env`` / ``cookies_env`` the secret values of the
handshake's extra headers and cookies (:mod:`.connection`). PEM values may be given on one line with literal ``\\n``
separators.

Missing key material (no env var named, or the variable unset) is not fatal: the
:class:`Keys` then carry ``missing`` — one line naming the profile key — and the battery
runs the probes that need no key, reporting the others as ERROR with that line. A value
that is present but unusable (not a PEM key, wrong key type) is bad input: a ConfigError.
The in-process reference targets get key material generated for the run
(:func:`generate_keys`).
"""

from __future__ import annotations

import os
import secrets as _secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..errors import ConfigError
from .profile import Profile

#: The curve of each ECDSA algorithm.
CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}


class MissingKeyError(Exception):
    """A probe needs the signing key, which the profile's env vars did not provide (the message names the key)."""


@dataclass(frozen=True)
class Keys:
    """Key material for minting: the configured algorithm plus secret or key pair.

    ``missing`` is the one-line reason there is no signing key ("" when there is one);
    ``revoke_secret`` the value of a revoke request's ``{secret}``; ``headers`` / ``cookies``
    the secret handshake values read from ``headers_env`` / ``cookies_env`` (name → value).
    """

    algorithm: str
    secret: bytes | None = None
    private_key: Any = None
    public_pem: bytes | None = None
    generated: bool = False
    missing: str = ""
    revoke_secret: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def signing_key(self) -> Any:
        """The secret (HS*) or the private key (asymmetric algorithms).

        Raises
        ------
        MissingKeyError
            When the profile's key material is missing (the message names the profile key).
        """
        if self.missing:
            raise MissingKeyError(self.missing)
        return self.secret if self.algorithm.startswith("HS") else self.private_key

    @property
    def verify_key(self) -> Any:
        """What a verifier needs: the secret (HS*) or the public key object (for reference targets)."""
        if self.algorithm.startswith("HS"):
            return self.secret
        return self.private_key.public_key() if self.private_key is not None else None

    def secret_texts(self) -> list[str]:
        """Values that must never appear in output (for redaction)."""
        out = []
        if self.secret:
            out.append(self.secret.decode("utf-8", "replace"))
        if self.revoke_secret:
            out.append(self.revoke_secret)
        out.extend(v for v in (*self.headers.values(), *self.cookies.values()) if v)
        if self.private_key is not None:
            pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
            out.extend(line for line in pem.splitlines() if len(line) > 16 and "PRIVATE KEY" not in line)
        return out


def generate_secret() -> str:
    """A random 256-bit secret (HS* reference targets, reference revoke API keys)."""
    return _secrets.token_urlsafe(32)


def generate_keys(profile: Profile) -> Keys:
    """Key material generated for one run against in-process reference targets (never from the environment).

    HS*: a random 256-bit secret; RS*/PS*: a 2048-bit RSA key; ES*: a key on the
    algorithm's curve. The revoke ``{secret}`` is random too.
    """
    alg = profile.algorithm
    if alg.startswith("HS"):
        return Keys(alg, secret=generate_secret().encode(), generated=True, revoke_secret=generate_secret())
    key = (ec.generate_private_key(CURVES[alg]()) if alg.startswith("ES")
           else rsa.generate_private_key(public_exponent=65537, key_size=2048))
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Keys(alg, private_key=key, public_pem=pub, generated=True, revoke_secret=generate_secret())


def pem_from_env(value: str) -> bytes:
    """PEM bytes from an environment value (one-line ``\\n`` form accepted)."""
    return value.replace("\\n", "\n").encode()


def _lookup(profile: Profile, key: str, name: str) -> tuple[str | None, str]:
    """(value, "") of the env var ``name`` that profile key ``key`` names, or (None, the one-line problem)."""
    if not name:
        return None, f"{profile.where}: {key}: required by algorithm {profile.algorithm} (names the env var)"
    value = os.environ.get(name)
    if not value:
        return None, f"{profile.where}: {key}: names environment variable {name}, which is not set"
    return value, ""


def _public_pem(profile: Profile) -> bytes | None:
    """The public key ``public_key_env`` names, as SubjectPublicKeyInfo PEM (None when not configured)."""
    text = os.environ.get(profile.public_key_env) if profile.public_key_env else None
    if not text:
        return None
    try:
        pub = serialization.load_pem_public_key(pem_from_env(text))
    except ValueError:
        raise ConfigError(f"{profile.where}: public_key_env: {profile.public_key_env} does not hold a PEM "
                          "public key") from None
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_key(profile: Profile, text: str) -> Any:
    """The private key in ``text``, checked against the profile's algorithm."""
    where, alg, name = profile.where, profile.algorithm, profile.private_key_env
    try:
        key = serialization.load_pem_private_key(pem_from_env(text), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{where}: private_key_env: {name} does not hold an unencrypted PEM private key") from None
    if alg.startswith(("RS", "PS")) and not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{where}: private_key_env: {alg} needs an RSA private key in {name}")
    if alg.startswith("ES") and not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{where}: private_key_env: {alg} needs an EC private key in {name}")
    return key


def _revoke_secret(profile: Profile) -> str:
    """The value of ``revoke.secret_env`` ("" when the profile has none; a one-line error when unset)."""
    env = profile.revoke.secret_env if profile.revoke else ""
    if not env:
        return ""
    value = os.environ.get(env)
    if not value:
        raise ConfigError(f"{profile.where}: revoke.secret_env: names environment variable {env}, which is not set")
    return value


def _connection_secrets(profile: Profile) -> dict[str, dict[str, str]]:
    """The values of ``headers_env`` / ``cookies_env``: {"headers": {name: value}, "cookies": {…}}."""
    out: dict[str, dict[str, str]] = {}
    for key, kind in (("headers_env", "headers"), ("cookies_env", "cookies")):
        out[kind] = {}
        for name, var in getattr(profile, key).items():
            value = os.environ.get(var)
            if not value:
                raise ConfigError(f"{profile.where}: {key}.{name}: names environment variable {var}, which is not set")
            out[kind][name] = value
    return out


def load_keys(profile: Profile, *, secret: str | None = None) -> Keys:
    """Read the profile's key material from the environment.

    Parameters
    ----------
    profile : Profile
        Names the algorithm and the env vars (``secret_env``, ``private_key_env``,
        ``public_key_env``, ``revoke.secret_env``).
    secret : str, optional
        Use this HS* secret instead of the env var (tests and in-process targets only).

    Returns
    -------
    Keys
        With ``missing`` set (and no signing key) when the secret or private key is not
        available: the battery then runs only what needs no key.

    Raises
    ------
    ConfigError
        One line ``file: key: problem`` when a value is unusable (not a PEM key, wrong key
        type) or the revoke secret's, a secret header's or cookie's variable is unset.
    """
    alg = profile.algorithm
    public_pem = _public_pem(profile)
    extra = dict(revoke_secret=_revoke_secret(profile), **_connection_secrets(profile))
    if alg.startswith("HS"):
        if secret is not None:
            return Keys(alg, secret=secret.encode(), public_pem=public_pem, generated=True, **extra)
        value, missing = _lookup(profile, "secret_env", profile.secret_env)
        return Keys(alg, secret=value.encode() if value else None, public_pem=public_pem, missing=missing, **extra)
    text, missing = _lookup(profile, "private_key_env", profile.private_key_env)
    if missing:
        return Keys(alg, public_pem=public_pem, missing=missing, **extra)
    key = _private_key(profile, text or "")
    if public_pem is None:
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return Keys(alg, private_key=key, public_pem=public_pem, **extra)

