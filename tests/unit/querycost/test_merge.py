"""Map → merge: digest(A ∪ B) = merge(digest(A), digest(B)) on real log shapes, for any split (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import data_dir
from analysis.querycost.digest import Digester, feed
from analysis.querycost.records import ReadStats
from analysis.querycost.sources.files import iter_rows

DATA = Path(__file__).resolve().parents[2] / "data" / "querycost"
FILES = [data_dir() / "querycost" / "sample_slow_query.log.gz", data_dir() / "querycost" / "sample_profile.json",
         data_dir() / "querycost" / "sample_explain.json", DATA / "mongod_44.log",
         *sorted((DATA / "versions").glob("*")), DATA / "healthy_replica_member.log"]


def _tagged_rows() -> list[tuple[str, tuple]]:
    out = []
    for f in FILES:
        out += [(f.name, r) for r in iter_rows([f], ReadStats())]
    return out


ROWS = _tagged_rows()


def _digest(rows: list[tuple[str, tuple]], exact: bool) -> Digester:
    dig = Digester(exact)
    for name in dict.fromkeys(n for n, _ in rows):  # file by file, as the readers feed it
        dig.file = name
        feed(dig, [r for n, r in rows if n == name], chunk_rows=128)
    return dig


def _canonical(dig: Digester) -> dict[str, pd.DataFrame]:
    """Every table of a digester, independent of the order keys were first seen."""
    keys = ["ns", "op", "shape", "plan_summary", "internal"]
    frame = dig.frame().drop(columns=["command", "key_id"]).sort_values(keys).reset_index(drop=True)
    label_of = np.arange(len(frame), dtype=np.int64)
    names = [f"k{i}" for i in range(len(frame))]
    by_key = dig.frame().set_index(keys)["key_id"]
    label_of[by_key.to_numpy()] = [frame.set_index(keys).index.get_loc(k) for k in by_key.index]
    return {
        "frame": frame,
        "timeline": dig.timeline_frame(label_of, names).sort_values(["label", "minute"]).reset_index(drop=True),
        "plans": dig.plans_frame().sort_values(["query_hash", "plan_summary", "plan_cache_key", "ns"])
        .reset_index(drop=True),
        "clients": dig.clients_frame().sort_values(["client", "app_name", "internal"]).reset_index(drop=True),
        "members": dig.members_frame({}).sort_values("member").reset_index(drop=True),
    }


def _assert_same(a: Digester, b: Digester) -> None:
    ca, cb = _canonical(a), _canonical(b)
    for name in ca:
        pd.testing.assert_frame_equal(ca[name], cb[name], check_dtype=False, obj=name)


@settings(max_examples=20, deadline=None)
@given(mask=st.lists(st.booleans(), min_size=len(ROWS), max_size=len(ROWS)), exact=st.booleans(),
       swap=st.booleans())
def test_digest_of_union_equals_merge_of_digests(mask: list[bool], exact: bool, swap: bool) -> None:
    a = [r for r, m in zip(ROWS, mask) if m]
    b = [r for r, m in zip(ROWS, mask) if not m]
    whole = _digest(ROWS, exact)
    left, right = (_digest(b, exact), _digest(a, exact)) if swap else (_digest(a, exact), _digest(b, exact))
    left.merge(right)
    _assert_same(whole, left)


@settings(max_examples=10, deadline=None)
@given(cuts=st.lists(st.integers(0, len(ROWS)), min_size=1, max_size=6))
def test_merge_is_associative_over_contiguous_parts(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(ROWS)]
    parts = [_digest(ROWS[i:j], False) for i, j in zip(bounds, bounds[1:])]
    left = Digester(False)
    for p in parts:  # ((p0 + p1) + p2) + ...
        left.merge(p)
    right = Digester(False)
    tail = Digester(False)
    for p in parts[1:]:
        tail.merge(p)
    right.merge(parts[0])
    right.merge(tail)  # p0 + (p1 + (p2 + ...))
    whole = _digest(ROWS, False)
    _assert_same(whole, left)
    _assert_same(whole, right)
    # contiguous parts merged in order see every key first where the whole pass did: same example commands
    assert list(left.frame()["command"]) == list(whole.frame()["command"])


def test_exact_and_binned_percentiles_agree_within_the_bin_error() -> None:
    from analysis.querycost.histogram import BIN_ERROR

    exact, binned = _digest(ROWS, True).frame(), _digest(ROWS, False).frame()
    for col in ("p50_ms", "p95_ms", "p99_ms"):
        np.testing.assert_allclose(binned[col], exact[col], rtol=BIN_ERROR + 1e-9, atol=1e-9, err_msg=col)
    pd.testing.assert_frame_equal(binned.drop(columns=["p50_ms", "p95_ms", "p99_ms"]),
                                  exact.drop(columns=["p50_ms", "p95_ms", "p99_ms"]))


@pytest.mark.parametrize("exact", [True, False])
def test_pickled_partials_merge_the_same(exact: bool) -> None:
    import pickle

    half = len(ROWS) // 2
    a = pickle.loads(pickle.dumps(_digest(ROWS[:half], exact)))
    a.merge(pickle.loads(pickle.dumps(_digest(ROWS[half:], exact))))
    _assert_same(_digest(ROWS, exact), a)
