"""Whole WebSocket probe battery against in-process reference targets (budget: ≤ 10 s wall).

Side by side: the battery as shipped (concurrent probes, semaphore 8) vs the same battery
with one connection at a time, against the secure and the vulnerable target; plus the
battery without the expiry probe (14), which waits ~1–3 s for a token to expire.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.keys import generate_secret, load_keys
from analysis.wsaudit.profile import load_profile
from analysis.wsaudit.sources.reference_target import reference_target

BUDGET_S = 10.0
REPEATS = 3


async def _once(mode: str, concurrency: int, probes: list[str] | None) -> float:
    secret = generate_secret()
    base = load_profile("profiles/infra_mind.yaml")
    async with reference_target(mode, secret, base) as t:
        p = replace(base.with_url(t.url), concurrency=concurrency)
        t0 = time.perf_counter()
        audit = await run_battery(p, load_keys(p, secret=secret), probes=probes)
        wall = time.perf_counter() - t0
    assert len(audit.results) == (len(probes) + 1 if probes else 21)
    return wall


def main() -> dict:
    no_expiry = [p for p in PROBE_IDS if p not in ("baseline", "expiry_open")]
    rows = []
    for mode in ("secure", "vulnerable"):
        for label, conc, probes in (("concurrent (8)", 8, None), ("sequential (1)", 1, None),
                                    ("concurrent, no probe 14", 8, no_expiry)):
            walls = [asyncio.run(_once(mode, conc, probes)) for _ in range(REPEATS)]
            rows.append({"target": mode, "battery": label, "median_s": statistics.median(walls), "max_s": max(walls)})
    print(f"{'target':<11} {'battery':<25} {'median s':>9} {'max s':>7} {'vs 10 s budget':>15}")
    for r in rows:
        print(f"{r['target']:<11} {r['battery']:<25} {r['median_s']:9.2f} {r['max_s']:7.2f} "
              f"{r['max_s'] / BUDGET_S:14.0%}")
    out: dict = {}
    for mode in ("secure", "vulnerable"):
        conc = next(r for r in rows if r["target"] == mode and r["battery"] == "concurrent (8)")
        seq = next(r for r in rows if r["target"] == mode and r["battery"] == "sequential (1)")
        speedup = seq["median_s"] / conc["median_s"]
        print(f"{mode}: concurrency speed-up {speedup:.1f}×; full battery max {conc['max_s']:.2f} s "
              f"({'within' if conc['max_s'] <= BUDGET_S else 'OVER'} the {BUDGET_S:g} s budget)")
        out[f"{mode}_full_median_s"] = round(conc["median_s"], 3)
        out[f"{mode}_full_max_s"] = round(conc["max_s"], 3)
        out[f"{mode}_sequential_median_s"] = round(seq["median_s"], 3)
        out[f"{mode}_speedup"] = round(speedup, 2)
    out["within_budget"] = all(r["max_s"] <= BUDGET_S for r in rows if r["battery"] == "concurrent (8)")
    return out


if __name__ == "__main__":
    main()
