"""Figures of WebSocket audits (matplotlib)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .battery import LAST
from .checklist import PROBES
from .result import Audit

#: Checklist number of each probe id.
NUMBER = {p.id: p.n for p in PROBES}


def plot_latency(audits: dict[str, Audit]) -> Figure:
    """Horizontal bars: wall time of each probe per target.

    Parameters
    ----------
    audits : dict
        Target name → :class:`~analysis.wsaudit.result.Audit`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ids = [f"{p.n:02d} {p.id}" for p in PROBES]
    fig, ax = plt.subplots(figsize=(8, 2 + 0.22 * len(ids)))
    height = 0.8 / max(1, len(audits))
    for i, (name, a) in enumerate(audits.items()):
        ms = {f"{r.n:02d} {r.id}": r.ms for r in a.results}
        ax.barh([j + i * height for j in range(len(ids))], [ms.get(k, 0.0) for k in ids], height=height, label=name)
    ax.set_yticks([j + 0.4 - height / 2 for j in range(len(ids))], ids, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("probe wall time (ms, symlog)")
    ax.set_title("Probe wall time per target — live WebSocket connections (websockets client) to the targets;\n"
                 f"probes run concurrently, {'/'.join(str(NUMBER[i]) for i in LAST)} one after another; "
                 f"{NUMBER['expiry_open']} waits for a token to expire (+ grace), {NUMBER['revocation']} for the "
                 "revoke grace", fontsize=9)
    ax.legend()
    fig.tight_layout()
    return fig
