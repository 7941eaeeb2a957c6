"""Probes 14, 18, 19, 21 and 27: the connection around the token — expiry while open, Origin, TLS, the baseline
at the end, the token in the URL."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from ..forge import Forged
from ..profile import EXPIRY_TOKEN_LIFETIME_S, expiry_wait_s
from ..result import INFO, Case
from ..sources.client import Exchange, Hold, Runner, is_loopback
from .cases import accept_case, reject_case

_EXPIRY = "token expires while connected"


def _hold_past_expiry(r: Runner, f: Forged, exp: float, outcome: dict[str, Any]) -> Hold:
    """Keep an accepted connection open until after ``exp`` + leeway + the documented grace, then try a request.

    Fills ``outcome``: ``closed`` = (code, reason, seconds after exp) when the target closed
    the connection, else ``after`` = what a subscription to A's resource got after that.
    """
    p = r.profile

    async def hold(ws: Any, ex: Exchange) -> None:
        wait = exp + p.leeway_s + p.expiry_grace_s + 1.0 - time.time()
        if await r.wait_close(ws, ex, f.token, max(0.0, wait)):
            outcome["closed"] = (ex.close_code, ex.close_reason, time.time() - exp)
            return
        if p.own_resource and p.subscribe_message:
            outcome["after"] = await r.subscribe(ws, ex, f.token, p.own_resource)

    return hold


def _expiry_case(r: Runner, f: Forged, ex: Exchange, outcome: dict[str, Any]) -> Case:
    """PASS when the target closed the connection or refused a request after exp (+ grace); WARN otherwise."""
    grace = f" + the {r.profile.expiry_grace_s:g} s grace" if r.profile.expiry_grace_s else ""
    if "closed" in outcome:
        code, reason, dt_s = outcome["closed"]
        return Case(_EXPIRY, "PASS", f"connection closed {dt_s:+.1f} s after exp (close {code} {reason})".strip(),
                    f.evidence(), ex.evidence())
    after = outcome.get("after")
    if after in ("refused", "closed"):
        return Case(_EXPIRY, "PASS", f"after exp{grace} a request was {after}: re-auth required", f.evidence(),
                    ex.evidence())
    hint = "" if grace else " (if the server documents a grace before closing, set expiry_grace_s)"
    if after == "ack":
        return Case(_EXPIRY, "WARN", f"connection still acts as the subject after its token expired{grace} (no re-auth "
                    f"demanded){hint}", f.evidence(), ex.evidence())
    untested = " (no request tested: own_resource unset)" if not r.profile.own_resource else ""
    return Case(_EXPIRY, "WARN", f"connection still open after the token expired{grace}{untested}{hint}",
                f.evidence(), ex.evidence())


async def p_expiry_open(r: Runner) -> list[Case]:
    """Probe 14: a connection whose token expires is closed, or must re-authenticate (after the documented grace)."""
    needed = expiry_wait_s(r.profile)
    if needed > r.seconds_left():
        return [Case("expiry", "N/A", f"waiting for expiry + leeway + grace needs about {needed:.0f} s and the "
                     f"battery has {r.seconds_left():.0f} s left: raise deadline_s")]
    f = r.forger.short_lived(EXPIRY_TOKEN_LIFETIME_S)
    outcome: dict[str, Any] = {}
    ex = await r.exchange(f.token, hold=_hold_past_expiry(r, f, float((f.claims or {})["exp"]), outcome),
                          hold_s=needed)
    if ex.state != "accepted":
        return [accept_case(f, ex, when_rejected="ERROR")]
    return [_expiry_case(r, f, ex, outcome)]


async def _alternatives(r: Runner, token: str) -> list[str]:
    """The transports other than the query string the server also accepts the token in."""
    alts = ["header", "cookie", "first_message"]
    exs = await asyncio.gather(*(r.exchange(token, token_where=t) for t in alts))
    names = {"header": f"the {r.profile.header} header", "cookie": f"the {r.profile.cookie} cookie",
             "first_message": "the first message"}
    return [names[t] for t, ex in zip(alts, exs) if ex.state == "accepted"]


async def p_token_in_url(r: Runner) -> list[Case]:
    """Probe 27: a token in the URL query string is a WARN; does the server also take it elsewhere (or from the URL)?"""
    p = r.profile
    f = r.forger.fresh("valid token for A")
    if p.token_transport == "query_param":
        alts = await _alternatives(r, f.token)
        where = (f"; the server also accepts it in {' and '.join(alts)}: move clients there" if alts
                 else "; the server accepts it nowhere else (the header, a cookie and the first message were tried)")
        return [Case("token in the query string", "WARN", "the token travels in the URL (?" + p.query_param
                     + "=): it lands in access logs, proxies and browser history (RFC 6750 §2.3)" + where,
                     f.evidence(), None)]
    own = [p.own_resource] if p.subscribe_message and p.own_resource else []
    ex = await r.exchange(f.token, token_where="query_param", send_auth=False, subscribe=own)
    label = f"token only in ?{p.query_param}= (no {p.token_transport.replace('_', ' ')})"
    if ex.state == "accepted" or (own and ex.sub(own[0]) == "ack"):
        how = "accepted" if ex.state == "accepted" else "A's resource acknowledged"
        return [Case(label, "WARN", f"the server also takes the token from the URL ({how}): it lands in access logs "
                     "(RFC 6750 §2.3); refuse it there", f.evidence(), ex.evidence())]
    if ex.state == "error":
        return [Case(label, "ERROR", ex.describe(), f.evidence(), ex.evidence())]
    got = ex.sub(own[0]) if own else ""
    if got in ("refused", "closed") or ex.state in ("rejected", "closed"):
        why = f"A's resource {got}" if got in ("refused", "closed") else ex.describe()
        return [Case(label, "PASS", f"a token in the URL is not accepted ({why})", f.evidence(), ex.evidence())]
    return [Case(label, "PASS", "no acceptance of a token in the URL", f.evidence(), ex.evidence(),
                 unjudged="no accept frame and no request answered: silence is not a refusal")]


def _missing_origin_case(r: Runner, f: Forged, ex: Exchange) -> Case:
    """No Origin at all: refused is PASS; accepted is INFO (browsers always send one: no cross-site exposure)."""
    c = reject_case(r, f, ex, "no Origin header")
    if c.status == "FAIL":
        c.status = INFO
        c.reason = (f"accepted without an Origin ({ex.describe()}): non-browser clients send none, and every browser "
                    "sends one, so this is no cross-site exposure")
    return c


async def p_origin(r: Runner) -> list[Case]:
    """Probe 18: a foreign and a ``null`` Origin are refused (WARN, not FAIL, when accepted: exploitability depends
    on ambient credentials); with the profile's own ``origin`` also a handshake without any Origin."""
    p = r.profile
    if not p.origin:
        return [Case("origin", "N/A", "origin checks are off in the profile")]
    origins = ["https://evil.example", "null"] + ([""] if p.origin_header else [])
    f = r.forger.baseline()
    exs = await asyncio.gather(*(r.exchange(f.token, origin=o) for o in origins))
    ambient = " — and this socket is authenticated by a cookie" if p.token_transport == "cookie" or p.cookies \
        or p.cookies_env else ""
    cases = []
    for o, ex in zip(origins, exs):
        if not o:
            cases.append(_missing_origin_case(r, f, ex))
            continue
        c = reject_case(r, f, ex, f"Origin: {o}")
        if c.status == "FAIL":
            c.status = "WARN"
            c.reason = (f"cross-site Origin {o} accepted ({ex.describe()}); exploitable when cookies or other ambient "
                        f"credentials authenticate the socket{ambient} — add an Origin allowlist")
        cases.append(c)
    return cases


async def p_transport(r: Runner) -> list[Case]:
    """Probe 19: wss:// (ws:// is reported, except on a loopback address)."""
    scheme = urlsplit(r.profile.url).scheme
    if scheme == "wss":
        return [Case("scheme", "PASS", "wss:// (TLS); the ws:// variant is not probed: only the configured URL is "
                     "contacted")]
    if is_loopback(r.profile.url):
        return [Case("scheme", "N/A", "ws:// on a loopback address (local test target)")]
    return [Case("scheme", "WARN", "ws:// offered: tokens and pushes travel in cleartext")]


async def p_persistence(r: Runner) -> list[Case]:
    """Probe 21: the baseline is still accepted at the end (else rejections may be a ban, not validation)."""
    f = r.forger.baseline()
    ex = await r.exchange(f.token)
    if ex.state == "accepted":
        return [Case("baseline at the end", "PASS", ex.describe(), f.evidence(), ex.evidence())]
    return [Case("baseline at the end", "ERROR", f"baseline no longer accepted ({ex.describe()}): rejections above may "
                 "come from rate limiting or a ban, not from validation", f.evidence(), ex.evidence())]
