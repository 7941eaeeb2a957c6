"""analysis.mongodb.planner: predicate analysis, index fit and the simulated planner's choice."""

from __future__ import annotations

import pytest

from analysis.mongodb.planner import choose_index, format_index, index_fit, query_parts


def test_query_parts_equality_range_sort() -> None:
    p = query_parts("find", {"filter": {"user_id": "u", "status": {"$in": ["a"]}, "created_at": {"$gte": 1}},
                             "sort": {"updated_at": -1}, "projection": {"title": 1, "_id": 0}})
    assert p.equality == ("user_id", "status") and p.range == ("created_at",)
    assert p.sort == (("updated_at", -1),) and p.projected == ("title",)


@pytest.mark.parametrize(("index", "prefix", "sort", "covers"), [
    ([("user_id", 1), ("created_at", -1)], 1, True, False),
    ([("user_id", 1), ("created_at", 1)], 1, True, False),    # reversed scan serves the sort
    ([("user_id", 1), ("status", 1)], 1, False, False),
    ([("created_at", -1)], 0, True, False),      # sorts, but not eligible (no equality prefix)
    ([("user_id", 1), ("created_at", -1), ("title", 1)], 1, True, True),
])
def test_index_fit(index, prefix, sort, covers) -> None:
    p = query_parts("find", {"filter": {"user_id": "u"}, "sort": {"created_at": -1}, "projection": {"title": 1, "_id": 0}})
    f = index_fit(index, p)
    assert (f.equality_prefix, f.provides_sort, f.covers) == (prefix, sort, covers)


def test_choose_index_prefers_prefix_then_sort_and_none_means_collscan() -> None:
    p = query_parts("find", {"filter": {"user_id": "u"}, "sort": {"created_at": -1}})
    chosen = choose_index([[("user_id", 1)], [("user_id", 1), ("created_at", -1)], [("status", 1)]], p)
    assert chosen.index == (("user_id", 1), ("created_at", -1))
    assert choose_index([[("status", 1)]], p) is None
    assert format_index(chosen.index) == "{ user_id: 1, created_at: -1 }"
