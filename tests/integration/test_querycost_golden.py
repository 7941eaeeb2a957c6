"""``digest --json`` is the same as the stored golden output, every field, on every digest fixture.

The golden files (``tests/data/querycost/golden/``) were captured from the digest before its row
builder was rewritten for speed (issue 23, main 1ab4a67): every digest fixture under ``tests/data``
(logs of 4.4 → 8.0, profile exports, explain outputs, the bad inputs and their exit codes), the
embedded sample and a directory set, each run as ``digest INPUT --json --top 0 --workers 1`` (one
process: exact percentiles). The comparison is exact: same keys, same values, same order of
shapes; the exit code and stderr too. Absolute paths are written ``<repo>/...``.

Regenerate (only when the output is meant to change, and say so in the commit)::

    GOLDEN_UPDATE=1 .venv/bin/python -m pytest -q tests/integration/test_querycost_golden.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from analysis.cli import main

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests" / "data"
GOLDEN = TESTS / "querycost" / "golden"


def _inputs() -> dict[str, list[str]]:
    """Golden name → the digest's inputs and flags."""
    files = sorted(p for d in (TESTS / "querycost", TESTS / "bad" / "querycost", TESTS / "mongodb" / "explain")
                   for p in d.rglob("*") if p.is_file() and GOLDEN not in p.parents)
    cases = {re.sub(r"[^A-Za-z0-9_.-]", "_", str(p.relative_to(TESTS))): [str(p)] for p in files}
    sample = REPO / "data" / "querycost"
    for name in ("sample_slow_query.log.gz", "sample_profile.json", "sample_explain.json"):
        cases[f"embedded_{name}"] = [str(sample / name)]
    cases["set_versions_dir"] = [str(TESTS / "querycost" / "versions")]
    cases["set_sample_and_fixtures"] = [str(sample / "sample_slow_query.log.gz"), str(TESTS / "querycost" / "*.log")]
    return cases


CASES = _inputs()


def _run(args: list[str], capsys) -> dict:
    rc = main(["digest", *args, "--json", "--top", "0", "--workers", "1"])
    cap = capsys.readouterr()
    text = cap.out.replace(str(REPO), "<repo>")
    return {"rc": rc, "stderr": cap.err.replace(str(REPO), "<repo>"), "json": json.loads(text) if text.strip() else None}


@pytest.mark.parametrize("name", sorted(CASES))
def test_digest_json_equals_the_golden_output(name: str, capsys) -> None:
    got = _run(CASES[name], capsys)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GOLDEN_UPDATE"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["rc"] == want["rc"] and got["stderr"] == want["stderr"]
    if want["json"] is None:
        assert got["json"] is None
        return
    assert list(got["json"]) == list(want["json"])
    for key in want["json"]:
        if key == "shapes":
            assert len(got["json"]["shapes"]) == len(want["json"]["shapes"])
            for i, (g, w) in enumerate(zip(got["json"]["shapes"], want["json"]["shapes"])):
                assert g == w, f"shape #{i}: " + ", ".join(f"{k}: {g.get(k)!r} != {w.get(k)!r}"
                                                          for k in w if g.get(k) != w.get(k))
        else:
            assert got["json"][key] == want["json"][key], key


def test_every_golden_file_has_its_case() -> None:
    """A golden file without a case (a fixture renamed or removed) would compare nothing."""
    stored = {p.stem for p in GOLDEN.glob("*.json")}
    assert stored == set(CASES), sorted(stored ^ set(CASES))
