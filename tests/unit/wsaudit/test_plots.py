"""The latency figure: one bar series per target, one row per probe."""

from __future__ import annotations

import matplotlib.pyplot as plt

from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.plots import plot_latency


def test_latency_bars(make_audit):
    fig = plot_latency({"secure": make_audit({}), "vulnerable": make_audit({"identity": "FAIL"})})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["01 baseline", "02 no_token"]
    assert len(ax.get_yticklabels()) == len(PROBES) and len(ax.containers) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["secure", "vulnerable"]
    assert all(bar.get_width() == 1.0 for bar in ax.containers[0])
    plt.close(fig)
