"""Frame matchers of a profile: dotted JSON path → regular expression, and the empty-object matcher.

A matcher is a mapping of dotted JSON path → regex (``re.search``); a frame matches when
every entry matches. Non-string values are compared as their JSON text. An *empty*
mapping never matches — except in ``ignore``, where ``{}`` means "a bare ``{}`` frame"
(the ping some servers send).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .templates import MISSING, get_path


@dataclass(frozen=True)
class Matcher:
    """All of ``rules`` (dotted path, compiled regex) must match a frame; ``empty``: match exactly ``{}``."""

    rules: tuple[tuple[str, re.Pattern[str]], ...] = ()
    empty: bool = False

    def __bool__(self) -> bool:
        return bool(self.rules) or self.empty

    def matches(self, frame: Any) -> bool:
        """True when ``frame`` (decoded JSON) satisfies every rule; an empty matcher never matches.

        An ``empty`` matcher matches exactly the empty JSON object.
        """
        if self.empty:
            return isinstance(frame, Mapping) and not frame
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
        """The rules as dotted path → regex text (``{}`` for the empty-object matcher)."""
        return {p: rx.pattern for p, rx in self.rules}


def make_matcher(raw: Any, where: str, *, empty_matches_empty: bool = False) -> Matcher:
    """Build a :class:`Matcher` from a mapping of dotted path → regex.

    Parameters
    ----------
    raw : Mapping or None
        The profile value.
    where : str
        ``file: key`` for error messages.
    empty_matches_empty : bool
        An empty mapping matches the empty object ``{}`` (``ignore`` entries), instead of nothing.

    Raises
    ------
    ConfigError
        One line naming ``where`` for a non-mapping, a bad path or an invalid regex.
    """
    if raw is None:
        return Matcher()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of dotted path to regex, got {type(raw).__name__}")
    if not raw and empty_matches_empty:
        return Matcher(empty=True)
    rules = []
    for path, pattern in raw.items():
        if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
            raise ConfigError(f"{where}: {path!r} is not a dotted JSON path")
        try:
            rules.append((path, re.compile(str(pattern))))
        except re.error as exc:
            raise ConfigError(f"{where}.{path}: invalid regex {pattern!r} ({exc})") from None
    return Matcher(tuple(rules))
