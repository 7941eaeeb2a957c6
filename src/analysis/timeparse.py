"""One time parser: ISO 8601 text, Unix seconds, and MongoDB Extended JSON dates."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from .errors import ParameterError


def parse_instant(value: Any) -> datetime | None:
    """An instant in any of the forms the workbook reads, as an aware datetime (None when unreadable).

    Accepted: a ``datetime`` (naive = UTC); ISO 8601 text (``Z`` or an offset; naive = UTC);
    Unix seconds as a number or digits; Extended JSON ``{"$date": "ISO"}``,
    ``{"$date": millis}`` and canonical ``{"$date": {"$numberLong": "millis"}}``.

    Examples
    --------
    >>> parse_instant({"$date": {"$numberLong": "0"}}).isoformat()
    '1970-01-01T00:00:00+00:00'
    >>> parse_instant("2026-11-01T00:00:00Z").timestamp()
    1793491200.0
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, dict):
        inner = value.get("$date")
        if isinstance(inner, dict):
            inner = inner.get("$numberLong")
            try:
                return datetime.fromtimestamp(int(inner) / 1000, tz=timezone.utc)
            except (TypeError, ValueError, OverflowError, OSError):
                return None
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return datetime.fromtimestamp(inner / 1000, tz=timezone.utc)
        return parse_instant(inner) if isinstance(inner, str) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def parse_time(text: str, name: str = "at") -> float:
    """A user-given time (parameter or flag) as Unix seconds.

    Raises
    ------
    ParameterError
        ``parameter 'name': cannot parse time '...' (use ISO 8601, e.g. 2026-11-01T00:00:00Z)``.
    """
    parsed = parse_instant(text)
    if parsed is None:
        raise ParameterError(f"parameter '{name}': cannot parse time {text!r} "
                             "(use ISO 8601, e.g. 2026-11-01T00:00:00Z)")
    return parsed.timestamp()


def iso(t: float | None) -> str | None:
    """Unix seconds → ``2026-10-01T00:00:00Z`` (None for None or a non-finite number)."""
    if t is None or not math.isfinite(t):
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
