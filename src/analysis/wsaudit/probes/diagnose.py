"""Why the baseline's handshake was refused: a few bounded retries that name the likely cause.

A stack that refuses a handshake lacking what its clients always send answers 401 or 403 (or
500 for a path nothing routes) before any token is read — Channels'
``AllowedHostsOriginValidator`` refuses a handshake without an allowed ``Origin``; Django URL
patterns end in ``/``; gateways want a header. When the baseline's handshake is refused, the
battery tries, on the same host, at most three variations of the baseline — the URL's own
Origin (when the profile names none), the path with the trailing slash toggled, the token in
the ``Authorization`` header (when it travels elsewhere) — and reads the refusal itself (404,
``WWW-Authenticate``, a body naming a header). The hint names what made the difference.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..connection import own_origin
from ..forge import Forged
from ..sources.client import Exchange, Runner

_NAMES_HEADER = re.compile(r"\b(header|x-[a-z0-9-]+|api[ -]?key)\b", re.I)


def _toggled_slash(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path[:-1] if parts.path.endswith("/") and len(parts.path) > 1 else parts.path + "/"
    return urlunsplit(parts._replace(path=path))


async def _retry_hint(r: Runner, f: Forged) -> str:
    """The first variation of the baseline whose handshake the server accepts, as a hint ("" when none)."""
    p = r.profile
    tries: list[tuple[dict, str]] = []
    if not p.origin_header:
        origin = own_origin(p.url)
        tries.append(({"origin": origin}, f"missing Origin: the server accepts the handshake with Origin: {origin} "
                      "(an Origin check such as Channels' AllowedHostsOriginValidator refuses handshakes without an "
                      f"allowed one) — set origin: {origin} (or the origin your web app is served from) in the "
                      "profile"))
    other = _toggled_slash(p.url)
    tries.append(({"url": other}, f"wrong path: the server accepts the handshake at {urlsplit(other).path} — fix the "
                  "url's path (Django URL patterns end in /)"))
    if p.token_transport != "header":
        tries.append(({"token_where": "header"}, f"missing header: the server takes the token in the {p.header} "
                      "header at the handshake — set token_transport: header"))
    for kw, hint in tries:
        ex = await r.exchange(f.token, **kw)
        if ex.state == "accepted":
            return hint
    return ""


def _refusal_hint(r: Runner, ex: Exchange) -> str:
    """A hint read from the refusal itself (404, WWW-Authenticate, a body naming a header)."""
    body = " ".join(ex.frames)
    if ex.http_status == 404:
        return f"wrong path: nothing serves a WebSocket at {urlsplit(r.profile.url).path} (HTTP 404) — check url"
    if ex.challenge:
        return (f"missing header: the server asks for credentials (WWW-Authenticate: {ex.challenge}) — check "
                "token_transport / header, or add the header it needs under headers (headers_env for a secret)")
    if _NAMES_HEADER.search(body.removeprefix(f"HTTP {ex.http_status}")):
        return (f"missing header: the refusal names one ({body[:120]}) — add it under headers (headers_env for a "
                "secret value)")
    return ""


async def handshake_hint(r: Runner, f: Forged, ex: Exchange) -> str:
    """Why the baseline ``f``'s handshake (``ex``, refused with an HTTP status) was refused, as one hint.

    Parameters
    ----------
    r : Runner
    f : Forged
        The baseline token.
    ex : Exchange
        Its refused handshake (``ex.http_status`` set).

    Returns
    -------
    str
        ``likely cause: …`` — a cause a retry or the refusal proved, else the causes to check in order.
    """
    hint = _refusal_hint(r, ex) if ex.http_status == 404 else ""
    hint = hint or await _retry_hint(r, f) or _refusal_hint(r, ex)
    if hint:
        return f"likely cause: {hint}"
    p = r.profile
    origin = "" if p.origin_header else "a missing Origin (origin:), "
    return (f"likely causes: {origin}a wrong path (url), a header or cookie the server requires (headers, cookies), "
            "or the token itself (secret env var, claims, token_transport)")
