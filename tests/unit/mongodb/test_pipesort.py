"""A pipeline's $sort: pushed down (an index can serve it), in memory (an index could), on computed fields (none can)."""

from __future__ import annotations

import pytest

from analysis.mongodb.pipesort import computed_sort, only_computed_sorts, pipeline_sorts, sort_input_is_output
from analysis.mongodb.planner import pipeline_blocking_sort

M = {"$match": {"user_id": "u"}}


@pytest.mark.parametrize(("pipeline", "by"), [
    ([M, {"$group": {"_id": "$status", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}], "$group"),
    ([M, {"$bucket": {"groupBy": "$x", "boundaries": [0, 5]}}, {"$sort": {"count": -1}}], "$bucket"),
    ([M, {"$sortByCount": "$tag"}, {"$sort": {"_id": 1}}], "$sortByCount"),
    ([M, {"$project": {"total": {"$add": ["$a", "$b"]}}}, {"$sort": {"total": -1}}], "$project"),
    ([M, {"$addFields": {"score": {"$meta": "textScore"}}}, {"$sort": {"score.x": -1}}], "$addFields"),
    ([M, {"$unwind": "$items"}, {"$sort": {"items.price": 1}}], "$unwind"),
    ([M, {"$lookup": {"from": "o", "localField": "a", "foreignField": "b", "as": "orders"}},
      {"$sort": {"orders": 1}}], "$lookup"),
])
def test_a_sort_on_computed_fields_is_blocking_and_no_index_serves_it(pipeline, by) -> None:
    cs = computed_sort(pipeline)
    assert cs is not None and cs.computed_by == by and not cs.pushed_down
    assert not pipeline_blocking_sort(pipeline)  # not an in-memory SORT an index could avoid
    assert only_computed_sorts(pipeline)


def test_stored_fields_leading_sorts_and_facets() -> None:
    leading = [M, {"$sort": {"created_at": -1}}, {"$limit": 5}]
    assert [s.pushed_down for s in pipeline_sorts(leading)] == [True] and computed_sort(leading) is None
    assert not pipeline_blocking_sort(leading)
    included = [M, {"$project": {"created_at": 1, "title": 1}}, {"$sort": {"created_at": -1}}]
    assert computed_sort(included) is None and pipeline_blocking_sort(included)  # stored field, behind a stage
    facet = [M, {"$facet": {"recent": [{"$sort": {"created_at": -1}}, {"$limit": 10}]}}]
    assert pipeline_blocking_sort(facet) and not only_computed_sorts(facet)
    after_facet = [M, {"$facet": {"a": [{"$count": "n"}]}}, {"$sort": {"a": 1}}]
    assert computed_sort(after_facet).computed_by == "$facet"


def test_explain_stages_and_the_input_of_the_sort() -> None:
    """explain's stages[] print the sort as {"$sort": {"sortKey": …}}; the $cursor stage comes first."""
    stages = [{"$cursor": {"queryPlanner": {}}}, {"$group": {"_id": "$region", "revenue": {"$sum": "$total"}},
                                                 "nReturned": 6}, {"$sort": {"sortKey": {"revenue": -1}}}]
    cs = computed_sort(stages)
    assert (cs.index, cs.fields, cs.computed_by) == (2, ("revenue",), "$group")
    assert sort_input_is_output(stages, cs)
    assert not sort_input_is_output(stages + [{"$limit": 3}], cs)
