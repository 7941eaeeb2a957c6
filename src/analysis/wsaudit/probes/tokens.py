"""Probes 2–12, 25 and 26: is the token itself checked — present, well formed, signed with an allowed algorithm
and key?

Algorithm confusion (8) judges only tokens an attacker can make (no key, an attacker key,
the public key used as an HMAC secret); an algorithm of the same family signed with the
real key is reported as information.
"""

from __future__ import annotations

import asyncio
import re

from ..forge import Forged
from ..identities import same_identity
from ..jws import COMMON_SECRETS, weak_secret_matches
from ..keys import MissingKeyError
from ..result import INFO, Case
from ..sources.client import Runner, is_loopback
from .cases import baseline_accepted, judge_keyed, reject_case, rejects, unproven

_LEAK = re.compile(r"Traceback|File \"|\bException\b|stack ?trace|at [\w$.]+\([\w.]+:\d+\)|Internal Server Error",
                   re.I)


async def p_no_token(r: Runner) -> list[Case]:
    """Probe 2: no token; an empty token."""
    exs = await asyncio.gather(r.exchange(None), r.exchange(""))
    return [reject_case(r, None, exs[0], "no token"), reject_case(r, None, exs[1], "empty token")]


async def p_malformed(r: Runner) -> list[Case]:
    """Probe 3: malformed tokens are rejected without a 500 or a stack trace in the reply."""
    cases = await rejects(r, r.forger.malformed())
    for c in cases:
        if c.status == "PASS" and c.received:
            frames = " ".join(c.received.get("frames") or [])
            if (c.received.get("http_status") or 0) >= 500 or _LEAK.search(frames):
                c.status, c.reason = "WARN", f"rejected, but the reply leaks internals: {frames[:120]}"
    return cases


async def p_tampered(r: Runner) -> list[Case]:
    """Probe 4: tampered payload; truncated signature."""
    return await rejects(r, r.forger.tampered())


async def p_alg_none(r: Runner) -> list[Case]:
    """Probe 5: ``alg: none`` in four spellings, with and without the old signature."""
    return await rejects(r, r.forger.alg_none())


async def p_null_signature(r: Runner) -> list[Case]:
    """Probe 6: empty and all-zero HS256 signatures."""
    return await rejects(r, r.forger.null_signature())


async def p_wrong_key(r: Runner) -> list[Case]:
    """Probe 7: the configured alg and kid, signed with a wrong key."""
    return await rejects(r, r.forger.wrong_key())


async def p_alg_confusion(r: Runner) -> list[Case]:
    """Probe 8: HS256 keyed with the public key; attacker algorithms outside the allowlist.

    A same-family algorithm outside ``algorithms`` signed with the configured key (HS384
    next to HS256) is not a forgery — only the key holder can mint it: accepted, it is
    INFO; rejected, PASS.
    """
    conf = r.forger.confusion()
    others = r.forger.disallowed_algs()
    cases = await rejects(r, conf + others)
    allow = ", ".join(r.profile.algorithms)
    judge_keyed(conf + others, cases, INFO,
                lambda f: f"{f.header['alg'] if f.header else '?'} signed with the configured key is accepted although "
                f"the profile lists {allow} (list it in algorithms or pin the verifier)")
    if not conf:
        cases.append(Case("HS256 keyed with the public key", "N/A",
                          "no public key configured (public_key_env) and the algorithm is symmetric"))
    return cases


def _secret_cases(r: Runner) -> list[Case]:
    """Probe 9 offline: is the configured secret a common one, and long enough (RFC 7518 §3.2)?"""
    if not r.keys.algorithm.startswith("HS"):
        return [Case("offline common-secret check", "N/A", f"{r.keys.algorithm} is not an HMAC algorithm")]
    if r.baseline_token is None:
        return [Case("offline common-secret check", "N/A", "no baseline token (the signing key is missing)")]
    cases = []
    hits = weak_secret_matches(r.baseline_token.token)
    if hits:
        cases.append(Case("offline common-secret check", "FAIL",
                          f"the configured secret is entry #{hits[0]} of the built-in list of "
                          f"{len(COMMON_SECRETS)} common secrets (value not shown)"))
    else:
        cases.append(Case("offline common-secret check", "PASS",
                          f"none of {len(COMMON_SECRETS)} common secrets (incl. blank) verifies the baseline"))
    need = int(r.keys.algorithm[2:]) // 8
    have = len(r.keys.secret or b"")
    cases.append(Case("secret length", "PASS" if have >= need else "WARN",
                      f"configured secret is {have} bytes; RFC 7518 §3.2 requires ≥ {need} for {r.keys.algorithm}"))
    return cases


async def p_weak_secret(r: Runner) -> list[Case]:
    """Probe 9: common secrets (offline, never sent), the secret's length, an empty-key token.

    The offline checks need no server; the empty-key token's rejection proves something only
    next to an accepted baseline (otherwise it is N/A; an acceptance stays a FAIL).
    """
    empty = await rejects(r, r.forger.empty_secret())
    if not baseline_accepted(r):
        empty = unproven(empty, "the baseline token was not accepted",
                         "no accepted baseline: the empty-key token's rejection proves nothing")
    return _secret_cases(r) + empty


async def p_jwk_header(r: Runner) -> list[Case]:
    """Probe 10: the attacker's key embedded in the header as ``jwk``."""
    return await rejects(r, r.forger.jwk_header())


async def p_jku_x5u(r: Runner) -> list[Case]:
    """Probe 11: ``jku`` / ``x5u`` to the local listener: rejected, and never fetched."""
    assert r.listener is not None
    before = len(r.listener.fetches)
    tokens = r.forger.jku_x5u(r.listener.base_url)
    cases = await rejects(r, tokens)
    await asyncio.sleep(0.05)
    fetched = r.listener.fetches[before:]
    for f, c in zip(tokens, cases):
        path = f.meta["fetch_path"]
        hits = [x for x in fetched if x["path"].startswith(path)]
        if hits:
            c.status = "FAIL"
            c.reason += f"; the target fetched {path} from the local listener ({len(hits)}×): it follows token URLs"
        elif not is_loopback(r.profile.url):
            c.reason += "; no fetch seen (the 127.0.0.1 listener is unreachable from a remote target: inconclusive)"
            c.unjudged = "a remote target cannot reach the 127.0.0.1 listener: a fetch would not be seen"
        else:
            c.reason += "; listener saw no fetch"
    return cases


async def p_kid_injection(r: Runner) -> list[Case]:
    """Probe 12: kid injection is rejected, and does not take a second longer than the baseline."""
    cases = await rejects(r, r.forger.kid_injection())
    base_ms = r.baseline.ms if r.baseline else 0.0
    for c in cases:
        ms = (c.received or {}).get("ms", 0.0)
        if c.status == "PASS" and ms > base_ms + 1000:
            c.status, c.reason = "WARN", f"{c.reason}; took {ms:.0f} ms vs baseline {base_ms:.0f} ms (kid reaches I/O?)"
    return cases


async def p_psychic_sig(r: Runner) -> list[Case]:
    """Probe 25: ES256 / ES384 tokens with r = s = 0, raw and DER (CVE-2022-21449) are rejected."""
    cases = await rejects(r, r.forger.psychic())
    if not r.profile.algorithm.startswith("ES"):
        for c in cases:
            if c.status == "PASS":
                c.reason += (f" (the target's algorithm is {r.profile.algorithm}: this checks ECDSA is not accepted "
                             "at all)")
    return cases


async def p_header_abuse(r: Runner) -> list[Case]:
    """Probe 26: x5c with an attacker chain, an unknown crit extension, cty JWT nesting, b64 false are rejected."""
    tokens = [r.forger.x5c()]
    keyed: list[Case] = []
    try:
        tokens += r.forger.header_abuse()
    except MissingKeyError as exc:
        keyed = [Case("crit / cty / b64 (signed with the configured key)", "ERROR", f"needs the signing key: {exc}")]
    cases = await rejects(r, tokens)
    return judge_keyed(tokens, cases, "WARN", lambda f: _nonconformance(r, f, cases[tokens.index(f)])) + keyed


def _nonconformance(r: Runner, f: Forged, c: Case) -> str:
    """The RFC a validly signed header-abuse token breaks; for a nested token, whether the inner one was trusted."""
    why = f"a validly signed token breaking {f.meta.get('rfc', 'the JOSE rules')}"
    if f.meta.get("nested"):
        p = r.profile
        trusted = same_identity((c.received or {}).get("identity"), p.victim_subject, p.victim_id)
        why += ("; the inner unsigned token's identity was used (acts as the victim)" if trusted
                else "; make sure the inner token is never trusted")
    return why
