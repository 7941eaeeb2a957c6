"""Minting: a forged token's record (:class:`Forged`), the attacker's keys and the valid tokens (:class:`Minter`).

Valid tokens are signed through PyJWT's algorithm objects (:mod:`.jws`) with key material
from :mod:`.keys`; a :class:`Forged` token's evidence carries its header and claims, never
the signature or the key. Without the signing key (``Keys.missing``) :meth:`Minter.sign`
raises :class:`~.keys.MissingKeyError`, which the battery turns into an ERROR row naming
the profile key; attack tokens that need no key are still made.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

from .identities import SUB, get_claim, set_claim
from .jws import sign_with
from .keys import CURVES, Keys
from .profile import Profile
from .templates import render

DROP = object()  #: claim override meaning "leave this claim out"


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


class AttackerKeys:
    """The attacker's key pairs (made on first use) and the documents a fetching target would trust."""

    @cached_property
    def rsa(self) -> rsa.RSAPrivateKey:
        """A 2048-bit RSA key (jwk, jku, x5u and wrong-key tokens)."""
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def ec(self) -> ec.EllipticCurvePrivateKey:
        """A P-256 key (embedded EC jwk, ES256 wrong-key tokens)."""
        return ec.generate_private_key(ec.SECP256R1())

    def key_for(self, alg: str) -> Any:
        """A key of the attacker's for ``alg`` (random bytes for HS*)."""
        if alg.startswith("HS"):
            return os.urandom(32)
        if alg.startswith(("RS", "PS")):
            return self.rsa
        return self.ec if alg == "ES256" else ec.generate_private_key(CURVES[alg]())

    def jwks_document(self) -> dict[str, Any]:
        """JWKS the local listener serves for ``jku``."""
        return {"keys": [dict(RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True),
                              kid="ws-audit-jku", use="sig", alg="RS256")]}

    @cached_property
    def ca(self) -> ec.EllipticCurvePrivateKey:
        """The attacker's own certificate authority key (P-256) for the ``x5c`` chain."""
        return ec.generate_private_key(ec.SECP256R1())

    def x5c_chain(self) -> list[str]:
        """``x5c`` value: the attacker's leaf certificate (RSA key) and its CA, base64 DER (RFC 7515 §4.1.6)."""
        now = dt.datetime.now(dt.timezone.utc)
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ws-audit attacker CA")])
        leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ws-audit attacker")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(self.ca.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
              .not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .sign(self.ca, hashes.SHA256()))
        leaf = (x509.CertificateBuilder().subject_name(leaf_name).issuer_name(ca_name)
                .public_key(self.rsa.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                .sign(self.ca, hashes.SHA256()))
        return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in (leaf, ca)]

    def x509_pem(self) -> bytes:
        """Self-signed certificate of the attacker key the listener serves for ``x5u``."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ws-audit attacker")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.rsa.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                .sign(self.rsa, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM)


class Minter:
    """Valid tokens for one profile and key set: header, claims, signature (probes 1, 14, 16, 21).

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
        self.attacker = AttackerKeys()
        self._now = now

    @property
    def now(self) -> int:
        """The clock, in whole seconds."""
        return int(self._now if self._now is not None else time.time())

    @property
    def alg(self) -> str:
        """The configured algorithm."""
        return self.keys.algorithm

    def header(self, **extra: Any) -> dict[str, Any]:
        """The configured header (alg, typ, kid) with ``extra`` entries; ``DROP`` removes one."""
        h: dict[str, Any] = {"alg": self.alg, "typ": self.profile.typ or "JWT"}
        if self.profile.kid:
            h["kid"] = self.profile.kid
        return _apply(h, extra)

    def identity_of(self, sub: str) -> Any:
        """The identity claim's value for the user named ``sub`` (A's or B's ``*_identity``, else ``sub``)."""
        p = self.profile
        return {p.subject: p.subject_id, p.victim_subject: p.victim_id}.get(sub, sub)

    def claims(self, sub: str | None = None, **overrides: Any) -> dict[str, Any]:
        """Profile claims (``{sub}``, ``{identity}`` rendered) + the identity claim, sub, iat, exp, jti.

        The identity claim (``identity_claim``, default ``sub``) holds the user's identity value
        with the type the server issues (``subject_identity``: ``"42"`` or ``42``). With another
        identity claim, ``sub`` is the profile's ``claims.sub`` if it sets one, else the user's
        name. ``DROP`` removes a claim.
        """
        p = self.profile
        sub = sub or p.subject
        ident = self.identity_of(sub)
        now = self.now
        c: dict[str, Any] = dict(render(p.claims, sub=sub, identity=str(ident)))
        c.update({"sub": c.get("sub", sub) if p.identity_claim != SUB else ident, "iat": now,
                  "exp": now + p.token_lifetime_s, "jti": uuid.uuid4().hex})
        if p.identity_claim != SUB:
            c = set_claim(c, p.identity_claim, ident)
        return _apply(c, overrides)

    def as_victim(self, claims: dict[str, Any]) -> dict[str, Any]:
        """``claims`` rewritten to name the victim B: the identity claim (and ``sub``) set to B's values."""
        p = self.profile
        c = set_claim(claims, p.identity_claim, p.victim_id)
        if p.identity_claim != SUB and c.get("sub") == p.subject:
            c["sub"] = p.victim_subject
        return c

    def identity_in(self, claims: dict[str, Any] | None) -> Any:
        """The identity claim's value in ``claims`` (None when absent)."""
        return get_claim(claims or {}, self.profile.identity_claim)

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        """Token signed with the configured key."""
        return sign_with(header, claims, self.keys.signing_key)

    def make(self, label: str, claims: dict[str, Any] | None = None, header: dict[str, Any] | None = None,
             expect: str = "reject", note: str = "", meta: dict[str, Any] | None = None) -> Forged:
        """A token signed correctly with the configured key (validity decided by its claims)."""
        h = header or self.header()
        c = claims if claims is not None else self.claims()
        return Forged(label, self.sign(h, c), h, c, note or f"{h['alg']} with the configured key", expect,
                      meta=dict(meta or {}))

    def baseline(self, sub: str | None = None) -> Forged:
        """Valid token for ``sub`` (default: the profile's subject)."""
        return self.make("baseline", self.claims(sub), expect="accept")

    def short_lived(self, seconds: int) -> Forged:
        """Valid token expiring ``seconds`` from now (probe 14)."""
        return self.make(f"exp in {seconds} s", self.claims(exp=self.now + seconds), expect="accept")


    def fresh(self, label: str, sub: str | None = None, **overrides: Any) -> Forged:
        """A valid token with its own ``jti`` (revocation, per-message and limit probes)."""
        return self.make(label, self.claims(sub, **overrides), expect="accept")
