"""The MongoDB edge: the only place that talks to or about MongoDB.

* :mod:`.client` — bounded, read-only connection; URI redaction in errors;
* :mod:`.queries` — the dashboard's planned queries, as data (what is run is what is explained);
* :mod:`.commands` — a planned query's wire command, its explain command, its execution;
* :mod:`.planner` — how the query planner can use an index (predicates, index fit, choice).
"""
