"""The opening handshake of one connection: URL, headers (Origin aside), cookies and subprotocols.

Every connection carries the profile's connection settings (:mod:`..connection`): its extra
``headers`` and ``cookies`` (secret ones from the env vars ``headers_env`` / ``cookies_env``
name, read into :class:`~..keys.Keys`) and its ``subprotocols``; then the token where the
transport puts it (``query_param``, ``header``, ``subprotocol``, ``cookie``; ``first_message``
sends it after the handshake) and a claimed identity where a probe puts one (``query``,
``header``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..connection import cookie_header
from ..keys import Keys
from ..profile import Profile

#: Transports that carry the token in the opening handshake.
HANDSHAKE_TRANSPORTS = ("query_param", "header", "subprotocol", "cookie")


@dataclass(frozen=True)
class Handshake:
    """What one connection sends before the first frame."""

    url: str
    headers: dict[str, str]
    subprotocols: list[str] | None


def build_handshake(p: Profile, keys: Keys, token: str | None, *, transport: str, forged: Any = None,
                    where: str = "message", url: str | None = None) -> Handshake:
    """The handshake of a connection to ``url`` (default the profile's) with ``token`` on ``transport``.

    ``forged`` is a claimed identity placed ``where`` (``query``: ``?<name>=``; ``header``: the
    profile's ``identity_header``; ``message`` is the auth message's business, not the handshake's).
    """
    headers: dict[str, str] = {**p.headers, **keys.headers}
    cookies: dict[str, str] = {**p.cookies, **keys.cookies}
    subprotocols = list(p.subprotocols)
    if token is not None:
        if transport == "header":
            headers[p.header] = p.header_value.replace("{token}", token)
        elif transport == "subprotocol":
            subprotocols.append(token)
        elif transport == "cookie":
            cookies[p.cookie] = token
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    parts = urlsplit(url or p.url)
    q = parse_qsl(parts.query, keep_blank_values=True)
    if transport == "query_param" and token is not None:
        q.append((p.query_param, token))
    if forged is not None and where == "query":
        q.append((p.forged_identity_name, str(forged)))
    if forged is not None and where == "header":
        headers[p.claimed_identity_header] = str(forged)
    return Handshake(urlunsplit(parts._replace(query=urlencode(q))), headers, subprotocols or None)
