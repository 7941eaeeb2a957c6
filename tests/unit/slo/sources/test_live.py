"""Live Prometheus: chunking under the 11,000-point limit; an unreachable server is one redacted line."""

from __future__ import annotations

import pytest

from analysis.errors import SourceError
from analysis.slo.sources.live import MAX_POINTS, chunks, fetch


@pytest.mark.parametrize("points", [1, 9_999, 10_000, 10_001, 43_201, 47_521])
def test_chunks_cover_every_step_once_under_the_limit(points):
    step, end = 60.0, 1_790_000_040.0
    start = end - (points - 1) * step
    parts = chunks(start, end, step)
    covered = [a + k * step for a, b in parts for k in range(int(round((b - a) / step)) + 1)]
    assert covered == [start + k * step for k in range(points)]
    assert all((b - a) / step + 1 <= MAX_POINTS < 11_000 for a, b in parts)
    assert parts[-1][1] == end  # pinned to the evaluation time


def test_unreachable_server_is_one_redacted_line():
    with pytest.raises(SourceError) as ei:
        fetch("http://admin:hunter2@127.0.0.1:9", ["up"], 1_700_000_000.0, 1_700_000_600.0, timeout=1)
    msg = str(ei.value)
    assert "hunter2" not in msg and "cannot connect" in msg and "\n" not in msg
