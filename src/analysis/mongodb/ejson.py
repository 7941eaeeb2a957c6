"""Extended JSON as tools write it, decoded leniently: a value the audit does not read never loses the document.

:mod:`bson.json_util` decodes canonical and relaxed Extended JSON, but refuses the forms other
tools write — Compass exports ``{"$timestamp": "7397118085368381441"}`` (the 64-bit value as a
string) in ``$clusterTime``, ``{"$numberLong": 5}`` (a number, not a string), ``{"$date":
"1700000000000"}`` — and one refused wrapper anywhere loses the whole document (an explain,
a profile entry). :func:`object_pairs_hook` decodes what ``json_util`` decodes, reads those
forms too, and keeps any other wrapper it cannot decode as the plain dict it is (the readers
take numbers and dates from raw wrappers as well: :func:`analysis.querycost.records.as_int`,
:func:`analysis.timeparse.parse_instant`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from bson import json_util
from bson.errors import BSONError
from bson.timestamp import Timestamp

JSON_OPTIONS = json_util.JSONOptions(tz_aware=True)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _repaired(doc: dict[str, Any]) -> Any:
    """The value of a wrapper ``json_util`` refused, in the forms tools write; else the dict itself."""
    if len(doc) == 1:
        (key, value), = doc.items()
        n = _number(value)
        if key == "$timestamp" and isinstance(n, int) and n >= 0:  # Compass: the 64-bit value, t << 32 | i
            return Timestamp(n >> 32, n & 0xFFFFFFFF)
        if key in ("$numberLong", "$numberInt") and isinstance(n, (int, float)):
            return int(n)
        if key == "$numberDouble" and n is not None:
            return float(n)
        if key == "$date" and isinstance(n, (int, float)):  # milliseconds, as a string
            try:
                return datetime.fromtimestamp(n / 1000, tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return doc
    return doc


def object_pairs_hook(pairs: Sequence[tuple[str, Any]]) -> Any:
    """``json_util.object_pairs_hook``, lenient (see the module text); for :func:`json.loads` and decoders.

    Examples
    --------
    >>> loads('{"clusterTime": {"$timestamp": "7397118085368381441"}, "n": {"$numberLong": 5}}')
    {'clusterTime': Timestamp(1722275765, 1), 'n': 5}
    >>> loads('{"odd": {"$oid": "not-an-object-id"}}')
    {'odd': {'$oid': 'not-an-object-id'}}
    """
    try:
        return json_util.object_pairs_hook(pairs, json_options=JSON_OPTIONS)
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError, IndexError, BSONError):
        return _repaired(dict(pairs))


def loads(text: str) -> Any:
    """Decode Extended JSON text leniently (:func:`object_pairs_hook`).

    Raises
    ------
    json.JSONDecodeError
        The text is not JSON.
    """
    return json.loads(text, object_pairs_hook=object_pairs_hook)
