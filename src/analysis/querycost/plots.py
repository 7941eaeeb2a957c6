"""Figures of the query cost audit (matplotlib; the caller displays them).

Every figure's title names its source (synthetic sample / files / live server) and what
was measured, so a figure cut out of the report still says where it came from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from ..escape import mpl_text


def _label(row: pd.Series, width: int = 70) -> str:
    coll = str(row["ns"]).split(".", 1)[-1]
    text = f"{coll} {row['op']} {row['shape']}"
    return mpl_text(text if len(text) <= width else text[: width - 1] + "…")


def time_share_chart(digest: pd.DataFrame, *, top_n: int = 12, source: str = "") -> Figure:
    """Horizontal bars: share of total query time per shape (top N by total time)."""
    top = digest.head(top_n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(top) + 1.6))
    colors = np.where(top["collscan"] > 0, "#cf222e", np.where(top["in_memory_sort"] > 0, "#bf8700", "#0969da"))
    ax.barh([_label(r) for _, r in top.iterrows()], top["share_of_time"] * 100, color=colors)
    for y, (share, plan) in enumerate(zip(top["share_of_time"], top["plan_summary"])):
        ax.text(share * 100, y, mpl_text(f" {share:.1%}  {plan}"), va="center", fontsize=7)
    ax.set_xlabel("share of total query time (%)  — red: COLLSCAN, amber: in-memory SORT, blue: index")
    ax.set_title(mpl_text(f"Query time by shape (sum of durations per shape)\nsource: {source}"), fontsize=10)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlim(0, max(100.0, float(top["share_of_time"].max() * 100) * 1.35) if len(top) else 100)
    fig.tight_layout()
    return fig


def examined_vs_returned(digest: pd.DataFrame, *, source: str = "", ratio: float = 10.0) -> Figure:
    """Log-log scatter: documents examined vs returned per execution, one point per shape."""
    fig, ax = plt.subplots(figsize=(8, 6))
    d = digest[digest["docs_examined"].notna() & digest["nreturned"].notna()]
    ex = np.maximum(d["docs_examined"] / d["count"], 0.5)  # 0 plotted at 0.5 on the log axis
    ret = np.maximum(d["nreturned"] / d["count"], 0.5)
    size = 20 + 200 * d["share_of_time"].to_numpy()
    colors = np.where(d["collscan"] > 0, "#cf222e", np.where(d["in_memory_sort"] > 0, "#bf8700", "#0969da"))
    ax.scatter(ret, ex, s=size, c=colors, alpha=0.7, edgecolors="k", linewidths=0.4)
    lim = [0.4, max(float(ex.max()) if len(ex) else 1.0, float(ret.max()) if len(ret) else 1.0) * 2]
    ax.plot(lim, lim, color="grey", lw=0.8, label="examined = returned")
    ax.plot(lim, [v * ratio for v in lim], color="grey", lw=0.8, ls="--", label=f"examined = {ratio:g} × returned")
    labelled = d.assign(_x=ret, _y=ex).sort_values("share_of_time", ascending=False).head(6)
    for i, (_, r) in enumerate(labelled.iterrows()):
        ax.annotate(mpl_text(f"{str(r['ns']).split('.', 1)[-1]} {r['op']} ({r['share_of_time']:.0%})"),
                    (r["_x"], r["_y"]), fontsize=7, xytext=(4, 6 + 11 * (i % 3)), textcoords="offset points",
                    arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "grey"})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents returned per execution (0 shown at 0.5)")
    ax.set_ylabel("documents examined per execution (0 shown at 0.5)")
    ax.set_title(mpl_text(f"Examined vs returned per shape (size: share of time; red COLLSCAN, amber SORT)\n"
                        f"source: {source}"), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def timeline_chart(timeline: pd.DataFrame, *, source: str = "") -> Figure:
    """Per-minute count (top) and p95 (bottom, log scale) of all application queries and the top shapes.

    ``timeline`` is :attr:`analysis.querycost.result.QueryCostResult.timeline`; the p95 comes from
    log-spaced bins (within about 1 % of the exact value), so a slow period stands out.
    """
    fig, (ax_n, ax_p) = plt.subplots(2, 1, figsize=(10, 6.4), sharex=True)
    for i, (label, g) in enumerate(timeline.groupby("label", sort=False)):
        style = {"color": "black", "lw": 1.6} if i == 0 else {"lw": 1.0, "alpha": 0.85}
        minute = g["minute"].dt.tz_localize(None)
        ax_n.plot(minute, g["count"], label=mpl_text(label), **style)
        ax_p.plot(minute, g["p95_ms"], **style)
    ax_n.set_ylabel("operations per minute")
    ax_p.set_ylabel("p95 per minute (ms, log)")
    ax_p.set_yscale("log")
    ax_p.set_xlabel("minute (UTC)")
    ax_n.legend(fontsize=7, loc="upper left", ncol=1)
    ax_n.set_title(mpl_text(f"Timeline of application queries (p95 from log-spaced bins, ±1 %)\nsource: {source}"),
                   fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
