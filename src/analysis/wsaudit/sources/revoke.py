"""The HTTP form of the profile's ``revoke``: one bounded request that logs a token out (httpx).

The URL is the profile's (absolute) or a path resolved against the WebSocket URL's host
(``ws`` → ``http``, ``wss`` → ``https``). ``{token}``, ``{jti}``, ``{sub}`` and ``{secret}``
are filled in the URL, headers and body. The outcome is one line that never carries a
header value, the token or the secret.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..lifecycle import RevokeSpec


@dataclass(frozen=True)
class RevokeOutcome:
    """``ok``: the endpoint answered 2xx; ``detail``: one line saying what happened."""

    ok: bool
    detail: str


def revoke_url(spec: RevokeSpec, ws_url: str) -> str:
    """The absolute URL of the revoke request (a path is taken relative to the WebSocket URL's host)."""
    if not spec.url.startswith("/"):
        return spec.url
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    path, _, query = spec.url.partition("?")
    return urlunsplit((scheme, parts.netloc, path, query, ""))


def _fill(text: str, values: dict[str, str]) -> str:
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text


async def send_revoke(spec: RevokeSpec, ws_url: str, values: dict[str, str], *, timeout: float,
                      tls: ssl.SSLContext | None) -> RevokeOutcome:
    """Send the revoke request once, bounded by ``timeout``.

    Parameters
    ----------
    spec : RevokeSpec
        The profile's ``revoke`` (HTTP form).
    ws_url : str
        The target's WebSocket URL (for a relative ``url``).
    values : dict
        ``token``, ``jti``, ``sub`` and ``secret`` for the placeholders.
    timeout : float
        Seconds for connect, send and the answer.
    tls : ssl.SSLContext, optional
        Trust for ``https://`` (the profile's ``ca_file`` when it has one).

    Returns
    -------
    RevokeOutcome
        Never raises for network problems: a timeout, a refused connection or a non-2xx
        status is a one-line ``detail`` naming the profile key ``revoke``.
    """
    template = revoke_url(spec, ws_url)
    shown = f"{spec.method} {_fill(template, dict(values, token='<token>', secret='<secret>'))}"
    headers = {k: _fill(v, values) for k, v in spec.headers.items()}
    if spec.json_body:
        headers.setdefault("Content-Type", "application/json")
    body = _fill(spec.body, values).encode() if spec.body else None
    try:
        async with httpx.AsyncClient(timeout=timeout, verify=tls or True, trust_env=False,
                                     follow_redirects=False) as client:
            resp = await client.request(spec.method, _fill(template, values), headers=headers, content=body)
    except httpx.TimeoutException:
        return RevokeOutcome(False, f"revoke: {shown} did not answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        reason = "connection refused" if isinstance(exc, httpx.ConnectError) else type(exc).__name__
        return RevokeOutcome(False, f"revoke: {shown} failed ({reason})")
    if not 200 <= resp.status_code < 300:
        return RevokeOutcome(False, f"revoke: {shown} answered HTTP {resp.status_code}: the token was not revoked")
    return RevokeOutcome(True, f"{shown} → HTTP {resp.status_code}")
