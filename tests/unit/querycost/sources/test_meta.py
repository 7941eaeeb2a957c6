"""The synthetic sample's metadata file."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.querycost.sources.meta import load_meta

SAMPLE_META = Path(__file__).resolve().parents[4] / "data" / "querycost" / "sample_meta.json"


def test_meta_is_read_and_absent_is_empty(tmp_path: Path) -> None:
    meta = load_meta(SAMPLE_META)
    assert meta == json.loads(SAMPLE_META.read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "field_presence" in meta and "indexes" in meta
    assert load_meta(tmp_path / "none.json") == {}
