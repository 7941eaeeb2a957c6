"""Everything notebook 02 reads from or writes to a server.

:mod:`.engine` (mongomock or a real MongoDB, scratch-database loads) and :mod:`.redis`
(connection, the service's cache-aside and the time-compressed replay). Explains of a real
MongoDB go through :func:`analysis.mongodb.explain.explain_all`.
"""
