"""Redaction of credentials in anything the workbook writes or prints."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

# scheme://user:password@host → scheme://user:***@host
_URI_PASSWORD = re.compile(r"(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s\"']*:)(?P<pw>[^@/\s\"']+)(?P<at>@)")
# ?password=...&  / ;token=...
_QUERY_SECRET = re.compile(r"(?i)(?P<k>[?&;](?:password|passwd|pwd|token|secret|access_token|api_key)=)(?P<v>[^&#\s\"']+)")
MASK = "***"


def redact_uri(text: str) -> str:
    """Mask passwords and secret query parameters of every URI in ``text``.

    Examples
    --------
    >>> redact_uri("mongodb://admin:s3cret@db:27017/x?authSource=admin")
    'mongodb://admin:***@db:27017/x?authSource=admin'
    """
    text = _URI_PASSWORD.sub(lambda m: m.group("pre") + MASK + m.group("at"), text)
    return _QUERY_SECRET.sub(lambda m: m.group("k") + MASK, text)


def secret_values(env_names: Iterable[str]) -> list[str]:
    """The current values of the named environment variables (non-trivial ones only)."""
    values = []
    for name in env_names:
        v = os.environ.get(name or "")
        if v and len(v) >= 4:
            values.append(v)
    return values


def json_forms(secret: str) -> set[str]:
    """``secret`` and its forms inside a JSON string (a notebook, ``summary.json``): quotes and backslashes
    escaped, non-ASCII as ``\\uXXXX`` or as it is.

    Examples
    --------
    >>> json_forms("plain")
    {'plain'}
    """
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask URI passwords and every occurrence of ``secrets`` in ``text``, also as escaped in a JSON string."""
    forms = {f for s in secrets if s for f in json_forms(s)}
    for s in sorted(forms, key=len, reverse=True):
        text = text.replace(s, MASK)
    return redact_uri(text)
