"""The dashboard dataset generator: determinism, schema, sizes, and the scratch-database guard."""

from __future__ import annotations

from datetime import datetime

import bson
import pytest

from analysis.errors import ParameterError, UnsafeOperationError
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into

N = 120


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(users=4, docs_per_user=N, seed=7, aware_share=0.5)


def test_generator_is_deterministic_and_follows_the_schema(dataset):
    again = generate_dataset(users=4, docs_per_user=N, seed=7, aware_share=0.5)
    assert bson.encode(dataset["assessments"][5]) == bson.encode(again["assessments"][5])
    other = generate_dataset(users=4, docs_per_user=N, seed=8)
    assert bson.encode(dataset["assessments"][5]) != bson.encode(other["assessments"][5])
    assert all("user_id" not in r for r in dataset["recommendations"])
    assert sum(a["user_id"] == AUDITED_USER for a in dataset["assessments"]) == N
    assert len(dataset["assessments"]) == N + 3 * (N // 10)
    ids = {str(a["_id"]) for a in dataset["assessments"]}
    assert {r["assessment_id"] for r in dataset["recommendations"]} == ids
    assert isinstance(dataset["recommendations"][0]["total_estimated_monthly_cost"], bson.Decimal128)


def test_aware_share_is_respected():
    d = generate_dataset(users=1, docs_per_user=400, aware_share=0.25)
    dts = [a["created_at"] for a in d["assessments"]]
    share = sum(x.tzinfo is not None for x in dts) / len(dts)
    assert 0.18 < share < 0.32
    assert all(isinstance(x, datetime) for x in dts)


def test_realistic_sizes_match_the_reference(dataset):
    mean = {c: sum(len(bson.encode(d)) for d in docs) / len(docs) for c, docs in dataset.items()}
    assert 3_000 < mean["assessments"] < 5_500
    assert 8_000 < mean["recommendations"] < 12_000
    assert 4_000 < mean["reports"] < 9_000


@pytest.mark.parametrize("kwargs", [dict(users=0, docs_per_user=1), dict(users=1, docs_per_user=-5),
                                    dict(users=1, docs_per_user=True), dict(users=1, docs_per_user=1, profile="x"),
                                    dict(users=1, docs_per_user=1, aware_share=2.0)])
def test_generator_rejects_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        generate_dataset(**kwargs)


class _FakeRealDb:
    """Looks like a pymongo Database (not mongomock) without a server."""

    def __init__(self, name, collections=()):
        self.name, self._c = name, list(collections)

    def list_collection_names(self):
        return self._c

    def __getitem__(self, item):  # pragma: no cover - must never be reached
        raise AssertionError("write attempted")


@pytest.mark.parametrize("name,colls", [("infra_mind", []), ("scratch_x", ["assessments"])])
def test_load_refuses_non_scratch_or_non_empty_real_db(dataset, name, colls):
    with pytest.raises(UnsafeOperationError, match=name):
        load_into(_FakeRealDb(name, colls), dataset)
