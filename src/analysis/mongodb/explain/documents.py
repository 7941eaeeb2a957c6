"""Explain documents as tools hand them over: envelopes, arrays, and mongosh's printed output.

* :func:`is_explain` — a document is an explain output (``queryPlanner``, ``stages``, or a
  sharded aggregate's ``shards`` + ``splitPipeline``/``mergeType``);
* :func:`explain_documents` — the explains inside what a tool saved: the document itself,
  a JSON array of several (``mongoexport --jsonArray``, Compass "Export Collection"),
  or an envelope one level down (``{"explain": {...}}``, a recorded ``{"reply": {...}}``);
* :func:`parse_shell_output` — what mongosh *prints* for ``.explain()``: JavaScript object
  literals (unquoted keys, ``'single quotes'``, ``Long('7')``, ``ObjectId('…')``,
  ``ISODate('…')``, ``Timestamp({ t: …, i: … })``, multi-line strings joined with ``+``,
  ``test>`` prompt lines and their ``| …`` continuation lines) turned into documents with :mod:`json5` after the shell's
  constructors are rewritten as literals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import json5

from ...errors import DataError

_MERGE_MARKERS = ("splitPipeline", "mergeType", "needsPrimaryShardMerger")

#: the prompt line (``db> db.c.find(…)``) and mongosh 2's continuation lines (``| .sort({ a: 1 })``)
_PROMPT = re.compile(r"^(?:[^\n{}\[\]'\"]*?>\s.*|\|\s.*)$", re.M)
_CONCAT = re.compile(r"(['\"])\s*\+\s*\n\s*\1")
_NUMBER_CTOR = re.compile(r"\b(?:Long|NumberLong|Int32|NumberInt|Int64|Double|Decimal128|NumberDecimal)\(\s*"
                          r"(['\"]?)([-+]?(?:\d[\d.eE+-]*|Infinity|NaN))\1\s*\)")
_STRING_CTOR = re.compile(r"\b(?:ObjectId|ISODate|UUID|Binary\.createFromBase64|Binary\.createFromHexString)"
                          r"\(\s*(['\"])(.*?)\1(?:\s*,\s*\d+)?\s*\)")
_BINDATA = re.compile(r"\bBinData\(\s*\d+\s*,\s*(['\"])(.*?)\1\s*\)")
_TIMESTAMP = re.compile(r"\bTimestamp\(\s*\{\s*t:\s*(\d+),\s*i:\s*(\d+)\s*\}\s*\)|\bTimestamp\(\s*(\d+),\s*(\d+)\s*\)")
_KEYS = re.compile(r"\b(MinKey|MaxKey)\(\)")


def is_explain(doc: Any) -> bool:
    """Whether a document is an explain output (of any layout).

    That is: a ``queryPlanner`` document, a ``stages`` array of documents, or a sharded
    aggregate's ``shards`` document beside ``splitPipeline`` / ``mergeType``.
    """
    if not isinstance(doc, Mapping):
        return False
    stages = doc.get("stages")
    if isinstance(doc.get("queryPlanner"), Mapping) or (isinstance(stages, list) and stages
                                                         and isinstance(stages[0], Mapping)):
        return True
    return isinstance(doc.get("shards"), Mapping) and any(m in doc for m in _MERGE_MARKERS)


def explain_documents(value: Any) -> list[Mapping[str, Any]]:
    """The explain documents in a decoded JSON value (an explain, an array of them, or an envelope).

    Parameters
    ----------
    value : any
        A decoded JSON value.

    Returns
    -------
    list of mapping
        In file order; empty when the value holds no explain.
    """
    if isinstance(value, list):
        return [d for v in value for d in explain_documents(v)]
    if is_explain(value):
        return [value]
    if isinstance(value, Mapping):
        inner = [v for v in value.values() if is_explain(v)]
        inner += [d for v in value.values() if isinstance(v, list) for d in v if is_explain(d)]
        return inner
    return []


def looks_like_shell_output(head: str) -> bool:
    """Whether text starts like mongosh's printed output (a prompt line or an unquoted first key)."""
    text = _PROMPT.sub("", head).lstrip()
    return bool(re.match(r"[\[{]\s*(?:\{\s*)?(?:[A-Za-z_$][\w$]*|'[^'\n]*'):\s", text))


def _literals(text: str) -> str:
    text = _PROMPT.sub("", text)
    text = _CONCAT.sub("", text)
    text = _NUMBER_CTOR.sub(lambda m: m.group(2), text)
    text = _STRING_CTOR.sub(lambda m: "'" + m.group(2) + "'", text)
    text = _BINDATA.sub(lambda m: "'" + m.group(2) + "'", text)
    text = _TIMESTAMP.sub(lambda m: "{t: %s, i: %s}" % (m.group(1) or m.group(3), m.group(2) or m.group(4)), text)
    return _KEYS.sub(lambda m: "'" + m.group(1) + "'", text)


def _top_level_values(text: str) -> list[str]:
    """Split text into its top-level ``{…}`` / ``[…]`` values (brackets inside strings ignored)."""
    out, depth, start, quote, escaped = [], 0, -1, "", False
    for i, ch in enumerate(text):
        if quote:
            escaped, quote = (not escaped and ch == "\\"), ("" if (ch == quote and not escaped) else quote)
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "{[":
            start = i if depth == 0 else start
            depth += 1
        elif ch in "}]" and depth:
            depth -= 1
            if depth == 0:
                out.append(text[start:i + 1])
    return out


def parse_shell_output(text: str) -> list[Any]:
    """Decode mongosh's printed output of one or more values (see the module text).

    Parameters
    ----------
    text : str
        What the shell printed (a terminal copy may include its ``db>`` prompt lines).

    Returns
    -------
    list
        The decoded values, in order.

    Raises
    ------
    DataError
        A value is not a JavaScript literal this reader can decode (one line, with the reason).
    """
    values = []
    for chunk in _top_level_values(_literals(text)):
        try:
            values.append(json5.loads(chunk))
        except ValueError as exc:
            raise DataError(f"mongosh output not readable: {str(exc).splitlines()[0][:160]}") from None
    return values
