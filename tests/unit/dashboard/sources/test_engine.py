"""Opening the engine: embedded mongomock by default; a real MongoDB only into scratch databases."""

from __future__ import annotations

import pytest

from analysis.dashboard.params import DashboardParams
from analysis.dashboard.sources import engine
from analysis.errors import ParameterError, UnsafeOperationError
from analysis.samples.dataset import AUDITED_USER


def test_embedded_engine_loads_one_dataset_per_size():
    eng = engine.open_engine(DashboardParams(sizes=[7, 11], users=2))
    assert eng.kind == "embedded" and not eng.real and eng.label.startswith("mongomock ")
    assert eng.user_id == AUDITED_USER and eng.sizes == [7, 11]
    db, cleanup = eng.make_db(11)
    try:
        assert db["assessments"].count_documents({"user_id": AUDITED_USER}) == 11
    finally:
        cleanup()
    eng.close()


def test_non_scratch_database_is_refused_before_connecting(monkeypatch):
    monkeypatch.setenv("AUDIT_MONGO", "mongodb://127.0.0.1:1/")

    def never(*args, **kwargs):
        raise AssertionError("connected before refusing")

    monkeypatch.setattr(engine, "connect_mongo", never)
    P = DashboardParams(mongo_uri_env="AUDIT_MONGO", mongo_db="infra_mind")
    with pytest.raises(UnsafeOperationError, match="infra_mind") as info:
        engine.open_engine(P)
    assert "scratch_" in str(info.value)


def test_unset_uri_variable_is_named(monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE_42", raising=False)
    with pytest.raises(ParameterError, match="NOT_SET_ANYWHERE_42"):
        engine.open_engine(DashboardParams(mongo_uri_env="NOT_SET_ANYWHERE_42"))
