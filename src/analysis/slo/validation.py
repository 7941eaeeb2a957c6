"""Check a catalog against the data: unknown metrics, labels no series carries, thresholds off the buckets."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from ..promql import Selector
from .objectives import SLO, bucket_at, le_value
from .series import Samples


@dataclass
class Validation:
    """Per-SLO result of checking a catalog against the data."""

    missing: dict[str, str] = field(default_factory=dict)    # SLO → reason (NO_DATA)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def _check_selector(slo: SLO, sel: Selector, series: list[dict[str, str]], where: str) -> list[str]:
    """Warnings for one selector of ``slo`` over the ``series`` of its metric (errors raise)."""
    warns: list[str] = []
    present = set().union(*(lab.keys() for lab in series))
    if not any(sel.matches(lab) for lab in series):
        warns.append(f"selector {sel} matches no series of {sel.metric} (counted as 0 events)")
    for m in sel.matchers:
        if m.label not in present and m.requires_label:
            raise ConfigError(f"{where}: SLO {slo.name}: selector {sel} uses label {m.label!r} "
                              f"which no {sel.metric} series has (labels: {', '.join(sorted(present - {'__name__'}))})")
        if m.label not in present:
            warns.append(f"selector {sel} matches on label {m.label!r}, absent from every series")
    if slo.sli.kind == "latency":
        if "le" not in present:
            raise ConfigError(f"{where}: SLO {slo.name}: {sel.metric} series have no 'le' label (not a histogram)")
        thr = slo.sli.threshold_s
        exact, lo, hi = bucket_at({b for lab in series if (b := le_value(lab.get("le"))) is not None}, thr)
        if exact is None:
            warns.append(f"threshold {thr:g} s is not a bucket boundary of {slo.sli.metric} "
                         f"(neighbours {lo} and {hi}): SLI reported as bounds"
                         + (", interpolated value used" if slo.sli.interpolate else ""))
    return warns


def _check_group_by(slo: SLO, by_metric: dict[str, list[dict[str, str]]], where: str) -> None:
    """A ``group_by`` label that no series the SLO reads carries: one line."""
    present = set().union(*(lab.keys() for sel in slo.sli.selectors() for lab in by_metric.get(sel.metric, [])))
    for label in slo.group_by:
        if label not in present:
            raise ConfigError(f"{where}: SLO {slo.name}: group_by label {label!r} is on no series the SLO reads "
                              f"(labels: {', '.join(sorted(present - {'__name__', 'le'})) or 'none'})")


def validate_against(slos: list[SLO], samples: Samples | list[dict[str, str]], *, where: str = "catalog") -> Validation:
    """Check every SLO's metrics and labels against the data.

    A ``group_by`` label no series of the SLO carries raises. Unknown metrics raise unless the SLO is marked ``not_exported`` (then it is NO_DATA
    with that reason). Positive matchers on labels no series of the metric carries
    raise. Latency thresholds that are not bucket boundaries become warnings.

    Parameters
    ----------
    slos : list of SLO
        The catalog.
    samples : Samples or list of dict
        The data, or only the label sets of its series (a live server's ``/api/v1/series``).
    where : str
        The catalog, for error messages.

    Returns
    -------
    Validation

    Raises
    ------
    ConfigError
        One line naming the catalog, the SLO, the selector and the problem.
    """
    by_metric: dict[str, list[dict[str, str]]] = {}
    for lab in samples.labels if isinstance(samples, Samples) else samples:
        by_metric.setdefault(lab.get("__name__", ""), []).append(lab)
    out = Validation()
    for slo in slos:
        warns: list[str] = []
        for sel in slo.sli.selectors():
            series = by_metric.get(sel.metric)
            if not series:
                if slo.not_exported:
                    out.missing[slo.name] = (f"metric {sel.metric} is not in the data: {slo.not_exported}")
                    break
                near = sorted(m for m in by_metric if m.split("_")[0] == sel.metric.split("_")[0])[:3]
                hint = f" (similar: {', '.join(near)})" if near else ""
                raise ConfigError(f"{where}: SLO {slo.name}: metric {sel.metric} not found in the data{hint}; "
                                  "fix the name or mark the SLO not_exported")
            warns.extend(_check_selector(slo, sel, series, where))
        if slo.group_by and slo.name not in out.missing and slo.sli.selectors():
            _check_group_by(slo, by_metric, where)
        if warns:
            out.warnings[slo.name] = warns
    return out
