"""Slow-query logs and system.profile documents of MongoDB 4.4 → 8.0 (fixtures written from each
version's documented log format): every figure the version records reaches the digest, none is invented."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis.querycost.pipeline import digest_files

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost" / "versions"
VERSIONS = ["44", "50", "60", "70", "80"]
#: per version: (replanned, CPU + planning + ticket queues recorded, workingMillis + 8.0 hashes recorded)
FEATURES = {"44": (0, False, False), "50": (1, False, False), "60": (1, False, False), "70": (0, True, False),
            "80": (0, True, True)}


def _nan(v: float) -> bool:
    return isinstance(v, float) and math.isnan(v)


@pytest.mark.parametrize("version", VERSIONS)
def test_log_of_each_version(version: str) -> None:
    df, st = digest_files([DATA / f"mongod_{version}.log"])
    replans, v7, v8 = FEATURES[version]
    assert st.files[0].kind == "log" and st.lines == 5 and st.records == 3 and st.skipped == 2
    app = df[df["internal"] == ""].iloc[0]
    oplog = df[df["internal"] == "oplog"].iloc[0]
    assert (app["count"], app["total_ms"], app["num_yields"], app["bytes_read"]) == (2, 200.0, 4, 2 * 2097152)
    assert app["flow_control_ms"] == 5.0 and app["in_memory_sort"] == 2
    # lock waits (40 ms per execution) plus, from 7.0, execution-ticket queueing (7 ms)
    assert app["wait_ms"] == pytest.approx(80.0 + (14.0 if v7 else 0.0))
    assert app["replanned"] == 2 * replans and bool(app["replan_reasons"]) == bool(replans)
    assert app["query_hash"] == "5F1C3A2B"
    if v7:
        assert app["cpu_ms"] == pytest.approx(2 * 61.234567) and app["planning_ms"] == pytest.approx(1.624)
    else:
        assert _nan(app["cpu_ms"]) and _nan(app["planning_ms"])
    if v8:  # workingMillis: time working; the rest of durationMillis was spent waiting
        assert (app["working_ms"], app["waiting_ms"]) == (151.0, 49.0) and app["shape_hash"].startswith("A3C58F1B")
        assert (oplog["working_ms"], oplog["waiting_ms"]) == (2.0, 5001.0)
    else:
        assert _nan(app["working_ms"]) and _nan(app["waiting_ms"]) and app["shape_hash"] == ""
    assert (oplog["ns"], oplog["op"], oplog["collscan"], oplog["total_ms"]) == ("local.oplog.rs", "getMore", 1, 5003.0)


@pytest.mark.parametrize("version", VERSIONS)
def test_profile_of_each_version(version: str) -> None:
    df, st = digest_files([DATA / f"profile_{version}.json"])
    replans, v7, v8 = FEATURES[version]
    assert st.files[0].kind == "profile" and st.records == 1
    (r,) = df.to_dict("records")
    assert (r["internal"], r["count"], r["total_ms"], r["num_yields"], r["bytes_read"]) == ("", 1, 140.0, 2, 2097152)
    assert r["wait_ms"] == pytest.approx(40.0 + (7.0 if v7 else 0.0)) and r["flow_control_ms"] == 2.5
    assert r["replanned"] == replans and r["query_hash"] == "5F1C3A2B"
    assert (r["working_ms"] == 91.0) if v8 else _nan(r["working_ms"])
    assert (r["cpu_ms"] == pytest.approx(61.234567)) if v7 else _nan(r["cpu_ms"])
