"""Figures of notebook 02; each title names the engine and the method."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .measure import EMBEDDED_LATENCY_NOTE, METHOD_DECODE, METHOD_LATENCY

_PANELS = (("decode_mem_bytes", "API-process memory to decode (bytes)", METHOD_DECODE),
           ("result_bytes", "BSON bytes received", "bson.encode of the results"),
           ("latency_ms_median", "latency (ms, median; bars = IQR)", METHOD_LATENCY))


def scaling_figure(rows: pd.DataFrame, *, engine: str, real: bool) -> plt.Figure:
    """Memory, bytes and latency against size per strategy (log-log).

    Parameters
    ----------
    rows : DataFrame
        Client-cost rows.
    engine : str
        Engine label for the title.
    real : bool
        Whether the latency is from a real server (else labelled in-process).
    """
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, (metric, label, method) in zip(axes, _PANELS):
        for strategy, g in rows.groupby("strategy", sort=False):
            g = g.sort_values("size")
            if metric == "latency_ms_median":
                ax.errorbar(g["size"], g[metric], yerr=g["latency_ms_iqr"] / 2, marker="o", capsize=3, label=strategy)
            else:
                ax.plot(g["size"], g[metric], marker="o", label=strategy)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents per collection for the user")
        ax.set_ylabel(label)
        note = "" if metric != "latency_ms_median" or real else f"\n{EMBEDDED_LATENCY_NOTE}"
        ax.set_title(f"{label.split(' (')[0]}\n{method}{note}", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Client-side cost per dashboard load — engine: {engine}", fontsize=10)
    fig.tight_layout()
    return fig


def hit_rate_figure(curve: pd.DataFrame, agreement: pd.DataFrame, *, engine: str) -> plt.Figure:
    """Hit ratio vs mean reload interval per TTL (model), with simulated and replayed points."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for ttl, g in curve.groupby("ttl_s"):
        ax.plot(g["reload_interval_s"], g["hit_ratio"], marker=".", label=f"model λT/(1+λT), TTL {ttl:g} s")
    ax.scatter(agreement["reload_interval_s"], agreement["simulation"], marker="s", s=60, facecolors="none",
               edgecolors="k", label="discrete-event simulation (TTL 60 s)")
    ax.scatter(agreement["reload_interval_s"], agreement["replay"], marker="x", s=70, c="r",
               label=f"replay on {engine} (time compressed, PX TTL)")
    ax.axhline(0.8, ls="--", c="grey", lw=1)
    ax.text(1.1, 0.82, "seed's 80 %", fontsize=8, color="grey")
    ax.set_xscale("log")
    ax.set_xlabel("mean seconds between one user's dashboard loads (1/λ)")
    ax.set_ylabel("cache hit ratio")
    ax.set_ylim(0, 1)
    ax.set_title(f"Cache-aside hit ratio (Poisson reloads per user) — model, simulation, Redis replay on {engine}",
                 fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
