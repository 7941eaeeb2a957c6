"""Internal operations told apart from application queries (pure classification, no I/O).

On a replica-set member most slow COLLSCANs are replication, not the application: the
``OplogFetcher`` of each secondary tails ``local.oplog.rs`` with tailable, awaitData
getMores that scan the oplog by design. Such operations are reported in their own table
and kept out of scan findings and index advice. A row's category (``""`` for an
application query):

============== ==============================================================================
category       rule (first match wins)
============== ==============================================================================
oplog          namespace ``local.oplog.rs``, or ``appName`` ``OplogFetcher`` / the command is a
               tailable awaitData cursor on ``local.*``
local          any other ``local.*`` namespace (replication state, startup log)
config         ``config.*`` (sharding metadata, sessions, chunk migrations)
admin          ``admin.*`` (system commands, users, roles)
ttl            logged by the TTL monitor (``ctx`` ``TTLMonitor``)
balancer       logged by the balancer or a chunk migration (``ctx`` ``Balancer``, ``MoveChunk``...)
health check   ``appName`` of a monitoring or automation agent (:data:`HEALTH_APPS`)
system         a ``<db>.system.*`` collection (profile, views, js)
============== ==============================================================================
"""

from __future__ import annotations

import re

#: appName patterns of monitoring, backup and automation agents (health checks), case-insensitive.
HEALTH_APPS = re.compile(
    r"automation agent|monitoring (agent|module)|backup agent|cps module|mongodb agent|mongodb_exporter|"
    r"percona|\bpmm\b|datadog|new ?relic|dynatrace|zabbix|nagios|prometheus|health[ -_]?check|kube-probe|"
    r"mongodb ops manager|mms", re.IGNORECASE)
#: Logging contexts (thread names) of internal work.
_CTX = (("TTLMonitor", "ttl"), ("Balancer", "balancer"), ("MoveChunk", "balancer"), ("migrateThread", "balancer"),
        ("range-deleter", "balancer"), ("RangeDeleter", "balancer"))
_PREFIX = {"local": "local", "config": "config", "admin": "admin"}
#: Application categories (an empty string) and every internal category, in table order.
CATEGORIES = ("oplog", "local", "config", "admin", "ttl", "balancer", "health check", "system")


class Classifier:
    """Category of an operation from its namespace, appName, logging context and command.

    Results are cached per namespace and appName for client connections (``ctx`` ``conn<N>``,
    or none), per (namespace, appName, context) for the server's own threads: the only inputs
    besides the rare tailable cursor; a busy log repeats a handful of them.
    """

    MAX = 4096

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, str]] = {}  # ns → app → category, for client connections
        self._other: dict[tuple[str, str, str], str] = {}  # (ns, app, ctx) for internal threads

    def __call__(self, ns: str, app: str, ctx: str, command: dict | None = None) -> str:
        """The category (``""``: an application query).

        Parameters
        ----------
        ns : str
            ``db.collection`` of the operation.
        app : str
            Its ``appName`` (``""`` when absent).
        ctx : str
            The log line's ``ctx`` (``""`` for a profile entry).
        command : dict, optional
            The (originating) command, for the tailable-cursor rule.
        """
        return self.category(ns, app, ctx, bool(command and command.get("tailable") and command.get("awaitData")))

    def category(self, ns: str, app: str, ctx: str, tailable_await: bool = False) -> str:
        """The category, the command given as whether it is a tailable awaitData cursor (see :meth:`__call__`)."""
        if not ctx or ctx.startswith("conn"):  # a client connection: the context says nothing
            by_app = self._cache.get(ns)
            if by_app is None:
                by_app = self._cache[ns] = {} if len(self._cache) < self.MAX else self._cache.clear() or {}
            hit = by_app.get(app)
            if hit is None:
                hit = by_app[app] = classify(ns, app, "")
        else:
            key = (ns, app, ctx)
            hit = self._other.get(key)
            if hit is None:
                if len(self._other) >= self.MAX:
                    self._other.clear()
                hit = self._other[key] = classify(ns, app, ctx)
        if hit == "local" and tailable_await:
            return "oplog"
        return hit


def classify(ns: str, app: str, ctx: str) -> str:
    """The category by the table of the module docstring (without the tailable-cursor rule).

    Examples
    --------
    >>> classify("local.oplog.rs", "", "conn12"), classify("infra_mind.reports", "OplogFetcher", "conn3")
    ('oplog', 'oplog')
    >>> classify("infra_mind.sessions", "", "TTLMonitor"), classify("infra_mind.a", "infra-mind-api", "conn9")
    ('ttl', '')
    """
    if ns == "local.oplog.rs" or app.startswith("OplogFetcher"):
        return "oplog"
    db, _, coll = ns.partition(".")
    if db in _PREFIX:
        return _PREFIX[db]
    for prefix, category in _CTX:
        if ctx.startswith(prefix):
            return category
    if app and HEALTH_APPS.search(app):
        return "health check"
    if coll.startswith("system."):
        return "system"
    return ""
