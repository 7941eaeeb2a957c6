"""Plan stability (flips, replans) and the per-minute timeline against hand-made rows and numpy oracles."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.querycost.digest import Digester, feed
from analysis.querycost.histogram import BIN_ERROR
from analysis.querycost.records import NO_EXTRAS, ROW_FIELDS
from analysis.querycost.stability import plan_stability
from analysis.querycost.timeline import top_labels

_I = {f: i for i, f in enumerate(ROW_FIELDS)}


def _row(minute: int, ms: float, plan: str, key: str, qhash: str = "QH1", replanned: bool = False) -> tuple:
    row = [None] * len(ROW_FIELDS)
    row[: 16] = [{"$date": f"2025-11-04T09:{minute:02d}:30.000+00:00"}, "db.c", "find", "{a: ?}", plan, ms, 10, 10, 1,
                 100, plan == "COLLSCAN", False, "api", qhash, "log", {"find": "c", "filter": {"a": 1}}]
    row[16:] = NO_EXTRAS
    row[_I["plan_cache_key"]] = key
    row[_I["replanned"]] = replanned
    row[_I["replan_reason"]] = "cached plan was less efficient than expected" if replanned else ""
    row[_I["client"]] = "10.0.0.1"
    return tuple(row)


def test_a_plan_flip_is_flagged_with_its_history() -> None:
    rows = ([_row(m, 5.0, "IXSCAN { a: 1 }", "K1") for m in range(0, 10)]
            + [_row(10, 50.0, "COLLSCAN", "K2", replanned=True)] + [_row(m, 40.0, "COLLSCAN", "K2") for m in range(11, 15)]
            + [_row(m, 1.0, "IXSCAN { b: 1 }", "K9", qhash="QH2") for m in range(0, 3)])
    dig = feed(Digester(), rows)
    digest = dig.frame()
    st = plan_stability(dig.plans_frame(), digest)
    assert list(st["query_hash"]) == ["QH1", "QH2"] and list(st["flip"]) == [True, False]
    first = st.iloc[0]
    assert (first["plans"], first["executions"], first["replanned"]) == (2, 15, 1)
    assert first["history"] == ("IXSCAN { a: 1 } [K1] ×10 (11-04 09:00–11-04 09:09) → "
                                "COLLSCAN [K2] ×5 (11-04 09:10–11-04 09:14)")
    coll = digest[digest["plan_summary"] == "COLLSCAN"].iloc[0]
    assert coll["replanned"] == 1 and coll["replan_reasons"] == "cached plan was less efficient than expected ×1"


def test_same_plan_different_cache_key_is_a_flip() -> None:
    rows = [_row(0, 5.0, "IXSCAN { a: 1 }", "K1"), _row(5, 5.0, "IXSCAN { a: 1 }", "K3")]
    dig = feed(Digester(), rows)
    assert plan_stability(dig.plans_frame(), dig.frame())["flip"].tolist() == [True]


def test_timeline_counts_exact_and_p95_within_the_bin_error() -> None:
    rng = np.random.default_rng(5)
    rows, by_minute = [], {}
    for m in range(6):
        ms = rng.lognormal(3 + (m == 3), 0.8, 200).round(0)  # minute 3 is slow
        by_minute[m] = ms
        rows += [_row(m, float(v), "IXSCAN { a: 1 }", "K1") for v in ms]
    dig = feed(Digester(), rows, chunk_rows=97)
    digest = dig.frame()
    label_of, names = top_labels(digest, 3, len(digest))
    t = dig.timeline_frame(label_of, names)
    assert list(t["count"]) == [200] * 6 and t["minute"].dt.minute.tolist() == list(range(6))
    want = np.array([np.percentile(by_minute[m], 95) for m in range(6)])
    np.testing.assert_allclose(t["p95_ms"], want, rtol=BIN_ERROR + 1e-12)
    assert int(t["p95_ms"].idxmax()) == 3
    assert names == ["#1 c find {a: ?}"]


def test_clients_table_sums() -> None:
    rows = [_row(0, 5.0, "IXSCAN { a: 1 }", "K1")] * 3
    c = feed(Digester(), rows).clients_frame()
    assert c.to_dict("records") == [{"client": "10.0.0.1", "app_name": "api", "internal": "", "count": 3,
                                     "total_ms": pytest.approx(15.0)}]


def test_minute_clock_layouts_and_offsets() -> None:
    from datetime import datetime, timezone

    from analysis.querycost.timeline import MinuteClock

    base = int(datetime(2025, 11, 4, 9, 0, tzinfo=timezone.utc).timestamp() // 60)
    ts = [{"$date": "2025-11-04T09:00:01.120+00:00"}, {"$date": "2025-11-04T14:00:59.999+05:00"},
          {"$date": "2025-11-04T09:00:01Z"}, {"$date": "2025-11-04T09:00:01+05:00"},
          {"$date": "2025-11-04T09:01:00.000Z"}, datetime(2025, 11, 4, 9, 2, 30, tzinfo=timezone.utc), None,
          {"$date": {"$numberLong": str((base + 3) * 60_000)}}]
    clock = MinuteClock()
    want = [base, base, base, base - 300, base + 1, base + 2, -1, base + 3]
    assert clock.minutes(ts).tolist() == want
    assert clock.minutes(ts[:2] + ts[3:5]).tolist() == [base, base, base - 300, base + 1]  # from the cache
