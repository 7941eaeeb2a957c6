"""The lifecycle keys of a profile: ``revoke``, ``victim_messages`` and ``limits`` (parsed and validated).

``revoke`` logs a token out, as an HTTP request or a WebSocket message::

    revoke:                                   # HTTP form
      url: https://staging.example/api/v1/auth/logout   # or a path: /api/logout (same host as url, http/https)
      method: POST                            # GET | POST | PUT | PATCH | DELETE
      headers: {Authorization: "Bearer {token}"}
      body: '{"token": "{token}"}'            # string or mapping (sent as JSON)
      secret_env: WS_REVOKE_API_KEY           # optional: env var whose value fills {secret}
    revoke:                                   # WebSocket form (sent on the token's own open socket)
      message: {type: logout, data: {token: "{token}"}}

Placeholders: ``{token}``, ``{jti}``, ``{sub}`` and ``{secret}``. ``victim_messages`` is a
list (≤ 10) of JSON messages naming the victim's resource (``{victim_resource}``,
``{victim_subject}``); an entry that is not valid JSON is reported as that entry's ERROR,
the other entries still run. ``limits`` bounds the message-limits probe (``false`` turns
it off)::

    limits: {max_frame_bytes: 1048576, burst: 50, burst_message: {type: heartbeat}}

``max_frame_bytes`` is the *server's* frame limit (daphne's and uvicorn's defaults are 1 MiB and
16 MiB); the probe sends one frame :data:`OVERSIZE_FACTOR` times larger. Without it the limit is
discovered: frames of :data:`DISCOVERY_STEPS` bytes on one socket until one is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_VICTIM_MESSAGES = 10
#: (key, default, lowest, highest) of ``limits``: no flooding, whatever the profile says.
LIMIT_RANGES = (("max_frame_bytes", None, 1024, 16 << 20), ("burst", 50, 1, 500))
#: The oversized frame is this many times the server's limit: a clear step above it.
OVERSIZE_FACTOR = 2
#: Frame sizes tried, in order, when the profile gives no limit: one byte over 16 KiB, 64 KiB … 16 MiB
#: (a limit set at a round size is exceeded); about 21 MiB in all at most.
DISCOVERY_STEPS = tuple((16 << 10) * 4 ** k + 1 for k in range(6))
_REVOKE_KEYS = ("url", "method", "headers", "body", "secret_env", "message")


@dataclass(frozen=True)
class RevokeSpec:
    """How to log a token out: an HTTP request (``url``) or a WebSocket ``message``."""

    url: str = ""
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    json_body: bool = False
    secret_env: str = ""
    message: Any = None

    @property
    def kind(self) -> str:
        """``http`` or ``message``."""
        return "message" if self.message is not None else "http"



@dataclass(frozen=True)
class Limits:
    """The message-limits probe's bounds (``enabled`` False: ``limits: false``; ``max_frame_bytes`` None: discover)."""

    enabled: bool = True
    max_frame_bytes: int | None = None
    burst: int = 50
    burst_message: Any = None


def json_object(raw: Any, where: str) -> dict[str, Any]:
    """A JSON object from a YAML mapping or a JSON string (one-line ConfigError naming ``where``)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a JSON object")
    return json.loads(json.dumps(raw, default=str))


def _revoke_url(url: Any, where: str) -> str:
    if not isinstance(url, str) or not url:
        raise ConfigError(f"{where}.url: expected an http(s) URL or a path starting with /")
    parts = urlsplit(url)
    if not url.startswith("/") and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ConfigError(f"{where}.url: {url!r} is not an http:// or https:// URL or a /path")
    return url


def _headers(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ConfigError(f"{where}.headers: expected a mapping of header name to string value")
    return dict(raw)


def parse_revoke(raw: Any, where: str, env_name: Any) -> RevokeSpec | None:
    """The ``revoke`` key (None when absent).

    Parameters
    ----------
    raw : Mapping or None
    where : str
        ``file: revoke`` for error messages.
    env_name : callable
        Checks that a value names an environment variable (raises ConfigError otherwise).
    """
    if raw in (None, "", False):
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping with 'url' (HTTP) or 'message' (WebSocket)")
    unknown = sorted(str(k) for k in raw if k not in _REVOKE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(_REVOKE_KEYS)})")
    if ("url" in raw) == ("message" in raw):
        raise ConfigError(f"{where}: give exactly one of 'url' (HTTP request) or 'message' (WebSocket message)")
    secret_env = raw.get("secret_env") or ""
    if secret_env:
        env_name(secret_env, f"{where}.secret_env")
    if "message" in raw:
        return RevokeSpec(message=json_object(raw["message"], f"{where}.message"), secret_env=secret_env)
    method = str(raw.get("method", "POST")).upper()
    if method not in METHODS:
        raise ConfigError(f"{where}.method: {method!r} is not one of {', '.join(METHODS)}")
    body = raw.get("body", "")
    is_json = isinstance(body, Mapping)
    if not isinstance(body, (str, Mapping)):
        raise ConfigError(f"{where}.body: expected a string or a mapping")
    text = json.dumps(body) if is_json else body
    spec = RevokeSpec(_revoke_url(raw["url"], where), method, _headers(raw.get("headers"), where), text, is_json,
                      secret_env)
    if "{secret}" in json.dumps([spec.url, spec.headers, spec.body]) and not secret_env:
        raise ConfigError(f"{where}.secret_env: required by the {{secret}} placeholder (the env var holding it)")
    return spec


def parse_victim_messages(raw: Any, where: str) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    """The ``victim_messages`` key: (valid messages, one-line problems of the entries that are not).

    An entry that is not a JSON object is not fatal: its problem line names it and the
    per-message probe reports it as an ERROR case while the other entries run.
    """
    if raw in (None, ""):
        return (), ()
    if isinstance(raw, (str, Mapping)):
        raw = [raw]
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected a list of JSON messages")
    if len(raw) > MAX_VICTIM_MESSAGES:
        raise ConfigError(f"{where}: at most {MAX_VICTIM_MESSAGES} messages (got {len(raw)})")
    good, problems = [], []
    for i, entry in enumerate(raw):
        try:
            good.append(json_object(entry, f"{where}[{i}]"))
        except ConfigError as exc:
            problems.append(str(exc))
    return tuple(good), tuple(problems)


def parse_limits(raw: Any, where: str) -> Limits:
    """The ``limits`` key: defaults when absent, ``false`` turns the probe off; counts and sizes capped."""
    if raw is None or raw is True:
        return Limits()
    if raw is False:
        return Limits(enabled=False)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping (max_frame_bytes, burst, burst_message) or false")
    known = [k for k, *_ in LIMIT_RANGES] + ["burst_message"]
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(known)})")
    values: dict[str, Any] = {}
    for key, default, low, high in LIMIT_RANGES:
        v = raw.get(key, default)
        if v is None:
            values[key] = None  # max_frame_bytes absent: discovered by stepping up
            continue
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise ConfigError(f"{where}.{key}: must be an integer between {low} and {high}")
        values[key] = v
    msg = raw.get("burst_message")
    values["burst_message"] = None if msg in (None, "") else json_object(msg, f"{where}.burst_message")
    return Limits(True, **values)
