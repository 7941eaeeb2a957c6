"""The old shell's document syntax of text-format logs → the JSON shapes a 4.4+ log holds.

The inputs of the first test are tmc/mongologtools' cases (``parser/internal/logdoc/log_doc_test.go``),
the others come from the real lines of ``tests/data/querycost/textlogs`` (sources in test_textlog).
"""

from __future__ import annotations

import pytest

from analysis.querycost.shape import command_shape
from analysis.querycost.sources.shelldoc import parse_document


@pytest.mark.parametrize(("text", "value"), [
    ("{ foo: [42] }", {"foo": [42]}),
    ("{ _updated_at: { $lte: new Date(1412941647719) } }", {"_updated_at": {"$lte": {"$date": 1412941647719}}}),
    ('{ _id: ObjectId("54e792daf1845f045f4c000e"), data: BinData(0,"aGVsbG8K") }',
     {"_id": {"$oid": "54e792daf1845f045f4c000e"}, "data": {"$binary": {"base64": "aGVsbG8K", "subType": "00"}}}),
    ("{ t: Timestamp(1420000000, 1) }", {"t": {"$timestamp": {"t": 1420000000, "i": 1}}}),
    ("{ some_text: /ese/i }", {"some_text": {"$regularExpression": {"pattern": "ese", "options": "i"}}}),
    ("{ n: NumberLong(-9223372036854775808) }", {"n": -9223372036854775808}),
])
def test_mongologtools_cases(text: str, value: dict) -> None:
    assert parse_document(text) == value


def test_text_log_forms() -> None:
    # ≤ 3.4 printed Timestamp ms|inc; 3.6+ BinData as bare hex; keys with colons; the empty key of index keys
    assert parse_document("{ ts: { $gte: Timestamp 1450975902000|10 } }") == \
        {"ts": {"$gte": {"$timestamp": {"t": 1450975902, "i": 10}}}}
    assert parse_document("{ hash: BinData(0, 9CF944FA2E87), keyId: 7021195893055422468 }")["hash"] == \
        {"$binary": {"base64": "9CF944FA2E87", "subType": "00"}}
    assert parse_document("{ urn:kissflow:scim:User: { x: 1 } }") == {"urn:kissflow:scim:User": {"x": 1}}
    assert parse_document('{ : "ABCDEFGH..." }') == {"": "ABCDEFGH..."}
    assert parse_document("{ a: MinKey, b: MaxKey, c: undefined, d: nan, info: 1.0 }") == \
        {"a": {"$minKey": 1}, "b": {"$maxKey": 1}, "c": None, "d": None, "info": 1.0}
    assert parse_document('{ s: "x, y: z { w: 1 }" }') == {"s": "x, y: z { w: 1 }"}  # strings are not rewritten


def test_the_shape_is_the_json_logs() -> None:
    text = parse_document('{ find: "c", filter: { d: new Date(1), o: ObjectId(\'5345c870fe4dce22b18b8059\'), '
                          'r: /^a/, ids: [ 1.0, 2.0 ] }, sort: { t: -1.0 } }')
    json_log = {"find": "c", "filter": {"d": {"$date": "1970-01-01T00:00:00.001Z"},
                                        "o": {"$oid": "5345c870fe4dce22b18b8059"},
                                        "r": {"$regularExpression": {"pattern": "^a", "options": ""}},
                                        "ids": [1, 2]}, "sort": {"t": -1}}
    assert command_shape("find", text) == command_shape("find", json_log) == \
        "{d: ?, ids: [?], o: ?, r: ?} sort {t: -1}"


@pytest.mark.parametrize("text", ['{ msg: "said "hi"" }', "{ a: { b: 1 }", "{ a: 1 .......... }"])
def test_what_is_not_a_document_raises(text: str) -> None:
    with pytest.raises(ValueError):
        parse_document(text)
