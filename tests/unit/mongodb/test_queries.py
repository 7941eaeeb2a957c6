"""The dashboard's planned queries and the seed's indexes, as data."""

from __future__ import annotations

import pytest

from analysis.mongodb import queries


def test_seed_indexes_cover_step4_and_script_extras():
    assert len(queries.SEED_INDEXES) == 12
    assert ("recommendations", [("assessment_id", 1)]) in queries.SEED_INDEXES
    with pytest.raises(ValueError):
        queries.planned_queries("nope", "u")
