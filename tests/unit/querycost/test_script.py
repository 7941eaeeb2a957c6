"""querycost.script: the reviewed mongosh script (createIndex for the advice, hideIndex for drop candidates)."""

from __future__ import annotations

import re

from analysis.querycost import pipeline
from analysis.querycost.params import QueryCostParams


def test_script_of_the_sample(tmp_path) -> None:
    result = pipeline.run(QueryCostParams())
    path = pipeline.write_index_script(result, tmp_path, "infra_mind")
    text = path.read_text()
    live = [ln for ln in text.splitlines() if ln and not ln.startswith("//")]
    assert "SYNTHETIC" in text and path.name == "index_changes.mongosh.js"
    assert live and all(re.fullmatch(r'db\.getSiblingDB\("infra_mind"\)\.getCollection\("\w+"\)'
                                     r'\.(createIndex\(\{ .+ \}\)|hideIndex\("[\w-]+"\));', ln) for ln in live)
    hidden = re.findall(r'getCollection\("(\w+)"\)\.hideIndex\("([\w-]+)"\)', text)
    candidates = result.index_hygiene[result.index_hygiene["advice"].str.startswith("hide")]
    assert sorted(hidden) == sorted(zip(candidates["collection"], candidates["index"]))
    assert 'createIndex({ "assessment_id": 1, "confidence_score": -1, "priority": -1 })' in text
    assert "dropIndex" not in "\n".join(live)
