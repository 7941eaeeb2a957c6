"""Notebook 02: full scan vs aggregation for the dashboard, and the Redis cache in front of it.

``params`` (typed parameters), ``sources`` (``engine``: mongomock or MongoDB; ``redis``: connection, cache-aside,
replay; explains go through :mod:`analysis.mongodb.explain`), ``strategies``
(execute the planned queries of :mod:`analysis.mongodb.queries` → ``DashboardOverview``),
``equivalence`` (diff vs legacy, JSON-serializability), ``measure`` (client-side cost),
``claims`` (seed claims vs measurements), ``cache`` (hit-rate model and simulation),
``result`` (the result types), ``pipeline`` (``run(params) -> DashboardResult``),
``report`` (tables and the verdict), ``plots``, ``cli``.
"""
