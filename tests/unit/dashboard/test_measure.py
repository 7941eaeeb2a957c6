"""Measurement helpers against their oracles (bson, statistics, known slopes)."""

from __future__ import annotations

import gc
import weakref

import bson
import numpy as np
import pandas as pd
import pytest

from analysis.dashboard import measure
from analysis.samples.dataset import AUDITED_USER, generate_dataset


def test_median_ci_and_time_call():
    lo, hi = measure.median_ci(list(range(100)))
    assert lo < 50 < hi and hi - lo < 30
    assert measure.median_ci([3.0, 1.0]) == (1.0, 3.0)
    stats = measure.time_call(lambda: sum(range(1000)), min_repeats=3, max_repeats=8, max_seconds=0.5)
    assert 3 <= stats.repeats <= 8 and stats.median_ms > 0


def test_wire_bytes_and_decode_match_bson():
    docs = [{"a": i, "s": "x" * 100} for i in range(50)]
    raw = measure.wire_bytes(docs)
    assert bson.decode_all(raw) == docs
    assert len(raw) == sum(len(bson.encode(d)) for d in docs)
    ms, mem = measure.decode_cost(raw)
    assert ms >= 0 and mem > len(raw) / 2


def test_scaling_exponents_recover_known_slopes():
    sizes = np.array([100, 1000, 10000])
    df = pd.DataFrame({"strategy": ["lin"] * 3 + ["flat"] * 3, "size": np.r_[sizes, sizes],
                       "m": np.r_[sizes * 7.0, np.full(3, 42.0)]})
    out = measure.scaling_exponents(df, ["m"]).set_index("strategy")["exponent"]
    assert out["lin"] == pytest.approx(1.0) and out["flat"] == pytest.approx(0.0, abs=1e-12)


def test_heavy_profile_decodes_to_the_seeds_50_mb():
    d = generate_dataset(users=1, docs_per_user=1000, profile="heavy")
    _, mem = measure.decode_cost(measure.wire_bytes([x for docs in d.values() for x in docs]), repeats=1)
    assert 45e6 < mem < 55e6


def test_measure_strategy_row(db, docs_per_user):
    row = measure.measure_strategy(db, "legacy_full_scan", AUDITED_USER, size=docs_per_user, engine="e",
                                   timing={"warmup": 0, "min_repeats": 3, "max_seconds": 0.01})
    assert row["docs_received"] == 3 * docs_per_user and row["queries"] == 3
    assert row["result_bytes"] > 0 and row["decode_mem_bytes"] > row["result_bytes"] / 2
    assert row["engine"] == "e" and row["size"] == docs_per_user and row["repeats"] >= 3


def test_settled_heap_freezes_what_is_alive_and_still_collects_new_garbage():
    """The sweep's garbage-collection shortcut (issue 17) hides only live objects from the collector: a cycle made
    inside the block is still collected by the traced load's gc.collect(), and the freeze ends with the block."""
    class Node:
        pass

    with pytest.raises(RuntimeError):
        with measure.settled_heap():
            assert gc.get_freeze_count() > 0
            a, b = Node(), Node()
            a.other, b.other = b, a
            gone = weakref.ref(a)
            del a, b
            measure.traced_call(lambda: None)
            assert gone() is None  # new garbage collected before the traced call
            raise RuntimeError("the freeze ends even when the block raises")
    assert gc.get_freeze_count() == 0
