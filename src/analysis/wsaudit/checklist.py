"""The probe checklist: each probe's number, id, title, secure behaviour, severity, references and fix (data only).

Probes 1–21 are the token-validation battery (jwt_tool, RFC 8725, OWASP WSTG-CLNT-10);
22–28 the lifecycle and protocol probes (claimed identity without a token, logout /
revocation, per-message authorization, psychic signatures, header abuse, token in the
URL, message limits). Every probe names its references — an OWASP ASVS 5.0 requirement,
an OWASP WSTG test id, a CWE and an RFC section — and a severity (what a FAIL means);
SARIF rules and the evidence table are built from them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Severities, most severe first, with the CVSS-like score SARIF consumers read (``security-severity``).
SEVERITIES = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 3.0}


@dataclass(frozen=True)
class ProbeSpec:
    """One row of the checklist.

    Parameters
    ----------
    n : int
        Position in the checklist (1–28).
    id : str
        Short id used in ``probes`` parameters, JSON, SARIF and JUnit.
    title : str
        What the probe checks.
    secure : str
        What a secure target does.
    severity : str
        What a FAIL of this probe means: ``critical`` | ``high`` | ``medium`` | ``low``.
    asvs, wstg, cwe, rfc : str
        References: OWASP ASVS 5.0 requirement, OWASP WSTG test id, CWE id, RFC section.
    fix : str
        The fix of a FAIL, in one sentence.
    """

    n: int
    id: str
    title: str
    secure: str
    severity: str
    asvs: str
    wstg: str
    cwe: str
    rfc: str
    fix: str


def _p(n: int, pid: str, title: str, secure: str, severity: str, refs: str, fix: str) -> ProbeSpec:
    """A spec from ``refs`` = "ASVS | WSTG | CWE | RFC"."""
    asvs, wstg, cwe, rfc = (part.strip() for part in refs.split("|"))
    return ProbeSpec(n, pid, title, secure, severity, asvs, wstg, cwe, rfc, fix)


PROBES: tuple[ProbeSpec, ...] = (
    _p(1, "baseline", "Baseline: valid token", "accepted; acts as the token's identity claim", "high",
       "8.3.1 | WSTG-SESS-10 | CWE-287 | RFC 8725 §3.10",
       "Take the connection's identity from the verified token's identity claim (sub) and nothing else."),
    _p(2, "no_token", "No token; empty token", "rejected", "critical",
       "8.2.1 | WSTG-ATHN-04 | CWE-306 | RFC 6750 §3.1",
       "Refuse the handshake or the first message when no token is presented."),
    _p(3, "malformed", "Malformed tokens", "rejected, no 500/trace in the reply", "medium",
       "16.5.1 | WSTG-ERRH-01 | CWE-209 | RFC 7519 §7.2",
       "Reject undecodable tokens with one generic error and never echo internals."),
    _p(4, "tampered", "Tampered payload; truncated signature", "rejected", "critical",
       "9.1.1 | WSTG-SESS-10 | CWE-347 | RFC 7515 §5.2",
       "Verify the signature over header and payload before reading any claim."),
    _p(5, "alg_none", "alg none/None/NONE/nOnE ± old signature", "rejected", "critical",
       "9.1.2 | WSTG-SESS-10 | CWE-347 | RFC 8725 §3.1",
       "Pin the accepted algorithms in the verifier; never accept 'none'."),
    _p(6, "null_signature", "Null/empty signature with HS256", "rejected", "critical",
       "9.1.1 | WSTG-SESS-10 | CWE-347 | RFC 7515 §5.2",
       "Reject tokens whose signature is empty or does not verify."),
    _p(7, "wrong_key", "Signed with a wrong key (same alg, kid)", "rejected", "critical",
       "9.1.1 | WSTG-SESS-10 | CWE-347 | RFC 7515 §5.2",
       "Verify with the configured key only, never with a key chosen by the token."),
    _p(8, "alg_confusion", "Algorithm confusion; attacker algorithms outside the allowlist", "rejected",
       "critical", "9.1.2 | WSTG-SESS-10 | CWE-327 | RFC 8725 §2.1",
       "Pin one key type per verifier (algorithms=[...]) so a public key is never used as an HMAC secret."),
    _p(9, "weak_secret", "Weak secret: common list offline; empty-key token", "none found; rejected", "high",
       "11.2.3 | WSTG-SESS-10 | CWE-521 | RFC 7518 §3.2",
       "Use a random HMAC secret at least as long as the hash output (32 bytes for HS256)."),
    _p(10, "jwk_header", "Header jwk with an attacker key", "rejected", "critical",
       "9.1.3 | WSTG-SESS-10 | CWE-347 | RFC 7515 §4.1.3",
       "Ignore keys embedded in the token header; verify with pre-configured keys."),
    _p(11, "jku_x5u", "jku / x5u to a local listener", "rejected, and the listener sees no fetch", "critical",
       "9.1.3 | WSTG-SESS-10 | CWE-918 | RFC 7515 §4.1.2",
       "Never fetch keys from URLs named by the token (jku, x5u); use an allowlisted JWKS."),
    _p(12, "kid_injection", "kid injection (path, SQL, command, unknown)", "rejected; response time unchanged",
       "high", "9.1.3 | WSTG-SESS-10 | CWE-20 | RFC 8725 §3.10",
       "Look kid up in a fixed key map; never pass it to a file path, query or shell."),
    _p(13, "exp_nbf", "exp past / within leeway / missing; nbf future",
       "rejected / accepted / required when configured / rejected", "high",
       "9.2.1 | WSTG-SESS-10 | CWE-613 | RFC 7519 §4.1.4",
       "Verify exp and nbf with a small leeway, and require exp on session tokens."),
    _p(14, "expiry_open", "Token expiry during an open connection", "closed or re-auth required (after the grace)",
       "medium", "7.4.1 | WSTG-SESS-07 | CWE-613 | RFC 6455 §10.5",
       "Close or re-authenticate a socket when its token expires (a bounded grace for refresh is fine)."),
    _p(15, "iss_aud_type", "Wrong or missing iss / aud / token type", "rejected when configured", "high",
       "9.2.3 | WSTG-SESS-10 | CWE-287 | RFC 8725 §3.9",
       "Require and check iss, aud and the token type the socket expects."),
    _p(16, "identity", "Identity from the token's identity claim only (seed attack: forged user_id)", "acts as A; never B", "critical",
       "8.3.1 | WSTG-ATHZ-02 | CWE-639 | RFC 8725 §3.10",
       "Ignore client-supplied user ids; the verified token's identity claim is the identity."),
    _p(17, "isolation", "Isolation: subscribe to the victim's resource", "refused; no victim pushes", "critical",
       "8.2.2 | WSTG-ATHZ-04 | CWE-639 | RFC 6455 §10.5",
       "Check the owner of every topic on subscribe against the connection's identity."),
    _p(18, "origin", "Origin / cross-site WebSocket hijacking", "rejected, or reported", "medium",
       "4.4.2 | WSTG-CLNT-10 | CWE-1385 | RFC 6455 §10.2",
       "Check the Origin header against an allowlist during the handshake."),
    _p(19, "transport", "Transport: ws:// vs wss://", "wss:// (ws:// reported)", "medium",
       "4.4.1 | WSTG-CRYP-03 | CWE-319 | RFC 6455 §10.6",
       "Serve the socket only over wss://."),
    _p(20, "error_oracle", "Error oracle: rejections of forged tokens differ by kind?", "uniform", "low",
       "16.5.1 | WSTG-ERRH-01 | CWE-204 | RFC 8725 §2.1",
       "Answer every forged token with the same error, close code and timing."),
    _p(21, "persistence", "Persistence: baseline still accepted at the end", "accepted", "low",
       "16.5.3 | WSTG-CLNT-10 | CWE-703 | RFC 6455 §7.1.7",
       "Keep serving valid clients after rejected attempts (or document the ban that explains it)."),
    _p(22, "claimed_identity", "Claimed identity without a token (header, query, message)", "refused",
       "critical", "4.1.3 | WSTG-ATHN-04 | CWE-290 | RFC 6750 §2",
       "Never authenticate from a client-set header, query parameter or message field; require a verified token."),
    _p(23, "revocation", "Logout / revocation: open socket and new connections", "closed within the grace; refused",
       "high", "7.4.1 | WSTG-SESS-06 | CWE-613 | RFC 7009 §2",
       "Keep a jti deny-list checked on connect, and close the sockets of a revoked token."),
    _p(24, "message_authz", "Per-message authorization on the victim's resource", "refused, no victim data",
       "critical", "8.2.2 | WSTG-ATHZ-04 | CWE-639 | RFC 6455 §10.5",
       "Authorize every message against the connection's identity, not only the subscribe."),
    _p(25, "psychic_sig", "Psychic signatures: ECDSA r = s = 0 (CVE-2022-21449)", "rejected", "critical",
       "9.1.1 | WSTG-SESS-10 | CWE-347 | RFC 7518 §3.4",
       "Use an ECDSA verifier that rejects r or s outside [1, n-1] (patched JDK, cryptography, PyJWT)."),
    _p(26, "header_abuse", "Header abuse: x5c chain, unknown crit, cty JWT nesting, b64 false", "rejected", "high",
       "9.1.3 | WSTG-SESS-10 | CWE-347 | RFC 7515 §4.1.11",
       "Reject unknown crit extensions, nested and unencoded payloads, and certificates carried in the token."),
    _p(27, "token_in_url", "Token in the URL query string", "not accepted in the URL (a header or message is)",
       "medium", "14.2.1 | WSTG-SESS-04 | CWE-598 | RFC 6750 §2.3",
       "Send the token in a header or the first message, never in the URL (it lands in access logs)."),
    _p(28, "message_limits", "Message limits: a frame over the server's limit, a bounded burst",
       "refused (a close or a drop, not an app reply); still serving", "medium",
       "2.4.1 | WSTG-CLNT-10 | CWE-770 | RFC 6455 §10.4",
       "Set a frame size limit and a per-connection message rate limit, and close over-limit clients cleanly."),
)
#: Probe ids in checklist order.
PROBE_IDS = tuple(p.id for p in PROBES)
#: The probes the seed's mock auth must FAIL (the negative control).
IDENTITY_PROBES = ("identity", "isolation")


def spec(probe_id: str) -> ProbeSpec:
    """The checklist row of ``probe_id`` (KeyError when unknown)."""
    return _BY_ID[probe_id]


_BY_ID = {p.id: p for p in PROBES}
