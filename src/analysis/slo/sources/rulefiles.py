"""Write the generated rules (and their ``promtool`` unit tests) and run ``promtool`` on them.

``promtool`` is optional at run time: :func:`promtool_path` is None where it is not
installed and the callers say so in one line. Files are written whole or not at all
(a temporary file renamed into place).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ...errors import SourceError
from ...fileio import write_atomic
from ..rules import RuleSet, prometheus_rule

#: seconds a promtool call may take
PROMTOOL_TIMEOUT_S = 120


@dataclass(frozen=True)
class ToolResult:
    """What ``promtool`` said: ``ok`` (exit 0), the command and its output (stdout + stderr)."""

    ok: bool
    command: str
    output: str

    @property
    def summary(self) -> str:
        """The last meaningful line (``SUCCESS: 122 rules found``, ``FAILED: ...``)."""
        lines = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
        key = [ln for ln in lines if ln.startswith(("SUCCESS", "FAILED", "Unit Testing"))]
        return (key[-1] if key else (lines[-1] if lines else "")) or ("ok" if self.ok else "failed")


def dump(doc: dict) -> str:
    """YAML text of a rules or tests document (keys in order, long expressions on one line)."""
    return yaml.safe_dump(doc, sort_keys=False, width=100_000, allow_unicode=True)


def write_rules(rules: RuleSet, out_dir: str | os.PathLike[str], name: str, fmt: str = "prometheus",
                header: str = "") -> Path:
    """Write ``<name>.rules.yml`` (Prometheus) or ``<name>.prometheusrule.yaml`` (Operator ``PrometheusRule``)."""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    if fmt == "operator":
        return write_atomic(Path(out_dir) / f"{name}.prometheusrule.yaml", comment + dump(prometheus_rule(rules, name)))
    return write_atomic(Path(out_dir) / f"{name}.rules.yml", comment + dump({"groups": rules.groups}))


def write_tests(tests: dict, out_dir: str | os.PathLike[str], name: str) -> Path:
    """Write ``<name>.rules.test.yml`` (``promtool test rules`` input)."""
    return write_atomic(Path(out_dir) / f"{name}.rules.test.yml", dump(tests))


def promtool_path() -> str | None:
    """The ``promtool`` executable, or None when it is not installed."""
    return shutil.which("promtool")


def _run(args: list[str], cwd: Path | None = None) -> ToolResult:
    exe = promtool_path()
    if exe is None:
        raise SourceError("promtool is not installed (Debian: apt-get install prometheus)")
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_S, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise SourceError(f"promtool {args[0]} {args[1]}: no answer within {PROMTOOL_TIMEOUT_S} s") from None
    return ToolResult(done.returncode == 0, "promtool " + " ".join(args), (done.stdout + done.stderr).strip())


def check_rules(path: str | os.PathLike[str], lint: bool = True) -> ToolResult:
    """``promtool check rules`` on a rules file; a ``PrometheusRule`` object is checked through its groups.

    ``lint=False`` adds ``--lint=none`` (Sloth's period rules share a name and labels across SLOs by design).
    """
    p = Path(path)
    if not lint:
        return _run(["check", "rules", "--lint=none", str(p)])
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule":
        with tempfile.TemporaryDirectory(prefix="slo-rules-") as d:
            plain = write_atomic(Path(d) / f"{p.stem}.rules.yml", dump({"groups": doc["spec"]["groups"]}))
            res = _run(["check", "rules", str(plain)])
            return ToolResult(res.ok, f"promtool check rules <spec.groups of {p.name}>", res.output)
    return _run(["check", "rules", str(p)])


def run_rule_tests(path: str | os.PathLike[str]) -> ToolResult:
    """``promtool test rules`` on a generated tests file (run from its directory: rule_files are relative)."""
    p = Path(path)
    return _run(["test", "rules", p.name], cwd=p.parent)
