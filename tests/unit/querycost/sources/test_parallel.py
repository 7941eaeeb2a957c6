"""Parallel byte-range read of a plain log: equal to one sequential pass."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from analysis.querycost.pipeline import digest_files
from analysis.querycost.sources.parallel import parallel_plan

SAMPLE = Path(__file__).resolve().parents[4] / "data" / "querycost" / "sample_slow_query.log.gz"


def test_parallel_byte_ranges_equal_sequential(tmp_path: Path) -> None:
    log = tmp_path / "sample.log"
    log.write_bytes(gzip.decompress(SAMPLE.read_bytes()))
    one, st1 = digest_files([log], workers=1)
    many, st3 = digest_files([log], workers=3)
    pd.testing.assert_frame_equal(one.drop(columns="command"), many.drop(columns="command"))
    assert (st1.lines, st1.records, st1.skipped, st1.reasons) == (st3.lines, st3.records, st3.skipped, st3.reasons)


def test_plan_only_for_plain_logs(tmp_path: Path) -> None:
    log = tmp_path / "sample.log"
    log.write_bytes(gzip.decompress(SAMPLE.read_bytes()))
    size = log.stat().st_size
    plan = parallel_plan(log, 3)
    assert plan is not None and plan.ranges[0][0] == 0 and plan.ranges[-1][1] == size
    assert all(a[1] == b[0] for a, b in zip(plan.ranges, plan.ranges[1:]))  # contiguous, no gap, no overlap
    assert parallel_plan(log, 1) is None  # one process asked for
    assert parallel_plan(log, None) is None  # below PARALLEL_MIN_BYTES: forking costs more than it saves
    assert parallel_plan(SAMPLE, 3) is None  # a gzip stream cannot be split
    assert parallel_plan(tmp_path / "missing.log", 3) is None  # the sequential reader reports it
