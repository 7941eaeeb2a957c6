"""The corpus of real spec files (tests/data/slo/specs/corpus) and a compact text form of what the readers make of
each SLO, shared by test_spec_corpus.py and the table it checks (tests/data/slo/specs/EXPECTED.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis.slo.specs.documents import read_documents
from analysis.slo.specs.load import NAMES, detect

ROOT = Path(__file__).resolve().parents[3] / "tests" / "data" / "slo" / "specs" / "corpus"
EXPECTED = ROOT.parent / "EXPECTED.yaml"
SUFFIXES = (".yaml", ".yml", ".json")


def corpus_files() -> list[Path]:
    """Every spec file of the corpus (Sloth's generated rule files under ``_gen`` are not specs)."""
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and p.suffix in SUFFIXES and "_gen" not in p.parts)


def format_of(path: Path) -> str:
    """The file's format by its first document (a Sloth repository file may be OpenSLO); else by repository."""
    docs = read_documents(path)
    fmt = detect(docs[0]) if docs else "unknown"
    if fmt in NAMES and fmt != "workbook":
        return NAMES[fmt]
    return {"sloth": "Sloth", "pyrra": "Pyrra"}.get(path.relative_to(ROOT).parts[0], "OpenSLO")


def query_reading(slo) -> str:
    """``ratio(metric, ...)``, ``latency<=0.4s(histogram)`` …, ``live <form>`` or ``no-eval <form>``."""
    w, sli = slo.sli.written, slo.sli
    by = f" {'without' if slo.group_without else 'by'} {','.join(slo.group_by)}" if slo.group_by else ""
    if w is not None and w.refused:
        return f"{'live' if w.live else 'no-eval'} {w.form}{by}"
    if sli.kind == "latency":
        return f"latency<={sli.threshold_s:g}s({sli.metric}){by}"
    return f"{sli.kind}({','.join(sorted({s.metric for s in sli.selectors()}))}){by}"


def reading(slo) -> str:
    """``name | target % | window | budgeting | query reading``."""
    return f"{slo.name} | {slo.target * 100:g} | {slo.window.describe()} | {slo.method} | {query_reading(slo)}"


def expected() -> dict:
    return yaml.safe_load(EXPECTED.read_text())
