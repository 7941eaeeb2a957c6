"""Every SLO spec file of the OpenSLO (OpenSLO/OpenSLO, OpenSLO/oslo, OpenSLO/go-sdk), Sloth (slok/sloth) and Pyrra
(pyrra-dev/pyrra) repositories that the search index holds (issue 18), read as a user would point the workbook at it.

Fixtures: tests/data/slo/specs/corpus/<project>/<path in the repository>, byte for byte (sources and commits in
tests/data/slo/specs/SOURCES.md, all Apache-2.0). The expected reading of each file — targets, windows, budgeting,
how each query is read — is tests/data/slo/specs/EXPECTED.yaml; a deliberately invalid file (a schema test's
``wantErr`` case, Sloth's ``validate/bad`` data...) must be refused in one line ``file:line: problem``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from analysis.errors import ConfigError
from analysis.slo.specs.load import read_specs
from tests.unit.slo.corpus_reading import ROOT, corpus_files, expected, format_of, reading

EXPECTED = expected()


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_every_corpus_file_reads_as_expected_or_is_refused_in_one_line(rel):
    exp, path = EXPECTED[rel], ROOT / rel
    assert format_of(path) == exp["format"]
    refusal = exp.get("invalid") or exp.get("unsupported")
    if refusal:
        with pytest.raises(ConfigError) as ei:
            read_specs(path)
        msg = str(ei.value)
        assert re.match(rf"{re.escape(str(path))}:\d+: ", msg) and "\n" not in msg, msg
        assert msg.endswith(refusal), msg
        return
    got = read_specs(path)
    assert [reading(s) for s in got.slos] == exp.get("slos", [])
    assert got.objects == exp.get("objects", [])
    assert all(s.spec is not None and s.spec.format == exp["format"].lower() for s in got.slos)


def test_the_table_covers_the_whole_corpus():
    assert {str(p.relative_to(ROOT)) for p in corpus_files()} == set(EXPECTED)


def test_at_least_90_percent_of_the_valid_files_of_each_format_load():
    """Valid = not deliberately invalid; ``unsupported`` entries are valid files the workbook refuses (with why)."""
    counts = Counter((e["format"], "invalid" if "invalid" in e else "unsupported" if "unsupported" in e else "ok")
                     for e in EXPECTED.values())
    for fmt in ("OpenSLO", "Sloth", "Pyrra"):
        valid = counts[(fmt, "ok")] + counts[(fmt, "unsupported")]
        assert valid >= 40 and counts[(fmt, "ok")] / valid >= 0.9, (fmt, counts)
