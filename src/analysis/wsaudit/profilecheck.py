"""Checks across the keys of a profile (URL, choices, env var names, paths, ranges, waits within the deadline).

Called by :func:`analysis.wsaudit.profile.parse_profile` once every key was parsed; each problem is one
line ``file: key: problem``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

#: (key, lowest, highest, unit) of the numeric keys, in the order they are checked.
_RANGES = (("reply_timeout_s", 0.05, 30, " s"), ("deadline_s", 1, 600, " s"), ("concurrency", 1, 64, ""),
           ("leeway_s", 0, 3600, " s"), ("token_lifetime_s", 10, 86400, " s"), ("expiry_grace_s", 0, 300, " s"),
           ("revoke_grace_s", 0, 60, " s"))
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
_HEADER = re.compile(r"^[A-Za-z0-9-]+$")


def check_url(url: str, where: str) -> None:
    """One line unless ``url`` is a ws:// or wss:// URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not a ws:// or wss:// URL")


def env_name(value: str, where: str) -> None:
    """One line unless ``value`` is an environment variable's name."""
    if not _ENV.match(value):
        raise ConfigError(f"{where}: must name an environment variable, not hold a value")


def check_profile(p: Any, source: str, transports: tuple[str, ...]) -> None:
    """Checks across keys: URL, choices, env var names, paths, ranges, waits within the deadline."""
    check_url(p.url, f"{source}: url")
    if p.token_transport not in transports:
        raise ConfigError(f"{source}: token_transport: {p.token_transport!r} is not one of {', '.join(transports)}")
    for key in ("secret_env", "private_key_env", "public_key_env"):
        if getattr(p, key):
            env_name(getattr(p, key), f"{source}: {key}")
    for key in ("forged_identity_path", "identity_path", "reply_id_path"):
        v = getattr(p, key)
        if v and not _PATH.match(v):
            raise ConfigError(f"{source}: {key}: {v!r} is not a dotted JSON path")
    if p.identity_header and not _HEADER.match(p.identity_header):
        raise ConfigError(f"{source}: identity_header: {p.identity_header!r} is not an HTTP header name")
    for key, low, high, unit in _RANGES:
        if not low <= getattr(p, key) <= high:
            raise ConfigError(f"{source}: {key}: must be between {low:g} and {high:g}{unit}")
    wait = expiry_wait_s(p)
    if wait > p.deadline_s:
        raise ConfigError(f"{source}: expiry_grace_s: the expiry probe needs about {wait:g} s (2 s token + leeway_s "
                          f"+ expiry_grace_s + replies), more than deadline_s={p.deadline_s:g}: raise deadline_s")
    if p.subject == p.victim_subject:
        raise ConfigError(f"{source}: victim_subject: must differ from 'subject'")
    if p.subject_id == p.victim_id:
        raise ConfigError(f"{source}: victim_identity: must differ from A's identity ({p.subject_id!r})")
    if p.token_transport == "cookie" and p.cookie in {**p.cookies, **p.cookies_env}:
        raise ConfigError(f"{source}: cookies: {p.cookie!r} is the token's cookie (the cookie key)")
    if "{token}" not in p.header_value:
        raise ConfigError(f"{source}: header_value: must contain {{token}}")


#: Lifetime of the short token the expiry probe (14) waits out.
EXPIRY_TOKEN_LIFETIME_S = 2


def expiry_wait_s(p: Any) -> float:
    """How long the expiry probe waits: the token's lifetime, leeway, the close grace and two replies (+2 s)."""
    return EXPIRY_TOKEN_LIFETIME_S + p.leeway_s + p.expiry_grace_s + 2 * p.reply_timeout_s + 2.0
