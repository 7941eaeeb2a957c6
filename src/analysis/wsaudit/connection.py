"""Connection settings of a profile, applied to every handshake: Origin, extra headers and cookies, subprotocols.

Real stacks refuse a handshake that lacks what their clients always send: Channels'
``AllowedHostsOriginValidator`` answers HTTP 403 to a handshake without an allowed ``Origin``,
gateways want an API-key or tenant header, browser apps a session cookie. A profile says::

    origin: http://localhost:3000        # sent on every normal handshake (true: no Origin, probe on)
    headers: {X-Tenant: acme}            # literal values
    headers_env: {X-Api-Key: WS_API_KEY} # secret values: the env var holding each
    cookies: {locale: en}
    cookies_env: {sessionid: WS_SESSION_COOKIE}
    subprotocols: [graphql-transport-ws]
    cookie: access_token                 # token_transport: cookie — the token's cookie

The origin probe (18) then tries a foreign and a missing Origin. Secret values are read by
:func:`analysis.wsaudit.keys.load_keys` from the variables named here, and redacted from every output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError

_HEADER = re.compile(r"^[A-Za-z0-9-]+$")
_COOKIE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 6265 cookie-name (a token)
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ORIGIN = re.compile(r"^(null|[a-z][a-z0-9+.-]*://[^/\s]+/?)$", re.I)
#: Headers the WebSocket client sets itself (or the profile sets another way).
_RESERVED = {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "origin",
             "sec-websocket-protocol", "cookie", "sec-websocket-extensions"}


def parse_origin(raw: Any, where: str) -> bool | str:
    """``origin``: ``true`` / ``false`` (probe on or off, no Origin sent) or the Origin the app expects."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _ORIGIN.match(raw):
        return raw.rstrip("/")
    raise ConfigError(f"{where}: expected true, false or an Origin such as https://app.example.com, got {raw!r:.60}")


def _mapping(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ConfigError(f"{where}: expected a mapping of name to string value")
    return dict(raw)


def parse_headers(raw: Any, where: str, env: bool = False) -> dict[str, str]:
    """``headers`` (name → value) or ``headers_env`` (name → env var name)."""
    out = _mapping(raw, where)
    for name, value in out.items():
        if not _HEADER.match(name) or name.lower() in _RESERVED:
            raise ConfigError(f"{where}: {name!r} is not a header a profile may set (Origin, Cookie and the "
                              "WebSocket headers have their own keys)")
        _check_value(value, f"{where}.{name}", env)
    return out


def parse_cookies(raw: Any, where: str, env: bool = False) -> dict[str, str]:
    """``cookies`` (name → value) or ``cookies_env`` (name → env var name)."""
    out = _mapping(raw, where)
    for name, value in out.items():
        if not _COOKIE.match(name):
            raise ConfigError(f"{where}: {name!r} is not a cookie name")
        _check_value(value, f"{where}.{name}", env)
        if not env and re.search(r'[;,\s"\\]', value):
            raise ConfigError(f"{where}.{name}: a cookie value may not contain ';', ',', quotes or spaces")
    return out


def _check_value(value: str, where: str, env: bool) -> None:
    if env and not _ENV.match(value):
        raise ConfigError(f"{where}: must name an environment variable, not hold a value")
    if "\n" in value or "\r" in value:
        raise ConfigError(f"{where}: a value may not contain a line break")


def parse_subprotocols(raw: Any, where: str) -> tuple[str, ...]:
    """``subprotocols``: the list the client offers (the token is added for ``token_transport: subprotocol``)."""
    if raw in (None, ""):
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(s, str) and _HEADER.match(s.replace(".", "-")) for s in items):
        raise ConfigError(f"{where}: expected a list of subprotocol names")
    return tuple(items)


def cookie_header(cookies: Mapping[str, str]) -> str:
    """The ``Cookie`` header value of ``cookies`` (``a=1; b=2``)."""
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def own_origin(url: str) -> str:
    """The Origin a page served by the WebSocket's own host would send (``wss://h:p/x`` → ``https://h:p``)."""
    scheme, rest = url.split("://", 1)
    return ("https" if scheme == "wss" else "http") + "://" + rest.split("/", 1)[0].split("?", 1)[0]
