"""``python -m analysis slo-rules``: deployable Prometheus alerting for an SLO catalog.

Usage::

    python -m analysis slo-rules --catalog slo/infra_mind.yaml [--format prometheus|operator] [--out DIR]
        [--runbook-url BASE] [--export FILE ... | --prometheus URL] [--skip-refused]

Writes ``<catalog>.rules.yml`` (or ``<catalog>.prometheusrule.yaml``) and the generated
``promtool`` unit tests ``<catalog>.rules.test.yml`` into ``--out`` (default ``reports/rules``),
then runs ``promtool check rules`` and ``promtool test rules`` when promtool is installed.
Latency SLIs need the histogram's bucket boundaries: from the data (``--export``/``--prometheus``)
or the catalog's ``sli.latency.buckets``. An SLO that cannot be written as rules (threshold not a
bucket boundary, timeslice budgeting, unknown buckets) is refused with one line and exit 2, unless
``--skip-refused`` writes the others. Exit 1 when promtool rejects the generated files.

On Sloth or Pyrra specs the rules are the ones that tool generates (its windows, SLI expressions,
factors, alert names, labels, severities). ``--format openslo|sloth`` writes the catalog itself in
that format instead (``<catalog>.openslo.yaml`` / ``<catalog>.sloth.yaml``; SLOs the format cannot
express are listed as refused).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from ..config import reports_dir
from ..errors import ConfigError
from ..fileio import write_atomic
from ..params import env_value
from ..record import Verdict
from .catalog import load_catalog
from .deploy import Deployment, catalog_stem, deploy
from .rules import bucket_labels
from .sources import export, live
from .specs.writers import to_openslo, to_sloth


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``slo-rules`` command's flags."""
    parser.add_argument("--catalog", required=True, help="SLO catalog YAML (this workbook's format or OpenSLO v1)")
    parser.add_argument("--format", choices=("prometheus", "operator", "openslo", "sloth"), default="prometheus",
                        help="a Prometheus rule file, a Prometheus Operator PrometheusRule object, or the catalog "
                             "itself written as OpenSLO v1 / a Sloth prometheus/v1 spec")
    parser.add_argument("--out", default="", metavar="DIR", help="output directory (default reports/rules)")
    parser.add_argument("--runbook-url", default="", metavar="BASE",
                        help="runbook_url annotation: BASE/<slo>, or BASE with {slo} and {tier} placeholders")
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--export", metavar="FILE", nargs="+", help="export files: read the histograms' le labels")
    src.add_argument("--prometheus", metavar="URL", help="live server: read the histograms' le labels")
    parser.add_argument("--token-env", default="", help="environment variable holding a bearer token for --prometheus")
    parser.add_argument("--timeout", type=float, default=30.0, help="live request timeout in seconds")
    parser.add_argument("--skip-refused", action="store_true",
                        help="write the rules of the other SLOs when some cannot be written (exit 0)")


def _buckets(args: argparse.Namespace, metrics: list[str]) -> dict | None:
    if args.export:
        return bucket_labels(export.load_exports(args.export).labels)
    if args.prometheus:
        token = env_value("token_env", args.token_env)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        now = time.time()
        labels = live.series_labels(args.prometheus, [f"{m}_bucket" for m in metrics], now - 86400, now,
                                    headers=headers, timeout=args.timeout)
        return bucket_labels(labels)
    return None


def convert(slos: list, catalog: Path, fmt: str, out_dir: Path) -> Verdict:
    """Write the catalog as OpenSLO or Sloth; print the SLOs the format cannot express."""
    docs, refused = (to_openslo if fmt == "openslo" else to_sloth)(slos)
    for name, why in refused.items():
        print(f"refused {name}: {why}")
    if not docs:
        raise ConfigError(f"{catalog}: no SLO can be written as {fmt}")
    path = out_dir / f"{catalog_stem(catalog)}.{fmt}.yaml"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(path, yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
    print(f"wrote {path} ({sum(len(d['slos']) if 'slos' in d else 1 for d in docs)} SLOs as {fmt})")
    return Verdict("WARN" if refused else "PASS", f"{len(slos) - len(refused)} of {len(slos)} SLOs written as {fmt}")


def run(args: argparse.Namespace) -> Verdict:
    """Generate, write and check the rules; print what was written; the verdict says whether promtool agreed."""
    catalog = Path(args.catalog)
    slos = load_catalog(catalog)
    if args.format in ("openslo", "sloth"):
        return convert(slos, catalog, args.format, Path(args.out or reports_dir() / "rules"))
    buckets = _buckets(args, [s.sli.metric for s in slos if s.sli.kind == "latency" and not s.not_exported])
    dep: Deployment = deploy(slos, args.out or reports_dir() / "rules", catalog_stem(catalog), buckets=buckets,
                             fmt=args.format, runbook_url=args.runbook_url, refuse=not args.skip_refused)
    for line in dep.left_out():
        print(line)
    print(f"wrote {dep.rules_path} ({dep.rules.rule_count} rules for {len(dep.rules.plans)} SLOs)")
    print(f"wrote {dep.tests_path} ({len(dep.test_notes)} tests)")
    for note in dep.rules.notes + dep.test_notes:
        print(f"  - {note}")
    for res in (dep.check, dep.test):
        if res is not None or dep.check is None:
            print(dep.checked(res))
    if dep.check is None:
        return Verdict("WARN", "rules written; promtool is not installed, so they were not checked")
    ok = dep.check.ok and (dep.test is None or dep.test.ok)
    return Verdict("PASS" if ok else "FAIL", f"{dep.rules.rule_count} rules for {len(dep.rules.plans)} SLOs; "
                   f"{dep.check.summary}" + (f"; promtool test: {dep.test.summary}" if dep.test else ""))

