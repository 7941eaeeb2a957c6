"""Target profiles: how to talk to a WebSocket service and how to read its replies.

A profile is a YAML mapping. Every key is optional except ``url``::

    name: infra_mind                 # label in reports (default: file stem)
    url: ws://127.0.0.1:8000/ws      # the ONLY address the battery contacts
    token_transport: first_message   # first_message | query_param | header | subprotocol | cookie
    query_param: token               # query_param transport: ?token=...
    cookie: access_token             # cookie transport: the token's cookie
    header: Authorization            # header transport: header name ...
    header_value: "Bearer {token}"   # ... and value template
    auth_message: {type: auth, data: {token: "{token}"}}   # first_message transport
    forged_identity_path: data.user_id   # where a client-supplied identity would go
    accepted: {type: ^auth$, data.status: ^authenticated}  # dotted path -> regex
    rejected: {type: ^error$}
    ignore: [{type: ^notification$}]     # frames to skip (welcome, heartbeats)
    identity_path: data.user_id          # where an accepted reply names the identity
    identity_claim: sub                  # the token claim the server takes identity from (dotted, or a list)
    subject_identity: "42"               # A's value of identity_claim as the server issues it (default: subject)
    victim_identity: "43"                # B's (default: victim_subject); a number stays a number
    subscribe_message: {type: subscribe, data: {topic: "{resource}"}}
    subscribed: {type: ^subscribe$, data.status: ^subscribed}
    victim_resource: assessment:ws-audit-assessment-b      # owned by victim_subject
    own_resource: assessment:ws-audit-assessment-a         # owned by subject (optional)
    claims: {iss: infra-mind, aud: infra-mind-api, token_type: access, email: "{sub}@example.invalid"}
    algorithms: [HS256]              # the allowlist the target should accept; the first one mints
                                     # (the old single key `algorithm: HS256` is still read)
    require_exp: false               # true: a signed token without exp is a FAIL (else a policy WARN)
    expiry_grace_s: 0                # documented grace before an expired socket is closed
    reply_id_path: ""                # e.g. id: correlate replies to requests by this field
    identity_header: X-User-Id       # header a claimed identity is sent in (default from forged_identity_path)
    revoke: {message: {type: logout, data: {token: "{token}"}}}  # see analysis.wsaudit.lifecycle
    revoke_grace_s: 2                # how long an open socket may live after its token is revoked
    victim_messages: ['{"type": "get_assessment", "data": {"id": "{victim_resource}"}}']
    limits: {max_frame_bytes: 1048576, burst: 50}   # the server's frame limit (absent: discovered); false = off
    ca_file: ""                      # PEM bundle of a private CA for wss:// (relative to the project)
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
    origin: false                    # true: run the Origin (CSWSH) probe; an Origin such as
                                     # http://localhost:3000: send it on every handshake, and probe
    headers: {}                      # extra handshake headers; headers_env: {Name: ENV_VAR} for secrets
    cookies: {}                      # cookies sent on every handshake; cookies_env: {name: ENV_VAR}
    subprotocols: []                 # Sec-WebSocket-Protocol values offered
    concurrency: 8                   # probes in flight at once
    deadline_s: 30                   # hard limit for the whole battery

Connection settings are explained in :mod:`.connection`, the identity keys in :mod:`.identities`.
Matchers are maps of dotted JSON path → regular expression (``re.search``, see
:mod:`.matchers`); in ``ignore`` an empty map ``{}`` matches a bare ``{}`` ping. Frames may
carry several newline-separated JSON replies. Key material that is missing (no env var
name, or the variable unset) is not a load error: the battery runs the probes that need no
key and reports the others as ERROR (:func:`analysis.wsaudit.keys.load_keys`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..config import resolve_path
from ..errors import ConfigError
from ..params import scalar_problem
from ..yamlio import load_yaml
from .connection import parse_cookies, parse_headers, parse_origin, parse_subprotocols
from .identities import SUB, claim_label, parse_claim_path, parse_identity_value
from .lifecycle import Limits, RevokeSpec, json_object, parse_limits, parse_revoke, parse_victim_messages
from .matchers import Matcher, make_matcher
from .profilecheck import EXPIRY_TOKEN_LIFETIME_S, check_profile, check_url, env_name, expiry_wait_s

__all__ = ["ALGORITHMS", "EXPIRY_TOKEN_LIFETIME_S", "TRANSPORTS", "Matcher", "Profile", "expiry_wait_s", "load_profile",
           "make_matcher", "parse_profile"]

TRANSPORTS = ("first_message", "query_param", "header", "subprotocol", "cookie")
ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512")


def key_family(alg: str) -> str:
    """``HMAC`` | ``RSA`` | ``EC``: the kind of key an algorithm signs with."""
    return {"HS": "HMAC", "RS": "RSA", "PS": "RSA", "ES": "EC"}[alg[:2]]


@dataclass(frozen=True)
class Profile:
    """A validated target profile (see the module docstring for every key)."""

    url: str
    name: str = "target"
    token_transport: str = "first_message"
    query_param: str = "token"
    cookie: str = "access_token"
    header: str = "Authorization"
    header_value: str = "Bearer {token}"
    auth_message: Any = field(default_factory=lambda: {"type": "auth", "data": {"token": "{token}"}})
    forged_identity_path: str = ""
    identity_header: str = ""
    accepted: Matcher = field(default_factory=Matcher)
    rejected: Matcher = field(default_factory=Matcher)
    ignore: tuple[Matcher, ...] = ()
    identity_path: str = ""
    identity_claim: tuple[str, ...] = SUB
    subject_identity: str | int | None = None
    victim_identity: str | int | None = None
    reply_id_path: str = ""
    subscribe_message: Any = None
    subscribed: Matcher = field(default_factory=Matcher)
    victim_resource: str = ""
    own_resource: str = ""
    claims: Any = field(default_factory=dict)
    algorithms: tuple[str, ...] = ("HS256",)
    require_exp: bool = False
    secret_env: str = ""
    private_key_env: str = ""
    public_key_env: str = ""
    kid: str = ""
    typ: str = ""
    subject: str = "ws-audit-user-a"
    victim_subject: str = "ws-audit-user-b"
    reply_timeout_s: float = 2.0
    leeway_s: float = 0.0
    expiry_grace_s: float = 0.0
    token_lifetime_s: int = 300
    origin: bool | str = False
    headers: dict[str, str] = field(default_factory=dict)
    headers_env: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    cookies_env: dict[str, str] = field(default_factory=dict)
    subprotocols: tuple[str, ...] = ()
    revoke: RevokeSpec | None = None
    revoke_grace_s: float = 2.0
    victim_messages: tuple[dict[str, Any], ...] = ()
    limits: Limits = field(default_factory=Limits)
    ca_file: str = ""
    concurrency: int = 8
    deadline_s: float = 30.0
    source: str = ""
    problems: tuple[str, ...] = ()

    def with_url(self, url: str) -> Profile:
        """A copy pointed at ``url`` (validated like the profile's own)."""
        check_url(url, f"{self.source or self.name}: url")
        return replace(self, url=url)

    @property
    def algorithm(self) -> str:
        """The algorithm minted tokens use: the first of ``algorithms``."""
        return self.algorithms[0]

    @property
    def forged_identity_name(self) -> str:
        """The client-side identity field name (last segment of ``forged_identity_path``)."""
        return (self.forged_identity_path or "user_id").split(".")[-1]

    @property
    def claimed_identity_header(self) -> str:
        """The header a claimed identity is sent in (``identity_header``, default ``X-User-Id``)."""
        return self.identity_header or "X-" + self.forged_identity_name.replace("_", "-").title()

    @property
    def origin_header(self) -> str:
        """The Origin sent on every normal handshake ("" when the profile names none)."""
        return self.origin if isinstance(self.origin, str) else ""

    @property
    def subject_id(self) -> str | int:
        """A's value of the identity claim (``subject_identity``, default ``subject``)."""
        return self.subject if self.subject_identity is None else self.subject_identity

    @property
    def victim_id(self) -> str | int:
        """B's value of the identity claim (``victim_identity``, default ``victim_subject``)."""
        return self.victim_subject if self.victim_identity is None else self.victim_identity

    @property
    def identity_claim_name(self) -> str:
        """The identity claim as text (``sub``, ``user_id``, ``user.id``)."""
        return claim_label(self.identity_claim)

    @property
    def where(self) -> str:
        """The profile's name in messages (its file, else its name)."""
        return self.source or self.name


_INTERNAL = ("source", "problems")
_KNOWN = (*(f.name for f in fields(Profile) if f.name not in _INTERNAL), "algorithm")
_STR = {"name", "url", "token_transport", "query_param", "cookie", "header", "header_value", "forged_identity_path",
        "identity_header", "identity_path", "reply_id_path", "victim_resource", "own_resource", "secret_env",
        "private_key_env", "public_key_env", "kid", "typ", "subject", "victim_subject", "ca_file"}
_FLOAT = ("reply_timeout_s", "leeway_s", "deadline_s", "expiry_grace_s", "revoke_grace_s")
_INT = ("token_lifetime_s", "concurrency")
_BOOL = ("require_exp",)
_MATCHERS = ("accepted", "rejected", "subscribed")
_SCALARS = {*_STR, *_FLOAT, *_INT, *_BOOL}
#: Keys parsed by the connection and identity modules: key → parser(value, where).
_PARSERS = {"origin": parse_origin, "headers": parse_headers, "cookies": parse_cookies,
            "headers_env": lambda v, w: parse_headers(v, w, env=True),
            "cookies_env": lambda v, w: parse_cookies(v, w, env=True), "subprotocols": parse_subprotocols,
            "identity_claim": parse_claim_path, "subject_identity": parse_identity_value,
            "victim_identity": parse_identity_value}


def _message(raw: Any, where: str, placeholder: str) -> Any:
    msg = json_object(raw, where)
    if placeholder not in json.dumps(msg):
        raise ConfigError(f"{where}: must contain the placeholder {placeholder}")
    return msg


def _check_keys(raw: Any, source: str) -> None:
    """The decoded document is a mapping of known keys with a ``url``."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a mapping of keys, got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        close = difflib.get_close_matches(unknown[0], _KNOWN, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ConfigError(f"{source}: unknown key '{unknown[0]}' ({hint}every key: docs/ws-token-probes.md)")
    if "url" not in raw:
        raise ConfigError(f"{source}: url: required")
    if "algorithm" in raw and "algorithms" in raw:
        raise ConfigError(f"{source}: algorithm: give either 'algorithm' (one) or 'algorithms' (a list), not both")


def _scalar(key: str, value: Any, where: str) -> Any:
    """A string, number or boolean key's value, type-checked (:func:`analysis.params.scalar_problem`)."""
    tp = str if key in _STR else float if key in _FLOAT else int if key in _INT else bool  # bool: require_exp
    if tp is str and value is None:
        return ""
    problem = scalar_problem(value, tp)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return float(value) if tp is float else value


def _algorithms(value: Any, where: str) -> tuple[str, ...]:
    """``algorithms`` (a list) or the old ``algorithm`` (one string): a non-empty allowlist of one key family."""
    algs = [value] if isinstance(value, str) else value
    if not isinstance(algs, list) or not algs or not all(isinstance(a, str) for a in algs):
        raise ConfigError(f"{where}: expected an algorithm or a non-empty list of algorithms")
    bad = [a for a in algs if a not in ALGORITHMS]
    if bad:
        raise ConfigError(f"{where}: {bad[0]!r} is not one of {', '.join(ALGORITHMS)}")
    if len({key_family(a) for a in algs}) > 1:
        raise ConfigError(f"{where}: mixes key types ({', '.join(algs)}); list one family "
                          "(HMAC, RSA or EC) — a mixed allowlist is what algorithm confusion exploits")
    return tuple(dict.fromkeys(algs))


def _structured(key: str, value: Any, where: str) -> Any:
    """A matcher, message template, claims or lifecycle key's value, validated."""
    if key in _PARSERS:
        return _PARSERS[key](value, where)
    if key in _MATCHERS:
        return make_matcher(value, where)
    if key == "ignore":
        value = [] if value is None else [value] if isinstance(value, Mapping) else value
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list of matchers")
        return tuple(make_matcher(m, f"{where}[{i}]", empty_matches_empty=True) for i, m in enumerate(value))
    if key == "auth_message":
        return _message(value, where, "{token}")
    if key == "subscribe_message":
        return None if value in (None, "") else _message(value, where, "{resource}")
    if key in ("algorithm", "algorithms"):
        return _algorithms(value, where)
    if key == "revoke":
        return parse_revoke(value, where, env_name)
    if key == "limits":
        return parse_limits(value, where)
    if value is None:  # claims
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping of claim → value")
    return json.loads(json.dumps(dict(value), default=str))


def _ca_file(value: str, source: str) -> str:
    """The resolved ``ca_file`` path ("" when unset); one line when it is missing."""
    if not value:
        return ""
    path = resolve_path(value)
    if not Path(path).is_file():
        raise ConfigError(f"{source}: ca_file: {value} not found")
    return str(path)


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
        With ``problems``: one-line messages of entries that are reported at run time
        instead of stopping the load (``victim_messages`` entries that are not JSON).

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
        if key == "victim_messages":
            kw["victim_messages"], kw["problems"] = parse_victim_messages(value, where)
            continue
        target = "algorithms" if key == "algorithm" else key
        kw[target] = _scalar(key, value, where) if key in _SCALARS else _structured(key, value, where)
    kw["ca_file"] = _ca_file(kw.get("ca_file", ""), source)
    p = Profile(**kw)
    check_profile(p, source, TRANSPORTS)
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
