"""Query shapes: values differ → same shape; keys, operators, sort directions differ → different shapes."""

from __future__ import annotations

import pytest
from bson import ObjectId

from analysis.querycost.shape import command_shape, normalize_filter


SAME = [
    ({"find": "a", "filter": {"user_id": "u1"}}, {"find": "a", "filter": {"user_id": "u2"}}),
    ({"find": "a", "filter": {"n": 1}}, {"find": "a", "filter": {"n": 99.5}}),
    ({"find": "a", "filter": {"id": {"$in": ["x"]}}}, {"find": "a", "filter": {"id": {"$in": ["x", "y", "z", "w"]}}}),
    ({"find": "a", "filter": {"id": {"$in": []}}}, {"find": "a", "filter": {"id": {"$in": [1, "b", None]}}}),
    ({"find": "a", "filter": {"a": 1, "b": 2}}, {"find": "a", "filter": {"b": 3, "a": 4}}),  # conjunction order
    ({"find": "a", "filter": {"_id": {"$oid": "5f1d7f1d7f1d7f1d7f1d7f1d"}}},
     {"find": "a", "filter": {"_id": ObjectId("65436a1f0c2b1a0e4d3c2b1a")}}),  # ExtJSON wrapper = value
    ({"find": "a", "filter": {"t": {"$gte": {"$date": "2025-01-01T00:00:00Z"}}}},
     {"find": "a", "filter": {"t": {"$gte": {"$date": {"$numberLong": "1"}}}}}),
    ({"find": "a", "filter": {"u": "x"}, "limit": 10, "lsid": {"id": 1}, "$db": "d"},
     {"find": "a", "filter": {"u": "y"}, "limit": 5, "$db": "other"}),
    ({"aggregate": "a", "pipeline": [{"$match": {"u": "x"}}, {"$group": {"_id": "$s", "n": {"$sum": 1}}}]},
     {"aggregate": "a", "pipeline": [{"$match": {"u": "y"}}, {"$group": {"_id": "$s", "n": {"$sum": 2}}}]}),
    ({"aggregate": "a", "pipeline": [{"$match": {"u": "x"}}, {"$limit": 5}]},
     {"aggregate": "a", "pipeline": [{"$match": {"u": "z"}}, {"$limit": 500}]}),
]


DIFFERENT = [
    ({"find": "a", "filter": {"user_id": "u1"}}, {"find": "a", "filter": {"owner": "u1"}}),  # key
    ({"find": "a", "filter": {"n": {"$gt": 1}}}, {"find": "a", "filter": {"n": {"$gte": 1}}}),  # operator
    ({"find": "a", "filter": {"n": 1}}, {"find": "a", "filter": {"n": {"$in": [1]}}}),
    ({"find": "a", "filter": {"u": 1}, "sort": {"c": 1}}, {"find": "a", "filter": {"u": 1}, "sort": {"c": -1}}),
    ({"find": "a", "filter": {"u": 1}, "sort": {"a": 1, "b": 1}},
     {"find": "a", "filter": {"u": 1}, "sort": {"b": 1, "a": 1}}),  # sort key order matters
    ({"find": "a", "filter": {"u": 1}}, {"find": "a", "filter": {"u": 1}, "projection": {"t": 1}}),
    ({"find": "a", "filter": {"u": 1}, "projection": {"t": 1}}, {"find": "a", "filter": {"u": 1}, "projection": {"t": 0}}),
    ({"aggregate": "a", "pipeline": [{"$group": {"_id": "$status"}}]},
     {"aggregate": "a", "pipeline": [{"$group": {"_id": "$priority"}}]}),  # field paths kept
    ({"aggregate": "a", "pipeline": [{"$count": "n"}]}, {"aggregate": "a", "pipeline": [{"$count": "total"}]}),
    ({"find": "a", "filter": {"$or": [{"a": 1}, {"b": 1}]}}, {"find": "a", "filter": {"$or": [{"a": 1}, {"c": 1}]}}),
]


def _shape(cmd: dict) -> str:
    op = "aggregate" if "aggregate" in cmd else "find"
    return command_shape(op, cmd)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_values_differ_same_shape(a: dict, b: dict) -> None:
    assert _shape(a) == _shape(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_structure_differs_different_shape(a: dict, b: dict) -> None:
    assert _shape(a) != _shape(b)


def test_shape_is_printable_and_stable() -> None:
    cmd = {"find": "assessments", "filter": {"user_id": "u1", "status": {"$in": ["a", "b"]}},
           "sort": {"created_at": -1}, "projection": {"title": 1}, "limit": 10}
    assert _shape(cmd) == "{status: {$in: [?]}, user_id: ?} sort {created_at: -1} project {title: 1} limit ?"
    assert _shape(dict(reversed(list(cmd.items())))) == _shape(cmd)


def test_filter_normalization_keeps_operators() -> None:
    assert normalize_filter({"a": {"$elemMatch": {"b": 1, "c": {"$lt": 3}}}}) == \
        {"a": {"$elemMatch": {"b": "?", "c": {"$lt": "?"}}}}
