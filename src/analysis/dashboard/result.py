"""What notebook 02's pipeline returns: the sweep's measurements, derived tables and the cache analysis.

Plain data (no computation, no I/O), so :mod:`.report` and :mod:`.plots` can read a result
without importing the pipeline and its sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .equivalence import Difference
from .strategies import DashboardOverview


@dataclass
class CacheReport:
    """The cache analysis: model vs simulation vs Redis replay, staleness, uncacheable payloads.

    Attributes
    ----------
    engine : str
        The Redis the replay ran on (label, URI redacted).
    tolerance : float
        Agreement required between model, simulation and replay (hit-ratio points).
    agreement : DataFrame
        One row per mean reload interval: model, simulation, replay, max_abs_diff, within_tolerance.
    curve : DataFrame
        Model hit ratio per (reload interval, TTL).
    staleness : DataFrame
        Without and with invalidation on write: hit ratio and stale share (simulation, replay).
    uncacheable : DataFrame
        Each strategy's overview as the cached value: serializable, reads, hits, set failures.
    required_interval_s : float
        Mean reload interval per user needed for 80 % hits at the overview TTL.
    """

    engine: str
    tolerance: float
    agreement: pd.DataFrame
    curve: pd.DataFrame
    staleness: pd.DataFrame
    uncacheable: pd.DataFrame
    required_interval_s: float

    @property
    def agrees(self) -> bool:
        """Whether model, simulation and replay agree within the tolerance at every interval."""
        return bool(self.agreement["within_tolerance"].all())


@dataclass
class DashboardResult:
    """Everything notebook 02 and ``scan-vs-agg`` show, from :func:`analysis.dashboard.pipeline.run`.

    Attributes
    ----------
    engine : str
        Engine label (printed on every table and figure).
    real : bool
        Whether the engine is a real MongoDB (server-side explains exist).
    profile : str
        Document size profile.
    user_id : str
        The audited user.
    rows : DataFrame
        Client-cost rows, one per (strategy, size).
    overviews : dict
        Size → strategy → :class:`DashboardOverview`.
    server : DataFrame or None
        One explain summary per executed query (real MongoDB only).
    differing_sizes : dict
        Strategy → sizes at which its overview differs from legacy.
    differences : list of Difference
        Every field where a strategy differs from legacy at the largest size.
    equivalence : DataFrame
        The same differences as a table (values shortened).
    serializability : DataFrame
        Per strategy at the largest size: can the cache store its overview.
    scaling : DataFrame
        Log-log exponent of each metric against size, per strategy.
    claims : DataFrame
        The seed's claims beside the measurements (with the cache rows when ``cache`` is set).
    cache : CacheReport or None
        The cache analysis (None when skipped).
    """

    engine: str
    real: bool
    profile: str
    user_id: str
    rows: pd.DataFrame
    overviews: dict[int, dict[str, DashboardOverview]]
    server: pd.DataFrame | None
    differing_sizes: dict[str, list[int]]
    differences: list[Difference]
    equivalence: pd.DataFrame
    serializability: pd.DataFrame
    scaling: pd.DataFrame
    claims: pd.DataFrame
    cache: CacheReport | None = None

    @property
    def sizes(self) -> list[int]:
        """The sizes measured, in the order they ran."""
        return list(self.overviews)

    @property
    def largest(self) -> int:
        """The largest size measured."""
        return max(self.overviews)
