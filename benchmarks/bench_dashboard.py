"""Dashboard loads side by side: the whole measurement sweep at the notebook's default sizes.

Times the sweep (embedded mongomock + bson codec) and prints, per size, the client-side figures
and their ratios legacy / strategy. Latency here is in-process mongomock (Python), not server
latency; bytes and decode cost are engine-independent.
"""

from __future__ import annotations

import time
from typing import Any


def main() -> dict[str, Any]:
    from analysis.dashboard import pipeline
    from analysis.dashboard.params import DashboardParams

    P = DashboardParams()
    t0 = time.perf_counter()
    sweep = pipeline.run(P, cache=False)
    sweep_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    cache = pipeline.run_cache(P, sweep.overviews[sweep.largest])
    cache_s = time.perf_counter() - t1
    rows = sweep.rows
    print(f"engine: {sweep.engine} (latency = client-side in-process, not server latency)")
    print(f"{'strategy':<17}{'size':>6}{'docs':>7}{'BSON kB':>10}{'decode ms':>11}{'decode MB':>11}{'lat ms':>9}"
          f"{'bytes x':>9}{'mem x':>8}{'lat x':>7}")
    figures: dict[str, Any] = {"engine": sweep.engine, "sweep_s": round(sweep_s, 2), "cache_s": round(cache_s, 2),
                               "sizes": list(P.sizes), "rows": []}
    for size, g in rows.groupby("size"):
        leg = g[g.strategy == "legacy_full_scan"].iloc[0]
        for r in g.itertuples():
            bx = leg.result_bytes / r.result_bytes
            mx = leg.decode_mem_bytes / r.decode_mem_bytes
            lx = leg.latency_ms_median / r.latency_ms_median
            print(f"{r.strategy:<17}{size:>6}{r.docs_received:>7}{r.result_bytes / 1e3:>10.1f}{r.decode_ms:>11.2f}"
                  f"{r.decode_mem_bytes / 1e6:>11.2f}{r.latency_ms_median:>9.1f}{bx:>9.0f}{mx:>8.0f}{lx:>7.2f}")
            figures["rows"].append({"strategy": r.strategy, "size": int(size), "docs": int(r.docs_received),
                                    "bson_bytes": int(r.result_bytes), "decode_ms": round(r.decode_ms, 3),
                                    "decode_mem_bytes": int(r.decode_mem_bytes),
                                    "latency_ms_median": round(r.latency_ms_median, 2),
                                    "legacy_over_strategy_bytes": round(bx, 1),
                                    "legacy_over_strategy_decode_mem": round(mx, 1)})
    # engine-independent: what the legacy load receives and decodes at the seed's sizes, both profiles
    from analysis.samples.dataset import generate_dataset
    from analysis.dashboard.measure import decode_cost, wire_bytes

    figures["legacy_decode"] = []
    for profile, n in (("realistic", 1000), ("realistic", 10000), ("heavy", 1000)):
        d = generate_dataset(users=1, docs_per_user=n, profile=profile)
        raw = wire_bytes([doc for docs in d.values() for doc in docs])
        ms, mem = decode_cost(raw)
        print(f"legacy load, {profile:<9} {n:>6} assessments (+ recs + reports): BSON {len(raw) / 1e6:6.1f} MB, "
              f"decode {ms:7.1f} ms, {mem / 1e6:6.1f} MB decoded (seed: {50 * n / 1000:.0f} MB)")
        figures["legacy_decode"].append({"profile": profile, "assessments": n, "bson_mb": round(len(raw) / 1e6, 1),
                                         "decode_ms": round(ms, 1), "decoded_mb": round(mem / 1e6, 1)})
    print(f"sweep {sweep_s:.1f} s, cache analysis {cache_s:.1f} s "
          f"(model/simulation/replay agree within ±{cache.tolerance}: {cache.agrees})")
    return figures
