"""Benchmark of issue #12: rule generation, 200 groups, and the live pushdown mode, side by side.

1. ``slo-rules`` for the nine-SLO catalog (embedded export's ``le`` labels): time (target ≤ 1 s) and
   ``promtool check rules`` (must pass).
2. 200 groups × 1 SLO vs one ungrouped SLO over the same 30-day 5-minute export (400 series):
   load + evaluate time, grouped / ungrouped (target ≤ 2×); the evaluation alone is printed too.
3. Live: 1,000 series × 7 days × 60 s scrape (≈10 M samples) backfilled once into a TSDB cached under
   ``/tmp/infra-mind-bench-slo-live`` (never committed), served by the real Prometheus: the raw mode vs
   the pushdown mode, each in a fresh subprocess: wall time, bytes of the HTTP answers received (bodies,
   counted in ``requests``), peak RSS (``VmHWM``). Goal: pushdown ≥ 10× faster and ≥ 10×
   less memory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("/tmp/infra-mind-bench-slo-live")
LIVE_SERIES, LIVE_DAYS, SCRAPE = 1000, 7, 60.0
END = 1_790_899_200.0 + 28 * 86400  # a fixed week boundary: the cached TSDB stays valid

_CHILD = r"""
import json, sys, time
def proc(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
import requests
from analysis.params import validate
from analysis.slo.params import SloParams
from analysis.slo import pipeline
received = [0]
_send = requests.Session.send
def send(self, req, **kw):  # count the HTTP bodies the server sends (decompressed)
    r = _send(self, req, **kw)
    received[0] += len(r.content)
    return r
requests.Session.send = send
mode, url, catalog, at = sys.argv[1:5]
p = validate(SloParams, {"catalog": catalog, "source": "prometheus", "prometheus_url": url, "evaluation_time": at,
                         "step_s": 60, "live_mode": mode, "pushdown_step_s": 300, "timeout_s": 600})
base = proc("VmHWM")
t = time.perf_counter()
ev = pipeline.run(p)
dt = time.perf_counter() - t
rep = ev.reports[0]
print(json.dumps({"seconds": dt, "peak_rss": proc("VmHWM"), "baseline_rss": base, "bytes": received[0],
                  "valid": rep.valid_events, "bad": rep.bad_events, "samples": ev.samples_info["samples"]}))
"""

CATALOG = """
service: bench
slos:
  - name: availability
    target: 99.9
    window: 7d
    sli: {ratio: {good: 'http_requests_total{status!~"5.."}', total: http_requests_total}}
"""


def bench_rules() -> dict:
    from analysis.slo.catalog import load_catalog
    from analysis.slo.rules import bucket_labels, rule_set
    from analysis.slo.sources import rulefiles
    from analysis.slo.sources.export import load_exports

    labels = load_exports([ROOT / "data" / "prometheus"]).labels
    slos = load_catalog(ROOT / "slo" / "infra_mind.yaml")
    t = time.perf_counter()
    rules = rule_set(slos, buckets=bucket_labels(labels))
    gen = time.perf_counter() - t  # generation only: writing the file is I/O, not what the target is about
    with tempfile.TemporaryDirectory() as d:
        path = rulefiles.write_rules(rules, d, "infra_mind")
        check = rulefiles.check_rules(path) if rulefiles.promtool_path() else None
    print(f"rules: {rules.rule_count} rules for {len(rules.plans)} of {len(slos)} SLOs in {gen * 1000:.0f} ms "
          f"(target ≤ 1 s); promtool check: {check.summary if check else 'promtool not installed'}")
    return {"rules_generation_s": gen, "rules": rules.rule_count, "promtool_check_ok": bool(check and check.ok)}


def _grouped_export(path: Path, groups: int = 200) -> int:
    from analysis.samples.prometheus_files import write_query_range

    rng = np.random.default_rng(12)
    ts = 1_790_899_200.0 + 300.0 * np.arange(30 * 288 + 1)
    parts = []
    for g in range(groups):
        ok = np.cumsum(rng.poisson(300, ts.size)).astype(float)
        bad = np.cumsum(rng.poisson(0.3 * (1 + g % 7), ts.size)).astype(float)
        parts += [({"__name__": "http_requests_total", "endpoint": f"/e{g:03d}", "status": "200"}, ts, ok),
                  ({"__name__": "http_requests_total", "endpoint": f"/e{g:03d}", "status": "500"}, ts, bad)]
    with path.open("w") as fh:
        write_query_range(parts, fh)
    return sum(p[1].size for p in parts)


def bench_groups() -> dict:
    from analysis.slo.catalog import load_catalog
    from analysis.slo.evaluate import evaluate
    from analysis.slo.sources.export import load_export

    out = {}
    with tempfile.TemporaryDirectory() as d:
        export = Path(d) / "groups.json"
        n = _grouped_export(export)
        for name, extra in (("ungrouped", ""), ("grouped", "    group_by: [endpoint]\n")):
            cat = Path(d) / f"{name}.yaml"
            cat.write_text(CATALOG.replace("7d", "30d") + extra)
            t = time.perf_counter()
            samples = load_export(export)
            t1 = time.perf_counter()
            ev = evaluate(load_catalog(cat), samples)
            t2 = time.perf_counter()
            out[name] = {"total_s": t2 - t, "evaluate_s": t2 - t1, "slos": len(ev.results)}
    ratio = out["grouped"]["total_s"] / out["ungrouped"]["total_s"]
    ev_ratio = out["grouped"]["evaluate_s"] / out["ungrouped"]["evaluate_s"]
    print(f"groups: {n:,} samples; ungrouped {out['ungrouped']['total_s']:.2f} s (evaluate "
          f"{out['ungrouped']['evaluate_s']:.2f} s), 200 groups {out['grouped']['total_s']:.2f} s (evaluate "
          f"{out['grouped']['evaluate_s']:.2f} s): load+evaluate ratio {ratio:.2f} (target ≤ 2), evaluate only {ev_ratio:.1f}")
    return {"grouped_vs_ungrouped_total": ratio, "grouped_vs_ungrouped_evaluate": ev_ratio, **{
        f"{k}_{m}": v[m] for k, v in out.items() for m in ("total_s", "evaluate_s")}}


def _live_tsdb() -> Path:
    """Backfill 1,000 series × 7 days × 60 s once (cached)."""
    from analysis.samples.prometheus_files import write_openmetrics

    tsdb = CACHE / f"tsdb-{LIVE_SERIES}x{LIVE_DAYS}d"
    if (tsdb / ".complete").exists():
        return tsdb
    shutil.rmtree(tsdb, ignore_errors=True)
    tsdb.mkdir(parents=True)
    rng = np.random.default_rng(7)
    start = END - LIVE_DAYS * 86400
    ts = start + 17 + SCRAPE * np.arange(int(LIVE_DAYS * 86400 / SCRAPE))
    inc_ok = rng.poisson(50, (LIVE_SERIES // 2, ts.size))
    inc_bad = rng.poisson(0.05, (LIVE_SERIES // 2, ts.size))
    for day in range(LIVE_DAYS):
        sl = (ts >= start + day * 86400) & (ts < start + (day + 1) * 86400)
        f = CACHE / f"day{day}.om"
        with f.open("w") as fh:
            parts = []
            for i in range(LIVE_SERIES // 2):
                for status, inc in (("200", inc_ok), ("500", inc_bad)):
                    v = np.cumsum(inc[i]).astype(float)
                    parts.append(({"__name__": "http_requests_total", "instance": f"i{i % 50:02d}",
                                   "endpoint": f"/e{i // 50:02d}", "status": status}, ts[sl], v[sl]))
            write_openmetrics(parts, fh)
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(f), str(tsdb)],
                       check=True, capture_output=True, timeout=3600)
        f.unlink()
        print(f"  backfilled day {day + 1}/{LIVE_DAYS}", flush=True)
    (tsdb / ".complete").write_text("ok")
    return tsdb


def bench_live() -> dict:
    if not shutil.which("prometheus") or not shutil.which("promtool"):
        print("live: prometheus/promtool not installed: skipped")
        return {}
    sys.path.insert(0, str(ROOT))
    from tests.integration.prom_oracle import PromServer
    from analysis.timeparse import iso

    tsdb = _live_tsdb()
    work = Path(tempfile.mkdtemp(prefix="bench-slo-live-"))
    server = PromServer(tsdb, work)
    server.start()
    cat = work / "catalog.yaml"
    cat.write_text(CATALOG)
    res = {}
    try:
        for mode in ("pushdown", "raw"):
            out = subprocess.run([sys.executable, "-c", _CHILD, mode, server.url, str(cat), iso(END)], check=True,
                                 capture_output=True, text=True, timeout=3600)
            res[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            r = res[mode]
            print(f"  {mode:8s} {r['seconds']:7.1f} s  read {r['bytes'] / 1e6:8.1f} MB  peak RSS {r['peak_rss'] / 1e6:6.0f} MB "
                  f"(baseline {r['baseline_rss'] / 1e6:.0f} MB)  valid {r['valid']:,.0f}  samples {r['samples']:,}", flush=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    raw, push = res["raw"], res["pushdown"]
    figures = {"raw_s": raw["seconds"], "pushdown_s": push["seconds"], "speedup": raw["seconds"] / push["seconds"],
               "raw_bytes": raw["bytes"], "pushdown_bytes": push["bytes"], "bytes_ratio": raw["bytes"] / push["bytes"],
               "raw_peak_rss_mb": raw["peak_rss"] / 1e6, "pushdown_peak_rss_mb": push["peak_rss"] / 1e6,
               "memory_ratio_above_baseline": (raw["peak_rss"] - raw["baseline_rss"]) / max(
                   push["peak_rss"] - push["baseline_rss"], 1),
               "valid_events_pushdown_vs_raw": push["valid"] / raw["valid"] - 1}
    print(f"live: pushdown {figures['speedup']:.1f}x faster (goal ≥ 10), {figures['bytes_ratio']:.0f}x fewer bytes, "
          f"{figures['memory_ratio_above_baseline']:.1f}x less memory above the interpreter baseline (goal ≥ 10); "
          f"valid events differ by {100 * figures['valid_events_pushdown_vs_raw']:+.3f} %")
    return figures


def main() -> dict:
    return {"rules": bench_rules(), "groups": bench_groups(), "live": bench_live()}


if __name__ == "__main__":
    main()
