"""Notebook 02: full scan vs aggregation for the dashboard, and the Redis cache in front of it.

Modules: ``queries`` (the planned queries, single source of truth), ``dataset`` (seeded
real-schema documents), ``strategies`` (execute the plans → ``DashboardOverview``),
``equivalence`` (diff vs legacy, JSON-serializability), ``measure`` (client-side cost),
``server`` (explain on a real MongoDB), ``claims`` (seed claims vs measurements),
``cache`` (hit-rate model, simulation, Redis replay), ``engine`` (mongomock or MongoDB),
``audit`` (wiring), ``plots``, ``params``, ``cli``.
"""
