"""Whole WebSocket probe battery (28 probes) against the in-process reference targets, and against silent servers.

Budgets (issue 13): the full battery against each reference target ≤ 10 s wall; against a
silent server with 0.3 s timeouts the battery ends ≤ 3 s after its deadline.

Side by side: the battery as shipped (concurrent probes, semaphore 8) vs one connection at
a time, against ``secure``, ``vulnerable``, ``pubsub`` and ``pubsub_header``; then three
silent servers with ``reply_timeout_s`` 0.3 and a 2 s deadline: one that accepts and never
answers (the baseline fails, the rest is N/A), the same audited without key material (every
probe runs), and one that answers the baseline and then hangs every connection; each must end
≤ 3 s after the deadline. A timed battery must be a real one: every probe finishes and the
reference target behaves as its control (checked on every timed run).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.checklist import PROBE_IDS
from analysis.wsaudit.keys import generate_keys, load_keys
from analysis.wsaudit.profile import load_profile
from analysis.wsaudit.report import controls
from analysis.wsaudit.sources.reference_target import ReferenceTarget
from analysis.wsaudit.sources.targets import PUBSUB_MODES, reference_target

BUDGET_S = 10.0
SILENT_OVERSHOOT_S = 3.0
REPEATS = 3
TARGETS = ("secure", "vulnerable", "pubsub", "pubsub_header")


def _profile(mode: str):
    return load_profile("profiles/pubsub.yaml" if mode in PUBSUB_MODES else "profiles/infra_mind.yaml")


async def _once(mode: str, concurrency: int) -> float:
    base = _profile(mode)
    keys = generate_keys(base)
    async with reference_target(mode, keys, base) as t:
        p = replace(base.with_url(t.url), concurrency=concurrency)
        t0 = time.perf_counter()
        audit = await run_battery(p, keys)
        wall = time.perf_counter() - t0
    # a fast battery must also be a real one: every probe ran to a verdict and the control behaved
    unfinished = [r.id for r in audit.results if "did not finish before" in r.evidence]
    assert len(audit.results) == len(PROBE_IDS) and not unfinished, unfinished
    assert not controls({mode: audit}), controls({mode: audit})
    return wall


async def _silent_run(keyless: bool, hang_after_baseline: bool, deadline_s: float) -> float:
    """Battery wall time against a server that accepts and then never answers (optionally after one baseline)."""
    calls = {"n": 0}

    class Silent(ReferenceTarget):
        async def _handler(self, ws):
            calls["n"] += 1
            if hang_after_baseline and calls["n"] == 1:
                return await super()._handler(ws)
            await ws.wait_closed()

    base = load_profile("profiles/infra_mind.yaml")
    async with Silent("secure", "bench-secret-0123456789abcdef0123456789") as t:
        p = replace(base.with_url(t.url), reply_timeout_s=0.3, deadline_s=deadline_s)
        keys = load_keys(replace(p, secret_env="WS_AUDIT_BENCH_UNSET")) if keyless else \
            load_keys(p, secret="bench-secret-0123456789abcdef0123456789")
        t0 = time.perf_counter()
        await run_battery(p, keys)
        return time.perf_counter() - t0


def _silent_rows() -> list[dict]:
    rows = []
    for label, keyless, hang, deadline in (("silent, baseline fails", False, False, 2.0),
                                           ("silent, no key (all probes run)", True, False, 2.0),
                                           ("baseline answered, then hangs", False, True, 2.0)):
        walls = [asyncio.run(_silent_run(keyless, hang, deadline)) for _ in range(REPEATS)]
        rows.append({"server": label, "deadline_s": deadline, "max_s": max(walls),
                     "overshoot_s": max(0.0, max(walls) - deadline)})
    return rows


def main() -> dict:
    rows = []
    for mode in TARGETS:
        walls = [asyncio.run(_once(mode, 8)) for _ in range(REPEATS)]
        seq = asyncio.run(_once(mode, 1))
        rows.append({"target": mode, "median_s": statistics.median(walls), "max_s": max(walls), "sequential_s": seq})
    print(f"{'target':<14} {'median s':>9} {'max s':>7} {'vs 10 s':>8} {'sequential s':>13} {'speed-up':>9}")
    for r in rows:
        print(f"{r['target']:<14} {r['median_s']:9.2f} {r['max_s']:7.2f} {r['max_s'] / BUDGET_S:8.0%} "
              f"{r['sequential_s']:13.2f} {r['sequential_s'] / r['median_s']:8.1f}×")
    silent = _silent_rows()
    print(f"\n{'silent server (0.3 s timeouts)':<34} {'deadline s':>10} {'max s':>7} {'after deadline s':>17}")
    for r in silent:
        print(f"{r['server']:<34} {r['deadline_s']:10.1f} {r['max_s']:7.2f} {r['overshoot_s']:17.2f}")
    out: dict = {f"{r['target']}_full_max_s": round(r["max_s"], 3) for r in rows}
    out.update({f"{r['target']}_sequential_s": round(r["sequential_s"], 3) for r in rows})
    out["silent_max_s"] = {r["server"]: round(r["max_s"], 3) for r in silent}
    out["within_budget"] = all(r["max_s"] <= BUDGET_S for r in rows)
    out["silent_within_budget"] = all(r["overshoot_s"] <= SILENT_OVERSHOOT_S for r in silent)
    print(f"\nfull battery within {BUDGET_S:g} s: {out['within_budget']}; silent servers end "
          f"≤ {SILENT_OVERSHOOT_S:g} s after their deadline: {out['silent_within_budget']}")
    return out


if __name__ == "__main__":
    main()
