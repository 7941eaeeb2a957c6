"""Which function runs each probe of the checklist, which probes need an accepted baseline, and the selection."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from ..checklist import PROBE_IDS, PROBES, ProbeSpec
from ..result import Case
from ..sources.client import Runner
from .claims import p_exp_nbf, p_iss_aud_type
from .identity import p_baseline, p_claimed_identity, p_identity, p_isolation
from .lifecycle import p_message_authz, p_revocation
from .limits import p_message_limits
from .oracle import p_error_oracle
from .tokens import (p_alg_confusion, p_alg_none, p_header_abuse, p_jku_x5u, p_jwk_header, p_kid_injection,
                     p_malformed, p_no_token, p_null_signature, p_psychic_sig, p_tampered, p_weak_secret, p_wrong_key)
from .transport import p_expiry_open, p_origin, p_persistence, p_token_in_url, p_transport

ProbeFn = Callable[[Runner], Coroutine[Any, Any, list[Case]]]

PROBE_FUNCS: dict[str, ProbeFn] = {
    "baseline": p_baseline, "no_token": p_no_token, "malformed": p_malformed, "tampered": p_tampered,
    "alg_none": p_alg_none, "null_signature": p_null_signature, "wrong_key": p_wrong_key,
    "alg_confusion": p_alg_confusion, "weak_secret": p_weak_secret, "jwk_header": p_jwk_header,
    "jku_x5u": p_jku_x5u, "kid_injection": p_kid_injection, "exp_nbf": p_exp_nbf, "expiry_open": p_expiry_open,
    "iss_aud_type": p_iss_aud_type, "identity": p_identity, "isolation": p_isolation, "origin": p_origin,
    "transport": p_transport, "error_oracle": p_error_oracle, "persistence": p_persistence,
    "claimed_identity": p_claimed_identity, "revocation": p_revocation, "message_authz": p_message_authz,
    "psychic_sig": p_psychic_sig, "header_abuse": p_header_abuse, "token_in_url": p_token_in_url,
    "message_limits": p_message_limits,
}
#: Probes that are N/A when the baseline token was not accepted (a rejection would prove nothing).
NEEDS_BASELINE = frozenset(PROBE_IDS) - {"baseline", "transport", "weak_secret"}


def select_probes(probes: list[str] | tuple[str, ...] | None) -> list[ProbeSpec]:
    """The specs to run, in checklist order (the baseline always included as the control).

    Parameters
    ----------
    probes : list of str, optional
        Probe ids; empty or None means all.

    Raises
    ------
    ValueError
        On an unknown id.
    """
    if not probes:
        return list(PROBES)
    unknown = [p for p in probes if p not in PROBE_IDS]
    if unknown:
        raise ValueError(f"unknown probe {unknown[0]!r} (known: {', '.join(PROBE_IDS)})")
    return [p for p in PROBES if p.id in probes or p.id == "baseline"]
