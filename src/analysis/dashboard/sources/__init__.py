"""Everything notebook 02 reads from or writes to a server.

:mod:`.engine` (mongomock or a real MongoDB, scratch-database loads), :mod:`.explain`
(``explain("executionStats")`` on a real MongoDB and its parsing) and :mod:`.redis`
(connection, the service's cache-aside and the time-compressed replay).
"""
