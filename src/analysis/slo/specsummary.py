"""What a spec-sourced catalog adds to notebook 03's report: the spec's format and the defaults its reader
applied, and — for Sloth and Pyrra specs — when the spec's own alerts would have fired over the window.

Pure text from an :class:`~analysis.slo.result.Evaluation` (no math: the firing spans are the
backtest's; a Sloth page alert fires when either of its two tiers does, a Pyrra alert is one tier).
"""

from __future__ import annotations

from .result import Evaluation


def spec_lines(ev: Evaluation) -> list[str]:
    """``SLO name: Sloth prometheus/v1 (file:line); defaults: ...`` for every SLO read from a spec."""
    out = []
    for s in ev.catalog or []:
        if s.spec is None:
            continue
        notes = "; ".join(s.spec.notes) or "none"
        out.append(f"{s.name}: {s.spec.label()} ({s.spec.file}:{s.spec.line}); defaults applied: {notes}")
    return out


def _alert_of(slo, tier: str) -> str:
    a = slo.spec.alerting if slo.spec else {}
    if a.get("tool") == "sloth":
        sev = tier.split("_")[0]
        return f"{a.get('alert_name') or 'alert'} ({sev}, sloth_severity={sev})"
    if a.get("tool") == "pyrra":
        t = next((t for t in slo.alert_tiers if t.name == tier), None)
        return f"{a['alerting']['name']} (severity={t.severity}, long={tier.split('_')[1]}, short={tier.split('_')[2]})" \
            if t else tier
    return tier


def deployed_alert_lines(ev: Evaluation) -> list[str]:
    """"Had these alerts been deployed over the window, they would have fired at …", per spec alert."""
    out = []
    for res in ev.results:
        slo = res.slo
        if slo.spec is None or slo.spec.format not in ("sloth", "pyrra"):
            continue
        spans: dict[str, list[str]] = {}
        for tier, intervals in res.report.alert_backtest.items():
            spans.setdefault(_alert_of(slo, tier), []).extend(f"{s} – {e}" for s, e in intervals)
        if not spans:
            out.append(f"{res.report.name}: had its {slo.spec.label()} alerts been deployed over the window "
                       f"({res.report.window_start} – {res.report.window_end}), none would have fired")
        for alert, times in spans.items():
            out.append(f"{res.report.name}: had {alert} been deployed over the window, it would have fired at "
                       + ", ".join(sorted(times)))
    return out
