"""Target profiles: how to talk to a WebSocket service and how to read its replies.

A profile is a YAML mapping. Every key is optional except ``url``::

    name: infra_mind                 # label in reports (default: file stem)
    url: ws://127.0.0.1:8000/ws      # the ONLY address the battery contacts
    token_transport: first_message   # first_message | query_param | header | subprotocol
    query_param: token               # query_param transport: ?token=...
    header: Authorization            # header transport: header name ...
    header_value: "Bearer {token}"   # ... and value template
    auth_message: {type: auth, data: {token: "{token}"}}   # first_message transport
    forged_identity_path: data.user_id   # where a client-supplied identity would go
    accepted: {type: ^auth$, data.status: ^authenticated}  # dotted path -> regex
    rejected: {type: ^error$}
    ignore: [{type: ^notification$}]     # frames to skip (welcome, heartbeats)
    identity_path: data.user_id          # where an accepted reply names the identity
    subscribe_message: {type: subscribe, data: {topic: "{resource}"}}
    subscribed: {type: ^subscribe$, data.status: ^subscribed}
    victim_resource: assessment:ws-audit-assessment-b      # owned by victim_subject
    own_resource: assessment:ws-audit-assessment-a         # owned by subject (optional)
    claims: {iss: infra-mind, aud: infra-mind-api, token_type: access, email: "{sub}@example.invalid"}
    algorithm: HS256                 # the one algorithm the target should accept
    secret_env: WS_JWT_SECRET        # HS*: env var holding the shared secret
    private_key_env: ""              # RS*/ES*/PS*: env var holding the PEM private key
    public_key_env: ""               # optional: env var holding the PEM public key
    kid: ""                          # kid header of minted tokens (optional)
    typ: ""                          # typ header to mint and check ("" = not checked)
    subject: ws-audit-user-a         # identity A (the auditor's test account)
    victim_subject: ws-audit-user-b  # identity B (the victim)
    reply_timeout_s: 2.0             # per connect / per reply
    leeway_s: 0                      # the target's exp/nbf leeway
    token_lifetime_s: 300            # exp of minted tokens
    origin: false                    # run the Origin (CSWSH) probe
    concurrency: 8                   # probes in flight at once
    deadline_s: 30                   # hard limit for the whole battery

Matchers are maps of dotted JSON path → regular expression (``re.search``); a frame
matches when every entry matches. Non-string values are compared as their JSON text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..config import resolve_path
from ..errors import ConfigError

log = logging.getLogger(__name__)

TRANSPORTS = ("first_message", "query_param", "header", "subprotocol")
ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512")
_MISSING = object()


@dataclass(frozen=True)
class Matcher:
    """All of ``rules`` (dotted path, compiled regex) must match a frame."""

    rules: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def matches(self, frame: Any) -> bool:
        """True when ``frame`` (decoded JSON) satisfies every rule; an empty matcher never matches."""
        if not self.rules:
            return False
        for path, rx in self.rules:
            value = get_path(frame, path)
            if value is _MISSING:
                return False
            text = value if isinstance(value, str) else json.dumps(value)
            if not rx.search(text):
                return False
        return True

    def describe(self) -> dict[str, str]:
        return {p: rx.pattern for p, rx in self.rules}


def get_path(obj: Any, path: str) -> Any:
    """Value at a dotted ``path`` (``data.user_id``; list indexes allowed) or a sentinel."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _MISSING
    return cur


def lookup(obj: Any, path: str, default: Any = None) -> Any:
    """Public form of :func:`get_path` returning ``default`` when absent."""
    v = get_path(obj, path) if path else _MISSING
    return default if v is _MISSING else v


def set_path(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of ``obj`` with ``value`` stored at dotted ``path`` (dicts created)."""
    out = json.loads(json.dumps(obj))
    cur = out
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[part] = nxt
        cur = nxt
    cur[parts[-1]] = value
    return out


def make_matcher(raw: Any, where: str) -> Matcher:
    """Build a :class:`Matcher` from a mapping of dotted path → regex."""
    if raw is None:
        return Matcher()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of dotted path to regex, got {type(raw).__name__}")
    rules = []
    for path, pattern in raw.items():
        if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
            raise ConfigError(f"{where}: {path!r} is not a dotted JSON path")
        try:
            rules.append((path, re.compile(str(pattern))))
        except re.error as exc:
            raise ConfigError(f"{where}.{path}: invalid regex {pattern!r} ({exc})") from None
    return Matcher(tuple(rules))


@dataclass(frozen=True)
class Profile:
    """A validated target profile (see the module docstring for every key)."""

    url: str
    name: str = "target"
    token_transport: str = "first_message"
    query_param: str = "token"
    header: str = "Authorization"
    header_value: str = "Bearer {token}"
    auth_message: Any = field(default_factory=lambda: {"type": "auth", "data": {"token": "{token}"}})
    forged_identity_path: str = ""
    accepted: Matcher = field(default_factory=Matcher)
    rejected: Matcher = field(default_factory=Matcher)
    ignore: tuple[Matcher, ...] = ()
    identity_path: str = ""
    subscribe_message: Any = None
    subscribed: Matcher = field(default_factory=Matcher)
    victim_resource: str = ""
    own_resource: str = ""
    claims: Any = field(default_factory=dict)
    algorithm: str = "HS256"
    secret_env: str = ""
    private_key_env: str = ""
    public_key_env: str = ""
    kid: str = ""
    typ: str = ""
    subject: str = "ws-audit-user-a"
    victim_subject: str = "ws-audit-user-b"
    reply_timeout_s: float = 2.0
    leeway_s: float = 0.0
    token_lifetime_s: int = 300
    origin: bool = False
    concurrency: int = 8
    deadline_s: float = 30.0
    source: str = ""

    def with_url(self, url: str) -> Profile:
        """A copy pointed at ``url`` (validated like the profile's own)."""
        _check_url(url, f"profile {self.source or self.name}: url")
        return replace(self, url=url)

    @property
    def forged_identity_name(self) -> str:
        """The client-side identity field name (last segment of ``forged_identity_path``)."""
        return (self.forged_identity_path or "user_id").split(".")[-1]

    def to_public_dict(self) -> dict[str, Any]:
        """Profile as plain data for reports (env var NAMES only, never values)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Matcher):
                v = v.describe()
            elif f.name == "ignore":
                v = [m.describe() for m in v]
            out[f.name] = v
        return out


_KNOWN = tuple(f.name for f in fields(Profile) if f.name != "source")
_STR = {"name", "url", "token_transport", "query_param", "header", "header_value", "forged_identity_path",
        "identity_path", "victim_resource", "own_resource", "algorithm", "secret_env", "private_key_env",
        "public_key_env", "kid", "typ", "subject", "victim_subject"}
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


def _check_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not a ws:// or wss:// URL")


def _message(raw: Any, where: str, placeholder: str) -> Any:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a JSON object")
    if placeholder not in json.dumps(raw):
        raise ConfigError(f"{where}: must contain the placeholder {placeholder}")
    return json.loads(json.dumps(raw))


def parse_profile(raw: Any, source: str = "<profile>") -> Profile:
    """Validate a decoded YAML mapping into a :class:`Profile`.

    Parameters
    ----------
    raw : Mapping
        The decoded profile.
    source : str
        File name used in error messages.

    Returns
    -------
    Profile

    Raises
    ------
    ConfigError
        One line naming the file, the key and the problem (unknown keys included).
    """
    where = f"profile {source}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of keys, got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(_KNOWN)})")
    if "url" not in raw:
        raise ConfigError(f"{where}: key 'url' is required")
    kw: dict[str, Any] = {"source": source, "name": Path(source).stem if source != "<profile>" else "target"}
    for key, value in raw.items():
        k = f"{where}: key '{key}'"
        if key in _STR:
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ConfigError(f"{k}: expected a string, got {type(value).__name__}")
            kw[key] = value
        elif key in ("reply_timeout_s", "leeway_s", "deadline_s"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{k}: expected a number, got {value!r:.40}")
            kw[key] = float(value)
        elif key in ("token_lifetime_s", "concurrency"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{k}: expected an integer, got {value!r:.40}")
            kw[key] = value
        elif key == "origin":
            if not isinstance(value, bool):
                raise ConfigError(f"{k}: expected true or false, got {value!r:.40}")
            kw[key] = value
        elif key in ("accepted", "rejected", "subscribed"):
            kw[key] = make_matcher(value, f"{where}: {key}")
        elif key == "ignore":
            if value is None:
                value = []
            if isinstance(value, Mapping):
                value = [value]
            if not isinstance(value, list):
                raise ConfigError(f"{k}: expected a list of matchers")
            kw[key] = tuple(make_matcher(m, f"{where}: ignore[{i}]") for i, m in enumerate(value))
        elif key == "auth_message":
            kw[key] = _message(value, f"{where}: auth_message", "{token}")
        elif key == "subscribe_message":
            kw[key] = None if value in (None, "") else _message(value, f"{where}: subscribe_message", "{resource}")
        elif key == "claims":
            if value is None:
                value = {}
            if not isinstance(value, Mapping):
                raise ConfigError(f"{k}: expected a mapping of claim → value")
            kw[key] = json.loads(json.dumps(dict(value), default=str))
    p = Profile(**kw)
    _check_url(p.url, f"{where}: key 'url'")
    if p.token_transport not in TRANSPORTS:
        raise ConfigError(f"{where}: key 'token_transport': {p.token_transport!r} is not one of {', '.join(TRANSPORTS)}")
    if p.algorithm not in ALGORITHMS:
        raise ConfigError(f"{where}: key 'algorithm': {p.algorithm!r} is not one of {', '.join(ALGORITHMS)}")
    for key in ("secret_env", "private_key_env", "public_key_env"):
        v = getattr(p, key)
        if v and not _ENV.match(v):
            raise ConfigError(f"{where}: key '{key}' must name an environment variable, not hold a value")
    for key in ("forged_identity_path", "identity_path"):
        v = getattr(p, key)
        if v and not _PATH.match(v):
            raise ConfigError(f"{where}: key '{key}': {v!r} is not a dotted JSON path")
    if p.algorithm.startswith("HS") and not p.secret_env:
        raise ConfigError(f"{where}: algorithm {p.algorithm} needs 'secret_env' (the env var holding the secret)")
    if not p.algorithm.startswith("HS") and not p.private_key_env:
        raise ConfigError(f"{where}: algorithm {p.algorithm} needs 'private_key_env' (env var with the PEM private key)")
    if not 0.05 <= p.reply_timeout_s <= 30:
        raise ConfigError(f"{where}: key 'reply_timeout_s' must be between 0.05 and 30 s")
    if not 1 <= p.deadline_s <= 600:
        raise ConfigError(f"{where}: key 'deadline_s' must be between 1 and 600 s")
    if not 1 <= p.concurrency <= 64:
        raise ConfigError(f"{where}: key 'concurrency' must be between 1 and 64")
    if not 0 <= p.leeway_s <= 3600:
        raise ConfigError(f"{where}: key 'leeway_s' must be between 0 and 3600 s")
    if not 10 <= p.token_lifetime_s <= 86400:
        raise ConfigError(f"{where}: key 'token_lifetime_s' must be between 10 and 86400 s")
    if p.subject == p.victim_subject:
        raise ConfigError(f"{where}: 'subject' and 'victim_subject' must differ")
    if "{token}" not in p.header_value:
        raise ConfigError(f"{where}: key 'header_value' must contain {{token}}")
    return p


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file (relative paths via :func:`analysis.config.resolve_path`)."""
    p = resolve_path(path)
    if not p.is_file():
        raise ConfigError(f"profile {path}: file not found")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = " ".join(str(exc).split())[:160]
        raise ConfigError(f"profile {path}: not valid YAML ({first})") from None
    return parse_profile(raw, str(path))


def render(template: Any, **values: str) -> Any:
    """Substitute ``{name}`` placeholders inside every string of a JSON-like template."""
    if isinstance(template, str):
        for k, v in values.items():
            template = template.replace("{" + k + "}", v)
        return template
    if isinstance(template, Mapping):
        return {k: render(v, **values) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, **values) for v in template]
    return template


def drop_placeholder(template: Any, placeholder: str = "{token}") -> Any:
    """Remove every mapping entry whose value is exactly ``placeholder`` (the 'no token' message)."""
    if isinstance(template, Mapping):
        return {k: drop_placeholder(v, placeholder) for k, v in template.items() if v != placeholder}
    if isinstance(template, list):
        return [drop_placeholder(v, placeholder) for v in template]
    return template
