"""The 21-probe checklist: each probe's number, id, title and the secure behaviour it expects (data only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeSpec:
    """One row of the checklist.

    Parameters
    ----------
    n : int
        Position in the checklist (1–21).
    id : str
        Short id used in ``probes`` parameters and the JSON document.
    title : str
        What the probe checks.
    secure : str
        What a secure target does.
    """

    n: int
    id: str
    title: str
    secure: str


PROBES: tuple[ProbeSpec, ...] = (
    ProbeSpec(1, "baseline", "Baseline: valid token", "accepted; identity reported equals the token's sub"),
    ProbeSpec(2, "no_token", "No token; empty token", "rejected"),
    ProbeSpec(3, "malformed", "Malformed tokens", "rejected, no 500/trace in the reply"),
    ProbeSpec(4, "tampered", "Tampered payload; truncated signature", "rejected"),
    ProbeSpec(5, "alg_none", "alg none/None/NONE/nOnE ± old signature", "rejected"),
    ProbeSpec(6, "null_signature", "Null/empty signature with HS256", "rejected"),
    ProbeSpec(7, "wrong_key", "Signed with a wrong key (same alg, kid)", "rejected"),
    ProbeSpec(8, "alg_confusion", "Algorithm confusion; algorithms outside the allowlist", "rejected"),
    ProbeSpec(9, "weak_secret", "Weak secret: common list offline; empty-key token", "none found; rejected"),
    ProbeSpec(10, "jwk_header", "Header jwk with an attacker key", "rejected"),
    ProbeSpec(11, "jku_x5u", "jku / x5u to a local listener", "rejected, and the listener sees no fetch"),
    ProbeSpec(12, "kid_injection", "kid injection (path, SQL, command, unknown)", "rejected; response time unchanged"),
    ProbeSpec(13, "exp_nbf", "exp past / within leeway / missing; nbf future",
              "rejected / accepted / rejected / rejected"),
    ProbeSpec(14, "expiry_open", "Token expiry during an open connection", "closed or re-auth required"),
    ProbeSpec(15, "iss_aud_type", "Wrong or missing iss / aud / token type", "rejected when configured"),
    ProbeSpec(16, "identity", "Identity from sub only (seed attack: forged user_id)", "acts as A; never B"),
    ProbeSpec(17, "isolation", "Isolation: subscribe to the victim's resource", "refused; no victim pushes"),
    ProbeSpec(18, "origin", "Origin / cross-site WebSocket hijacking", "rejected, or reported"),
    ProbeSpec(19, "transport", "Transport: ws:// vs wss://", "wss:// (ws:// reported)"),
    ProbeSpec(20, "error_oracle", "Error oracle: rejections differ by cause?", "uniform"),
    ProbeSpec(21, "persistence", "Persistence: baseline still accepted at the end", "accepted"),
)
#: Probe ids in checklist order.
PROBE_IDS = tuple(p.id for p in PROBES)
#: The probes the seed's mock auth must FAIL (the negative control).
IDENTITY_PROBES = ("identity", "isolation")
