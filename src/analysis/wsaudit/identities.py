"""Who A and B are in a token: the identity claim's path and the values the server issues for each user.

Identity does not always live in ``sub``: simplejwt's is ``user_id`` (a string since 5.5), Cognito
access tokens carry ``username``, Auth0 apps put it in a namespaced custom claim such as
``https://infra-mind.example/user_id``, Keycloak apps often read ``preferred_username``. A profile
names it with ``identity_claim`` — a dotted path (``user.id``), or a list of segments when a claim
name itself contains dots (Auth0: ``["https://infra-mind.example/user_id"]``) — and gives the values
with ``subject_identity`` / ``victim_identity`` (e.g. the database ids of A and B, or their emails),
typed as the server issues them: ``"42"`` (a string) and ``42`` (a number) are different claims.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError

#: The default identity claim.
SUB = ("sub",)


def parse_claim_path(raw: Any, where: str) -> tuple[str, ...]:
    """``identity_claim``: a dotted path or a list of segments (claim names with dots), as a tuple of segments."""
    if isinstance(raw, str):
        parts = raw.split(".")
    elif isinstance(raw, list) and raw and all(isinstance(s, str) for s in raw):
        parts = list(raw)
    else:
        raise ConfigError(f"{where}: expected a dotted claim path (user.id) or a list of claim names "
                          '(["https://example.com/user_id"])')
    if not all(p and p.strip() == p for p in parts):
        raise ConfigError(f"{where}: {raw!r} has an empty or blank segment")
    return tuple(parts)


def parse_identity_value(raw: Any, where: str) -> str | int | None:
    """``subject_identity`` / ``victim_identity``: a string or an integer (kept as the server issues it)."""
    if raw is None or (isinstance(raw, str) and raw):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise ConfigError(f"{where}: expected a non-empty string or an integer (the claim's value as the server "
                      f"issues it), got {raw!r:.60}")


def claim_label(path: tuple[str, ...]) -> str:
    """The claim path as text: ``user_id``, ``user.id``, ``https://infra-mind.example/user_id``."""
    return path[0] if len(path) == 1 else ".".join(path)


def get_claim(claims: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in ``claims`` (None when absent)."""
    cur = claims
    for part in path:
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def set_claim(claims: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``claims`` with ``value`` at ``path`` (intermediate objects created)."""
    out = json.loads(json.dumps(claims))
    cur = out
    for part in path[:-1]:
        if not isinstance(cur.get(part), dict):
            cur[part] = {}
        cur = cur[part]
    cur[path[-1]] = value
    return out


def same_identity(seen: Any, *known: Any) -> bool:
    """``seen`` (a reply's identity, compared as text) is one of ``known`` (a user's name or identity value)."""
    return seen is not None and str(seen) in {str(k) for k in known if k is not None}
