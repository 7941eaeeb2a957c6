"""Digest math against oracles: numpy percentiles, pandas groupby sums; chunk invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.querycost.digest import digest_rows
from analysis.querycost.histogram import weighted_quantile
from analysis.querycost.records import BASE_FIELDS as ROW_FIELDS


@pytest.mark.parametrize("q", [0.0, 0.01, 0.5, 0.95, 0.99, 1.0])
@pytest.mark.parametrize("integer", [True, False])
def test_weighted_quantile_equals_numpy_percentile(q: float, integer: bool) -> None:
    rng = np.random.default_rng(3)
    groups = []
    for g in range(25):
        n = int(rng.integers(1, 400))
        vals = rng.lognormal(2, 1.2, n)
        groups.append(np.floor(vals) if integer else vals)
    # value counts per group, as the digest keeps them
    gk, gv, gc = [], [], []
    for g, vals in enumerate(groups):
        u, c = np.unique(vals, return_counts=True)
        gk.append(np.full(len(u), g))
        gv.append(u)
        gc.append(c)
    got = weighted_quantile(np.concatenate(gv), np.concatenate(gc), np.concatenate(gk), q)
    want = np.array([np.percentile(v, 100 * q) for v in groups])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def _rows(n: int, seed: int = 1) -> list[tuple]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        k = int(rng.integers(0, 7))
        missing = rng.random() < 0.1
        rows.append((None, f"db.c{k % 3}", ["find", "aggregate"][k % 2], f"shape{k}", ["COLLSCAN", "IXSCAN { a: 1 }"][k % 2],
                     float(rng.integers(0, 300)), None if missing else int(rng.integers(0, 5000)),
                     int(rng.integers(0, 100)), int(rng.integers(0, 50)), None if missing else int(rng.integers(10, 9000)),
                     k % 2 == 0, bool(rng.random() < 0.3), f"app{k % 2}", f"H{k}", ["log", "profile"][i % 2], {}))
    return rows


def test_digest_matches_pandas_groupby_oracle() -> None:
    rows = _rows(5000)
    got = digest_rows(rows, chunk_rows=777).set_index(["ns", "op", "shape", "plan_summary"]).sort_index()
    df = pd.DataFrame(rows, columns=ROW_FIELDS)
    g = df.groupby(["ns", "op", "shape", "plan_summary"])
    want = pd.DataFrame({
        "count": g.size(), "total_ms": g["duration_ms"].sum(), "max_ms": g["duration_ms"].max(),
        "p50_ms": g["duration_ms"].quantile(0.5), "p95_ms": g["duration_ms"].quantile(0.95),
        "p99_ms": g["duration_ms"].quantile(0.99),
        "docs_examined": g["docs_examined"].sum(), "nreturned": g["nreturned"].sum(),
        "reslen_total": g["reslen"].sum(), "collscan": g["collscan"].sum(), "in_memory_sort": g["in_memory_sort"].sum(),
    }).sort_index()
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), err_msg=col)
    np.testing.assert_allclose(got["reslen_mean"], g["reslen"].mean().sort_index())
    np.testing.assert_allclose(got["examined_per_returned"],
                               (want["docs_examined"] / np.maximum(want["nreturned"], 1)).to_numpy())
    assert got["share_of_time"].sum() == pytest.approx(1.0)
    assert set(got["sources"]) == {"log+profile"}


def test_sorted_by_total_time_and_chunk_invariant() -> None:
    rows = _rows(3000, seed=2)
    a = digest_rows(rows, chunk_rows=50)
    b = digest_rows(rows, chunk_rows=100_000)
    assert list(a["total_ms"]) == sorted(a["total_ms"], reverse=True)
    pd.testing.assert_frame_equal(a.drop(columns="command"), b.drop(columns="command"))


def test_empty_input_gives_empty_table() -> None:
    df = digest_rows([])
    assert df.empty and "share_of_time" in df.columns


def test_histogram_folding_many_distinct_durations() -> None:
    """Float durations (all distinct) over many chunks: the buffered histogram folds stay exact."""
    rng = np.random.default_rng(9)
    rows = [r[:5] + (float(rng.lognormal(3, 1)),) + r[6:] for r in _rows(30_000, seed=4)]
    got = digest_rows(rows, chunk_rows=300).set_index("shape").sort_index()
    df = pd.DataFrame(rows, columns=ROW_FIELDS).groupby("shape")["duration_ms"]
    for q, col in ((0.5, "p50_ms"), (0.95, "p95_ms"), (0.99, "p99_ms")):
        np.testing.assert_allclose(got[col], df.quantile(q).sort_index(), rtol=1e-12)
