"""The MongoDB edge: the only place that talks to or about MongoDB.

* :mod:`.client` — bounded connection, read-only by default; URI redaction;
* :mod:`.queries` — the dashboard's planned queries, as data (what is run is what is explained);
* :mod:`.commands` — a planned query's wire command, its explain command, its execution;
* :mod:`.planner` — how the query planner can use an index (predicates, index fit, choice);
* :mod:`.ejson` — Extended JSON as tools write it (Compass, shells), decoded leniently;
* :mod:`.explain` — the one explain parser (``summarize_explain``, MongoDB 3.6 → 8.0) and runner (``explain_all``).
"""
