"""Probes 13 and 15: are the claims checked — exp, nbf (with the configured leeway), iss, aud, token type?"""

from __future__ import annotations

import asyncio

from ..forge import Forged
from ..result import Case
from ..sources.client import Runner
from .cases import accept_case, reject_case, rejects

def _exp_case(r: Runner, f: Forged, case: Case) -> Case:
    """A correctly signed token without ``exp``: FAIL only where the profile says ``require_exp: true``.

    RFC 8725 recommends ``exp``, but accepting its absence is a policy (a token that never
    expires), not a forgery: WARN unless the profile requires it.
    """
    if f.meta.get("policy") == "require_exp" and case.status == "FAIL" and not r.profile.require_exp:
        case.status = "WARN"
        case.reason = (f"{case.reason}: a signed token without exp is accepted (never expires); policy WARN — set "
                       "require_exp: true in the profile if the service must require it")
    return case


async def p_exp_nbf(r: Runner) -> list[Case]:
    """Probe 13: exp past beyond the leeway, within it (accepted), missing (policy); nbf in the future."""
    tokens = r.forger.exp_nbf()
    exs = await asyncio.gather(*(r.exchange(f.token) for f in tokens))
    return [accept_case(f, ex) if f.expect == "accept" else _exp_case(r, f, reject_case(r, f, ex))
            for f, ex in zip(tokens, exs)]


async def p_iss_aud_type(r: Runner) -> list[Case]:
    """Probe 15: wrong or missing iss / aud / token_type (those the profile sets); wrong typ."""
    tokens = r.forger.iss_aud_type()
    if not tokens:
        return [Case("iss/aud/type", "N/A", "profile claims name none of iss, aud, token_type (and no typ)")]
    return await rejects(r, tokens)
