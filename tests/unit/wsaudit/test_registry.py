"""Every checklist probe has a function; the selection always keeps the baseline."""

from __future__ import annotations

import pytest

from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.probes.registry import NEEDS_BASELINE, PROBE_FUNCS, select_probes


def test_every_probe_has_a_function():
    assert set(PROBE_FUNCS) == set(PROBE_IDS)
    assert NEEDS_BASELINE == set(PROBE_IDS) - {"baseline", "transport", "weak_secret"}


def test_select_probes():
    assert [s.id for s in select_probes(None)] == list(PROBE_IDS)
    assert [s.id for s in select_probes([])] == list(PROBE_IDS)
    assert [s.id for s in select_probes(["isolation", "alg_none"])] == ["baseline", "alg_none", "isolation"]
    with pytest.raises(ValueError, match="unknown probe 'nope'"):
        select_probes(["alg_none", "nope"])
