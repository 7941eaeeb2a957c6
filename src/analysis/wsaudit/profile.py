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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import resolve_path
from ..errors import ConfigError
from ..yamlio import load_yaml
from .templates import MISSING, get_path

TRANSPORTS = ("first_message", "query_param", "header", "subprotocol")
ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512")


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
            if value is MISSING:
                return False
            text = value if isinstance(value, str) else json.dumps(value)
            if not rx.search(text):
                return False
        return True

    def describe(self) -> dict[str, str]:
        """The rules as dotted path → regex text."""
        return {p: rx.pattern for p, rx in self.rules}


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
        _check_url(url, f"{self.source or self.name}: url")
        return replace(self, url=url)

    @property
    def forged_identity_name(self) -> str:
        """The client-side identity field name (last segment of ``forged_identity_path``)."""
        return (self.forged_identity_path or "user_id").split(".")[-1]


_KNOWN = tuple(f.name for f in fields(Profile) if f.name != "source")
_STR = {"name", "url", "token_transport", "query_param", "header", "header_value", "forged_identity_path",
        "identity_path", "victim_resource", "own_resource", "algorithm", "secret_env", "private_key_env",
        "public_key_env", "kid", "typ", "subject", "victim_subject"}
_FLOAT = ("reply_timeout_s", "leeway_s", "deadline_s")
_INT = ("token_lifetime_s", "concurrency")
_MATCHERS = ("accepted", "rejected", "subscribed")
_SCALARS = {*_STR, *_FLOAT, *_INT, "origin"}
#: (key, lowest, highest, unit) of the numeric keys, in the order they are checked.
_RANGES = (("reply_timeout_s", 0.05, 30, " s"), ("deadline_s", 1, 600, " s"), ("concurrency", 1, 64, ""),
           ("leeway_s", 0, 3600, " s"), ("token_lifetime_s", 10, 86400, " s"))
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


def _check_keys(raw: Any, source: str) -> None:
    """The decoded document is a mapping of known keys with a ``url``."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a mapping of keys, got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        raise ConfigError(f"{source}: unknown key '{unknown[0]}' (known: {', '.join(_KNOWN)})")
    if "url" not in raw:
        raise ConfigError(f"{source}: url: required")


def _scalar(key: str, value: Any, where: str) -> Any:
    """A string, number or boolean key's value, type-checked."""
    if key in _STR:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
        return value
    if key in _FLOAT:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r:.40}")
        return float(value)
    if key in _INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r:.40}")
        return value
    if not isinstance(value, bool):  # origin
        raise ConfigError(f"{where}: expected true or false, got {value!r:.40}")
    return value


def _structured(key: str, value: Any, where: str) -> Any:
    """A matcher, message template or claims key's value, validated."""
    if key in _MATCHERS:
        return make_matcher(value, where)
    if key == "ignore":
        if value is None:
            value = []
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list of matchers")
        return tuple(make_matcher(m, f"{where}[{i}]") for i, m in enumerate(value))
    if key == "auth_message":
        return _message(value, where, "{token}")
    if key == "subscribe_message":
        return None if value in (None, "") else _message(value, where, "{resource}")
    if value is None:  # claims
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping of claim → value")
    return json.loads(json.dumps(dict(value), default=str))


def _check_profile(p: Profile, source: str) -> None:
    """Checks across keys: URL, choices, env var names, paths, key material, ranges."""
    _check_url(p.url, f"{source}: url")
    if p.token_transport not in TRANSPORTS:
        raise ConfigError(f"{source}: token_transport: {p.token_transport!r} is not one of {', '.join(TRANSPORTS)}")
    if p.algorithm not in ALGORITHMS:
        raise ConfigError(f"{source}: algorithm: {p.algorithm!r} is not one of {', '.join(ALGORITHMS)}")
    for key in ("secret_env", "private_key_env", "public_key_env"):
        v = getattr(p, key)
        if v and not _ENV.match(v):
            raise ConfigError(f"{source}: {key}: must name an environment variable, not hold a value")
    for key in ("forged_identity_path", "identity_path"):
        v = getattr(p, key)
        if v and not _PATH.match(v):
            raise ConfigError(f"{source}: {key}: {v!r} is not a dotted JSON path")
    if p.algorithm.startswith("HS") and not p.secret_env:
        raise ConfigError(f"{source}: secret_env: required by algorithm {p.algorithm} "
                          "(the env var holding the secret)")
    if not p.algorithm.startswith("HS") and not p.private_key_env:
        raise ConfigError(f"{source}: private_key_env: required by algorithm {p.algorithm} "
                          "(the env var holding the PEM private key)")
    for key, low, high, unit in _RANGES:
        if not low <= getattr(p, key) <= high:
            raise ConfigError(f"{source}: {key}: must be between {low:g} and {high:g}{unit}")
    if p.subject == p.victim_subject:
        raise ConfigError(f"{source}: victim_subject: must differ from 'subject'")
    if "{token}" not in p.header_value:
        raise ConfigError(f"{source}: header_value: must contain {{token}}")


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
        One line ``file: key: problem`` (``file: problem`` for the document as a whole),
        unknown keys included.
    """
    _check_keys(raw, source)
    kw: dict[str, Any] = {"source": source, "name": Path(source).stem if source != "<profile>" else "target"}
    for key, value in raw.items():
        where = f"{source}: {key}"
        kw[key] = _scalar(key, value, where) if key in _SCALARS else _structured(key, value, where)
    p = Profile(**kw)
    _check_profile(p, source)
    return p


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file.

    Parameters
    ----------
    path : str or Path
        The YAML file; a relative path is resolved by :func:`analysis.config.resolve_path`.

    Returns
    -------
    Profile

    Raises
    ------
    ConfigError
        One line: ``file: not found``, ``file:line: invalid YAML (problem)`` (from
        :func:`analysis.yamlio.load_yaml`, naming the resolved file) or a validation
        error ``file: key: problem`` (naming ``path`` as given).
    """
    return parse_profile(load_yaml(resolve_path(path)), str(path))
