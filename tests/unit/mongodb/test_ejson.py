"""Lenient Extended JSON: the forms Compass and shells write are read; a wrapper nobody reads keeps the document."""

from __future__ import annotations

from datetime import datetime, timezone

from bson import ObjectId
from bson.timestamp import Timestamp

from analysis.mongodb.ejson import loads


def test_canonical_and_relaxed_are_json_util() -> None:
    doc = loads('{"a": {"$numberLong": "7"}, "b": {"$oid": "5345c870fe4dce22b18b8059"}, '
                '"c": {"$date": {"$numberLong": "0"}}, "d": {"$timestamp": {"t": 5, "i": 2}}}')
    assert doc == {"a": 7, "b": ObjectId("5345c870fe4dce22b18b8059"),
                   "c": datetime(1970, 1, 1, tzinfo=timezone.utc), "d": Timestamp(5, 2)}


def test_tool_forms_are_read() -> None:
    doc = loads('{"ct": {"$timestamp": "7397118085368381441"}, "n": {"$numberLong": 5}, "i": {"$numberInt": "3"}, '
                '"f": {"$numberDouble": "2.5"}, "ms": {"$date": "1700000000000"}}')
    assert doc["ct"] == Timestamp(7397118085368381441 >> 32, 7397118085368381441 & 0xFFFFFFFF)
    assert (doc["n"], doc["i"], doc["f"]) == (5, 3, 2.5)
    assert doc["ms"] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_an_unreadable_wrapper_stays_a_plain_dict() -> None:
    assert loads('{"o": {"$oid": "zz"}, "b": {"$binary": 12}}') == {"o": {"$oid": "zz"}, "b": {"$binary": 12}}
