"""samples.indexstats: the committed index exports are what the generator writes, consistent with the workload."""

from __future__ import annotations

import json
import shutil

from analysis.config import data_dir
from analysis.samples.indexstats import write_index_sample

SAMPLE = data_dir() / "querycost"


def test_regenerated_exports_are_byte_identical(tmp_path) -> None:
    meta = json.loads((SAMPLE / "sample_meta.json").read_text())
    for name in ("sample_meta.json", meta["log"], meta["profile"]):
        shutil.copy(SAMPLE / name, tmp_path / name)
    write_index_sample(tmp_path)
    for name in ("sample_indexes.json", "sample_index_stats.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_only_the_indexes_the_simulated_plans_use_have_operations() -> None:
    meta = json.loads((SAMPLE / "sample_meta.json").read_text())
    stats = json.loads((SAMPLE / "sample_index_stats.json").read_text())
    used = {(c, s["name"]) for c in meta["collection_sizes"] for s in stats[c] if s["accesses"]["ops"] > 0}
    planned = {(c, "_".join(f"{f}_{d}" for f, d in keys)) for c, keys in [*meta["indexes"], meta["built_index"]]}
    assert used == planned


def test_the_index_built_in_the_window_counts_from_its_build() -> None:
    meta = json.loads((SAMPLE / "sample_meta.json").read_text())
    stats = json.loads((SAMPLE / "sample_index_stats.json").read_text())
    coll, keys = meta["built_index"]
    (entry,) = [s for s in stats[coll] if s["key"] == {f: d for f, d in keys}]
    since = entry["accesses"]["since"]["$date"]
    assert since.startswith(meta["log_window"][0][:10]) and since > meta["log_window"][0][:19]
    others = [s["accesses"]["since"]["$date"] for s in stats[coll] if s is not entry]
    assert all(o < meta["log_window"][0][:19] for o in others)
