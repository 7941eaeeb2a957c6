"""querycost.script: the reviewed mongosh script (createIndex for the advice, hideIndex for drop candidates)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from analysis.querycost import pipeline
from analysis.querycost.hygiene import HIDE
from analysis.querycost.params import QueryCostParams
from analysis.querycost.script import mongosh_script


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


def test_names_from_the_server_never_become_code() -> None:
    """A field named like code, a newline in an index or collection name: still one string, one comment line."""
    field = "a: db.getSiblingDB('admin').shutdownServer(), b"
    suggestions = pd.DataFrame([{"ns": "infra_mind.c\n db.dropDatabase() //", "op": "find", "shape": f"{{{field}: ?}}",
                                 "problem": "COLLSCAN", "suggested_index": f"{{ {field}: 1 }}",
                                 "index_keys": [(field, 1)], "note": "n\u2028db.dropDatabase()"}])
    hygiene = pd.DataFrame([{"collection": "c", "index": 'x");\ndb.dropDatabase();("', "keys": "{ a: 1 }",
                             "verdict": "UNUSED", "ops": 0, "observed_days": 9.0, "advice": HIDE}])
    text = mongosh_script(SimpleNamespace(suggestions=suggestions, index_hygiene=hygiene, source="files\nx()",
                                          hygiene_source="h"), "infra_mind")
    coll = 'db.getSiblingDB("infra_mind").getCollection'
    code = [ln for ln in text.splitlines() if ln and not ln.startswith("//")]
    assert code == [f'{coll}("c\\n db.dropDatabase() //").createIndex({{ "a: db.getSiblingDB(\'admin\').shutdownServer(), '
                    f'b": 1 }});', f'{coll}("c").hideIndex("x\\");\\ndb.dropDatabase();(\\"");']
