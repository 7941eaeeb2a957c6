"""A real-shaped mongod 6.0 / 7.0 replica-set member's JSON log, for benchmarks (SYNTHETIC, deterministic).

The digest's speed targets are measured on logs shaped like a busy member's, not on the embedded
sample. What the mix follows (a primary of a 6.0 / 7.0 replica set logging at the default
``slowms`` of 100, as public mongod logs and MongoDB's log message reference show them):

* **awaitable hello** — every driver's monitor keeps a ``hello`` with ``maxAwaitTimeMS`` 10000 open,
  so each one is logged as a slow query of ~10 s (``admin.$cmd``, ``topologyVersion``, many clients);
* **getMore** — the secondaries' ``OplogFetcher`` tails ``local.oplog.rs`` (tailable, awaitData, its
  ``originatingCommand`` a ``find`` with ``$timestamp`` bounds), change streams and cursors of the
  application's finds and aggregations;
* **find / aggregate** of the application — long commands: ``lsid``, ``$clusterTime`` with its
  signature, ``$readPreference``, ``readConcern``; filters with many distinct values per shape
  (tenant and user ids, numeric order ids, date bounds, ``$in`` lists of varying length), sorts,
  projections, limits; pipelines with ``$match`` / ``$lookup`` / ``$group`` / ``$sort`` / ``$facet``;
* a few updates, counts, distincts, finds-and-modify, write batches and inserts (counted, skipped);
* ~12 % other lines: connections accepted / ended, client metadata, authentication, checkpoints.

Per line: ``locks``, ``storage.data.bytesRead``, ``queryHash`` / ``planCacheKey``, ``queryFramework``,
``remote``; 7.0 adds ``queues`` (ticket admissions), ``cpuNanos`` and ``planningTimeMicros``.
A line is ~0.9 KiB on average (long commands), like the public 6.0 logs the issue measured.
Everything comes from one seeded :class:`random.Random`: the same arguments write the same bytes.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

#: Line kinds and their weights (per 1000 lines).
MIX = (("hello", 330), ("getmore_oplog", 120), ("getmore_app", 90), ("find", 220), ("aggregate", 110),
       ("write", 40), ("other", 90))
_APPS = ("orders-api", "billing-worker", "storefront", "reporting", "mongosh 2.2.10", "search-indexer")
_COLLS = ("orders", "customers", "invoices", "events", "products", "sessions")
_START = datetime(2025, 11, 4, 0, 0, tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


class _Member:
    """The state of one simulated member (clients, cursors, clock) and its line writers."""

    def __init__(self, seed: int, version: str, host: str) -> None:
        self.r = random.Random(seed)
        self.version, self.host = version, host
        self.seven = version.startswith("7")
        self.t = _START
        self.conn = 1000
        self.clients = [f"10.{self.r.randint(0, 9)}.{self.r.randint(0, 255)}.{self.r.randint(2, 254)}"
                        for _ in range(400)]
        self.term = 7
        r = self.r
        sorts = (None, {"createdAt": -1}, {"updatedAt": -1, "_id": 1}, {"price": 1})
        projs = (None, {"_id": 0, "items": 0}, {"status": 1, "total": 1})
        plans = ("IXSCAN { tenantId: 1, status: 1 }", "IDHACK", "IXSCAN { customerId: 1, createdAt: -1 }",
                 "IXSCAN { _id: 1 }", "IXSCAN { sku: 1 }", "COLLSCAN")
        #: the application's query endpoints: (collection, filter kind, sort, projection, limit, plan)
        self.finds = [(c, k, r.choice(sorts), r.choice(projs), r.random() < 0.7,
                       plans[k] if r.random() < 0.8 else "COLLSCAN") for c in _COLLS for k in r.sample(range(6), 3)]
        self.aggs = [(c, k, r.choice(("IXSCAN { tenantId: 1, createdAt: -1 }", "COLLSCAN")))
                     for c in _COLLS for k in r.sample(range(4), 2)]
        self.ts = 1762214400

    def _head(self, c: str, lid: int, ctx: str, msg: str, s: str = "I") -> dict:
        return {"t": {"$date": _iso(self.t)}, "s": s, "c": c, "id": lid, "ctx": ctx, "msg": msg}

    def _session(self, db: str) -> dict:
        r = self.r
        return {"lsid": {"id": {"$uuid": "%08x-%04x-4%03x-8%03x-%012x" % (
            r.getrandbits(32), r.getrandbits(16), r.getrandbits(12), r.getrandbits(12), r.getrandbits(48))}},
            "$clusterTime": {"clusterTime": {"$timestamp": {"t": self.ts, "i": r.randint(1, 40)}},
                             "signature": {"hash": {"$binary": {"base64": "%028x=" % r.getrandbits(112),
                                                                "subType": "0"}},
                                           "keyId": 7300000000000000000 + r.randint(0, 9)}},
            "$db": db}

    def _cost(self, attr: dict, dur: int, docs: int, keys: int, ret: int, plan: str, query: str = "") -> dict:
        """The execution figures of one line; ``query`` names its query (its hashes are the query's, as mongod's)."""
        r = self.r
        qkey = f"{attr.get('ns')}|{query}|{plan}"
        attr.update({"planSummary": plan, "keysExamined": keys, "docsExamined": docs})
        if r.random() < 0.15:
            attr["hasSortStage"] = True
        if r.random() < 0.3:
            attr["cursorExhausted"] = True
        attr.update({"numYields": docs // 128, "nreturned": ret, "queryHash": "%08X" % zlib.crc32(qkey.encode()),
                     "planCacheKey": "%08X" % zlib.crc32(qkey.encode() + b"|key"), "queryFramework": r.choice(("classic", "sbe")),
                     "reslen": 200 + ret * r.randint(80, 900)})
        locks = {"FeatureCompatibilityVersion": {"acquireCount": {"r": 1}}, "Global": {"acquireCount": {"r": 1}}}
        if r.random() < 0.05:
            locks["Global"]["timeAcquiringMicros"] = {"r": r.randint(100, 90000)}
        attr["locks"] = locks
        if self.seven:
            attr["queues"] = {"execution": {"admissions": 1 + docs // 4096}, "ingress": {"admissions": 1}}
            if r.random() < 0.04:
                attr["queues"]["execution"]["totalTimeQueuedMicros"] = r.randint(10, 50000)
        attr["storage"] = {"data": {"bytesRead": docs * r.randint(200, 2000), "timeReadingMicros": docs * 3}}
        if self.seven:
            attr["cpuNanos"] = dur * r.randint(200_000, 900_000)
        attr.update({"remote": f"{r.choice(self.clients)}:{r.randint(32768, 60999)}", "protocol": "op_msg",
                     "durationMillis": dur})
        return attr

    def hello(self) -> dict:
        r = self.r
        cmd = {"hello": 1, "topologyVersion": {"processId": {"$oid": "6717f0c2%016x" % 0x5a3c}, "counter": 6},
               "maxAwaitTimeMS": 10000, "$db": "admin"}
        attr = {"type": "command", "ns": "admin.$cmd", "appName": r.choice(_APPS), "command": cmd,
                "numYields": 0, "reslen": 735 + r.randint(0, 200), "locks": {},
                "remote": f"{r.choice(self.clients)}:{r.randint(32768, 60999)}", "protocol": "op_msg",
                "durationMillis": 10000 + r.randint(0, 12)}
        return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}

    def getmore_oplog(self) -> dict:
        r = self.r
        ts = {"$timestamp": {"t": self.ts - r.randint(0, 30), "i": r.randint(1, 20)}}
        cursor = 8_300_000_000 + r.randint(0, 5)
        cmd = {"getMore": cursor, "collection": "oplog.rs", "batchSize": 13981010, "maxTimeMS": 5000,
               "term": self.term, "lastKnownCommittedOpTime": {"ts": ts, "t": self.term}, "$db": "local"}
        orig = {"find": "oplog.rs", "filter": {"ts": {"$gte": ts}}, "tailable": True, "oplogReplay": True,
                "awaitData": True, "maxTimeMS": 60000, "batchSize": 13981010, "term": self.term,
                "readConcern": {"afterClusterTime": ts}, "$db": "local"}
        n = r.randint(0, 300)
        attr = {"type": "command", "ns": "local.oplog.rs", "appName": "OplogFetcher", "command": cmd,
                "originatingCommand": orig}
        attr = self._cost(attr, r.randint(900, 5100), n, 0, n, "COLLSCAN", "oplog")
        return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 30)}", "Slow query"), "attr": attr}

    def _filter(self, k: int) -> dict:
        r = self.r
        if k == 0:
            return {"tenantId": f"t-{r.randint(1, 5000):05d}", "status": {"$in": r.sample(
                ["new", "paid", "shipped", "cancelled", "refunded"], r.randint(1, 4))}}
        if k == 1:
            return {"orderId": r.randint(1, 10**9)}
        if k == 2:
            return {"customerId": {"$oid": "%024x" % r.getrandbits(96)},
                    "createdAt": {"$gte": {"$date": _iso(self.t - timedelta(days=r.randint(1, 90)))}}}
        if k == 3:
            return {"_id": {"$in": [{"$oid": "%024x" % r.getrandbits(96)} for _ in range(r.randint(1, 6))]}}
        if k == 4:
            return {"sku": f"SKU-{r.randint(1, 99999)}", "price": {"$gt": r.randint(1, 500), "$lte": r.randint(500, 9000)}}
        return {"$or": [{"email": f"user{r.randint(1, 10**6)}@example.com"}, {"phone": f"+1555{r.randint(10**6, 10**7)}"}]}

    def find(self) -> dict:
        r = self.r
        coll, kind, sort, proj, limit, plan = r.choice(self.finds)
        cmd: dict = {"find": coll, "filter": self._filter(kind)}
        if sort:
            cmd["sort"] = sort
        if proj:
            cmd["projection"] = proj
        if limit:
            cmd["limit"] = r.choice((1, 10, 20, 50, 100, r.randint(1, 1000)))
        cmd.update({"batchSize": r.choice((101, 1000)), "maxTimeMS": 30000, **self._session("shop"),
                    "$readPreference": {"mode": r.choice(("primary", "primaryPreferred", "secondaryPreferred"))}})
        docs = r.randint(50_000, 400_000) if plan == "COLLSCAN" else r.choice((0, 1, 20, 300, r.randint(1, 5000)))
        attr = {"type": "command", "ns": f"shop.{coll}", "appName": r.choice(_APPS), "command": cmd}
        if self.seven:
            attr["planningTimeMicros"] = r.randint(40, 3000)
        attr = self._cost(attr, r.randint(100, 4000), docs, docs if plan != "COLLSCAN" else 0,
                          min(docs, r.randint(0, 100)), plan, f"find|{kind}|{sort}|{proj}|{limit}")
        return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}

    def _pipeline(self, k: int) -> list:
        r = self.r
        match = {"$match": {"tenantId": f"t-{r.randint(1, 5000):05d}",
                            "createdAt": {"$gte": {"$date": _iso(self.t - timedelta(days=r.randint(1, 30)))}}}}
        if k == 0:
            return [match, {"$group": {"_id": "$status", "n": {"$sum": 1}, "total": {"$sum": "$total"}}},
                    {"$sort": {"total": -1}}, {"$limit": r.randint(5, 50)}]
        if k == 1:
            return [match, {"$lookup": {"from": "customers", "localField": "customerId", "foreignField": "_id",
                                        "as": "customer"}}, {"$unwind": "$customer"},
                    {"$project": {"total": 1, "customer.name": 1}}]
        if k == 2:
            return [match, {"$facet": {"byDay": [{"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d",
                                                                                        "date": "$createdAt"}},
                                                             "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}],
                                       "count": [{"$count": "n"}]}}]
        return [{"$changeStream": {"fullDocument": "updateLookup"}},
                {"$match": {"operationType": {"$in": ["insert", "update"]}}}]

    def aggregate(self) -> dict:
        r = self.r
        coll, k, plan = r.choice(self.aggs)
        cmd = {"aggregate": coll, "pipeline": self._pipeline(k), "cursor": {}, "allowDiskUse": r.random() < 0.2,
               **self._session("shop"), "$readPreference": {"mode": "primary"}}
        docs = r.choice((10, 500, 20000, r.randint(1, 400000)))
        attr = {"type": "command", "ns": f"shop.{coll}", "appName": r.choice(_APPS), "command": cmd}
        attr = self._cost(attr, r.randint(100, 9000), docs, docs, r.randint(1, 100), plan, f"aggregate|{k}")
        return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}

    def getmore_app(self) -> dict:
        r = self.r
        base = self.find() if r.random() < 0.6 else self.aggregate()
        attr = base["attr"]
        orig = attr.pop("command")
        coll = attr["ns"].split(".", 1)[1]
        cmd = {"getMore": r.randint(10**17, 10**18), "collection": coll, "batchSize": 1000, **self._session("shop")}
        base["attr"] = {"type": "command", "ns": attr.pop("ns"), "appName": attr.pop("appName"), "command": cmd,
                        "originatingCommand": orig, **attr}
        return base

    def write(self) -> dict:
        r = self.r
        coll = r.choice(_COLLS)
        k = r.randint(0, 4)
        if k == 0:
            cmd = {"insert": coll, "ordered": True, **self._session("shop")}
            attr = {"type": "command", "ns": f"shop.{coll}", "appName": r.choice(_APPS), "command": cmd,
                    "ninserted": r.randint(1, 500)}
            attr = self._cost(attr, r.randint(100, 900), 0, 0, 0, "", "insert")
            return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}
        if k in (1, 2):
            stmt = {"q": {"_id": {"$oid": "%024x" % r.getrandbits(96)}},
                    "u": {"$set": {"status": r.choice(("paid", "shipped")), "updatedAt": {"$date": _iso(self.t)}}},
                    "multi": False, "upsert": k == 2}
            attr = {"type": "update", "ns": f"shop.{coll}", "appName": r.choice(_APPS), "command": stmt}
            attr = self._cost(attr, r.randint(100, 2000), 1, 1, 0, "IDHACK", f"update|{k}")
            return {**self._head("WRITE", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}
        if k == 3:
            cmd = {"count": coll, "query": {"tenantId": f"t-{r.randint(1, 5000):05d}"}, **self._session("shop")}
        else:
            cmd = {"distinct": coll, "key": "status", "query": {"tenantId": f"t-{r.randint(1, 5000):05d}"},
                   **self._session("shop")}
        attr = {"type": "command", "ns": f"shop.{coll}", "appName": r.choice(_APPS), "command": cmd}
        attr = self._cost(attr, r.randint(100, 3000), r.randint(1, 90000), r.randint(0, 90000), 1, "COLLSCAN",
                          f"{next(iter(cmd))}|{k}")
        return {**self._head("COMMAND", 51803, f"conn{r.randint(1, 3000)}", "Slow query"), "attr": attr}

    def other(self) -> dict:
        r = self.r
        k = r.randint(0, 4)
        remote = f"{r.choice(self.clients)}:{r.randint(32768, 60999)}"
        if k == 0:
            self.conn += 1
            return {**self._head("NETWORK", 22943, "listener", "Connection accepted"),
                    "attr": {"remote": remote, "uuid": {"uuid": {"$uuid": "%032x" % r.getrandbits(128)}},
                             "connectionId": self.conn, "connectionCount": r.randint(200, 900)}}
        if k == 1:
            return {**self._head("NETWORK", 22944, f"conn{r.randint(1, 3000)}", "Connection ended"),
                    "attr": {"remote": remote, "uuid": {"uuid": {"$uuid": "%032x" % r.getrandbits(128)}},
                             "connectionId": r.randint(1, self.conn), "connectionCount": r.randint(200, 900)}}
        if k == 2:
            return {**self._head("NETWORK", 51800, f"conn{r.randint(1, 3000)}", "client metadata"),
                    "attr": {"remote": remote, "client": f"conn{r.randint(1, 3000)}", "doc": {
                        "driver": {"name": "nodejs", "version": "6.8.0"},
                        "os": {"type": "Linux", "name": "linux", "architecture": "x64", "version": "5.15.0"},
                        "platform": "Node.js v20.11.1, LE", "application": {"name": r.choice(_APPS)}}}}
        if k == 3:
            return {**self._head("ACCESS", 5286306, f"conn{r.randint(1, 3000)}", "Successfully authenticated"),
                    "attr": {"client": remote, "isSpeculative": True, "isClusterMember": False,
                             "mechanism": "SCRAM-SHA-256", "user": "app", "db": "admin"}}
        return {**self._head("STORAGE", 22430, "Checkpointer", "WiredTiger message"),
                "attr": {"message": {"ts_sec": self.ts, "ts_usec": r.randint(0, 999999), "thread": "1:0x7f",
                                     "session_name": "WT_SESSION.checkpoint", "category": "WT_VERB_CHECKPOINT_PROGRESS",
                                     "category_id": 6, "verbose_level": "DEBUG_1", "verbose_level_id": 1,
                                     "msg": f"saving checkpoint snapshot min: {r.randint(1, 10**6)}"}}}

    def startup(self) -> Iterator[dict]:
        yield {**self._head("CONTROL", 4615611, "initandlisten", "MongoDB starting"),
               "attr": {"pid": 4242, "port": 27017, "dbPath": "/var/lib/mongo", "architecture": "64-bit",
                        "host": self.host}}
        yield {**self._head("CONTROL", 23403, "initandlisten", "Build Info"), "attr": {"buildInfo": {
            "version": self.version, "gitVersion": "%040x" % self.r.getrandbits(160), "modules": []}}}
        yield {**self._head("CONTROL", 21951, "initandlisten", "Options set by command line"), "attr": {"options": {
            "net": {"bindIp": "*", "port": 27017}, "replication": {"replSetName": "rs-shop"}}}}
        yield {**self._head("REPL", 21358, "ReplCoord-0", "Replica set state transition"),
               "attr": {"newState": "PRIMARY", "oldState": "SECONDARY"}}

    def lines(self) -> Iterator[bytes]:
        kinds = [k for k, w in MIX for _ in range(w)]
        for doc in self.startup():
            yield orjson.dumps(doc) + b"\n"
        while True:
            self.t += timedelta(milliseconds=self.r.randint(1, 240))
            self.ts = int(self.t.timestamp())
            yield orjson.dumps(getattr(self, self.r.choice(kinds))()) + b"\n"


def write_member_log(path: str | Path, target_bytes: int, *, seed: int = 60, version: str = "7.0.12",
                     host: str = "db-shop-1.example.net") -> int:
    """Write a real-shaped member log of at least ``target_bytes`` (see the module docstring).

    Parameters
    ----------
    path : str or Path
        Where to write (plain JSON lines).
    target_bytes : int
        Stop at the first line that reaches this size.
    seed, version, host : int, str, str
        The random seed, the server version (``6.x``: no ``queues`` / ``cpuNanos`` /
        ``planningTimeMicros``) and the host of its startup line.

    Returns
    -------
    int
        Lines written.
    """
    n = size = 0
    with open(path, "wb") as fh:
        for line in _Member(seed, version, host).lines():
            fh.write(line)
            n += 1
            size += len(line)
            if size >= target_bytes:
                return n
    return n  # pragma: no cover - lines() never ends
