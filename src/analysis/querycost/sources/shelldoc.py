"""Documents as mongod 2.4 → 4.2 prints them in text logs (the old shell's syntax) → the JSON shapes of 4.4+.

A text-format log prints a command as ``{ find: "c", filter: { a: 1.0, d: new Date(1411421752261) } }``:
unquoted keys after ``{`` or ``,`` (a key runs to the first ``": "``, so ``urn:x:User: {`` is one key),
and the shell's constructors. One compiled pattern rewrites them into JSON in one pass; the JSON
is then decoded by the C decoder (:func:`decode_at` reads one document and says where it ended).
Constructors become the Extended JSON wrappers a 4.4+ JSON log holds, so a query's shape is the
same whichever log format it came from:

========================================== ==============================================
text log                                   decoded as
========================================== ==============================================
``new Date(1411421752261)``                ``{"$date": 1411421752261}``
``ObjectId('54e7…')``                      ``{"$oid": "54e7…"}``
``Timestamp 1450975902000|10`` (≤ 3.4)     ``{"$timestamp": {"t": 1450975902, "i": 10}}``
``Timestamp(1596768612, 1)`` (3.6+)        ``{"$timestamp": {"t": 1596768612, "i": 1}}``
``BinData(0, 2BD9…)``, ``BinData(0,"aG…")``  ``{"$binary": {"base64": "…", "subType": "00"}}``
``UUID("…")``                              ``{"$uuid": "…"}``
``NumberLong(-9)``, ``NumberInt(3)``       ``-9``, ``3``
``NumberDecimal("1.5")``                   ``{"$numberDecimal": "1.5"}``
``/^ab.c/i``                               ``{"$regularExpression": {"pattern": "^ab.c", "options": "i"}}``
``MinKey`` / ``MaxKey``                    ``{"$minKey": 1}`` / ``{"$maxKey": 1}``
``undefined``, ``nan``, ``inf``            ``null``
========================================== ==============================================

A document that still is not JSON (mongod ≤ 2.6 printed quotes inside strings unescaped) raises
:class:`ValueError`; the caller counts it, it is never misread.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Every branch starts with one literal character: the engine then skips the text between tokens
# in C (a leading group, class or assertion would make it try every branch at every position).
_SHELL = re.compile(r"""
  "(?P<s>(?:[^"\\]|\\.)*)"
| \{(?P<ek>\ )(?=:\ )
| \{(?P<k>\ ?[^\s"{}\[\],][^ ]*?)(?=:\ )
| ,(?P<k2>\ ?[^\s"{}\[\],][^ ]*?)(?=:\ )
| n(?P<date>ew\ Date\((?P<ms>-?\d+)\))
| O(?P<oid>bjectId\(['"](?P<hex>[0-9a-fA-F]*)['"]\))
| T(?P<tsl>imestamp\ (?P<tms>\d+)\|(?P<tinc>\d+))
| T(?P<tsn>imestamp\((?P<tt>\d+),\ ?(?P<ti>\d+)\))
| B(?P<bin>inData\((?P<bsub>\d+),\ ?(?P<bdata>"[^"]*"|[0-9A-Fa-f]*)\))
| U(?P<uuid>UID\(["'](?P<u>[^"']*)["']\))
| N(?P<num>umber(?:Long|Int)\(["']?(?P<n>-?\d+)["']?\))
| N(?P<dec>umberDecimal\(["'](?P<d>[^"']*)["']\))
| /(?P<re>(?<=[:\[,]\ /)(?P<pat>(?:[^/\\\n]|\\.)*)/(?P<opt>[a-z]*))
| M(?P<lit1>inKey|axKey)(?![\w$])
| u(?P<lit2>ndefined)(?![\w$])
| n(?P<lit3>an)(?![\w$])
| i(?P<lit4>nf)(?![\w$])
| I(?P<lit5>nfinity)(?![\w$])
| N(?P<lit6>aN)(?![\w$])
| -(?P<lit7>nan|inf|Infinity)(?![\w$])
""", re.VERBOSE)
_LITERALS = {"MinKey": '{"$minKey":1}', "MaxKey": '{"$maxKey":1}'}
_DECODER = json.JSONDecoder(strict=False)


def _quote(text: str) -> str:
    return json.dumps(text)


def _key(lead: str, k: str) -> str:
    cut = 1 if k[:1] == " " else 0
    key = k[cut:]
    return lead + k[:cut] + ('"' + key + '"' if '"' not in key and "\\" not in key else _quote(key))


def _rewrite(m: re.Match) -> str:
    g = m.lastgroup
    if g == "s":
        return m.group(0)
    if g == "k":
        return _key("{", m.group("k"))
    if g == "k2":
        return _key(",", m.group("k2"))
    if g == "ek":
        return '{ ""'
    if g == "date":
        return '{"$date":' + m.group("ms") + "}"
    if g == "oid":
        return '{"$oid":"' + m.group("hex") + '"}'
    if g == "tsl":  # ≤ 3.4 printed milliseconds|increment
        return '{"$timestamp":{"t":%d,"i":%s}}' % (int(m.group("tms")) // 1000, m.group("tinc"))
    if g == "tsn":
        return '{"$timestamp":{"t":%s,"i":%s}}' % (m.group("tt"), m.group("ti"))
    if g == "bin":
        data = m.group("bdata").strip('"')
        return '{"$binary":{"base64":%s,"subType":"%02x"}}' % (_quote(data), int(m.group("bsub")))
    if g == "uuid":
        return '{"$uuid":' + _quote(m.group("u")) + "}"
    if g == "num":
        return m.group("n")
    if g == "dec":
        return '{"$numberDecimal":' + _quote(m.group("d")) + "}"
    if g == "re":
        return '{"$regularExpression":{"pattern":%s,"options":%s}}' % (_quote(m.group("pat")),
                                                                       _quote(m.group("opt")))
    at = m.start()
    if at and (m.string[at - 1].isalnum() or m.string[at - 1] in "_$."):
        return m.group(0)  # the end of a longer word
    return _LITERALS.get(m.group(0), "null")


def to_json(text: str) -> str:
    """Rewrite shell-syntax text as JSON (documents anywhere in ``text``; other text is left as is).

    Examples
    --------
    >>> to_json('{ a: 1.0, b: ObjectId(\\'5345c870fe4dce22b18b8059\\'), c: /^x/i }')
    '{ "a": 1.0, "b": {"$oid":"5345c870fe4dce22b18b8059"}, "c": {"$regularExpression":{"pattern":"^x","options":"i"}} }'
    """
    return _SHELL.sub(_rewrite, text)


def decode_at(json_text: str, pos: int) -> tuple[Any, int]:
    """Decode the value starting at ``pos`` of text rewritten by :func:`to_json`; (value, end).

    Raises
    ------
    ValueError
        No readable value starts there (unbalanced, unescaped quotes, cut by mongod).
    """
    return _DECODER.raw_decode(json_text, pos)


def parse_document(text: str) -> Any:
    """One shell-syntax document as Python values (:func:`to_json` + the JSON decoder).

    Examples
    --------
    >>> parse_document('{ ts: { $gte: Timestamp 1450975902000|10 }, d: new Date(1), k: NumberLong(7) }')
    {'ts': {'$gte': {'$timestamp': {'t': 1450975902, 'i': 10}}}, 'd': {'$date': 1}, 'k': 7}

    Raises
    ------
    ValueError
        The text is not one readable document.
    """
    j = to_json(text.strip())
    value, end = decode_at(j, 0)
    if j[end:].strip():
        raise ValueError(f"text after the document at {end}")
    return value
