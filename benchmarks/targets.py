"""Targets beside measured ratios: ``make bench`` says plainly which are met and which are missed.

A ratio is measured several times side by side (the machine is shared); the line gives the median,
the range and the target, and ``MISSED by N %`` when the median is under it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def verdict_line(label: str, ratios: Sequence[float], target: float, *, higher_is_better: bool = True,
                 unit: str = "×") -> str:
    """One line: label, median (range), target, met / MISSED by how much."""
    med = statistics.median(ratios)
    lo, hi = min(ratios), max(ratios)
    ok = med >= target if higher_is_better else med <= target
    if ok:
        state = "met"
    else:
        by = (target - med) / target if higher_is_better else (med - target) / target
        state = f"MISSED by {by * 100:.0f} %"
    cmp = "≥" if higher_is_better else "≤"
    return f"  {label:<58} {med:6.2f}{unit} (range {lo:.2f}–{hi:.2f}, n={len(ratios)})  target {cmp} {target:g}{unit}  {state}"


def summary(lines: Sequence[str]) -> str:
    """The closing line: how many targets were met, which were missed."""
    missed = [ln.split("  target")[0].strip() for ln in lines if "MISSED" in ln]
    if not missed:
        return f"targets: all {len(lines)} met"
    return f"targets: {len(lines) - len(missed)} of {len(lines)} met; MISSED: " + "; ".join(m.split("  ")[0] for m in missed)
