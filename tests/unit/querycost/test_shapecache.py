"""The shape cache: a cached shape always equals the shape computed directly."""

from __future__ import annotations

import random

import orjson

from analysis.querycost.shapecache import ShapeCache, SkeletonCache


def _random_value(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth > 3 or kind < 0.35:
        return rng.choice(["x", "y", 'q"uote', "a\\b", "$path", "", 1, -1, 0, 7, 2.5, None, True,
                           {"$oid": "5f1d7f1d7f1d7f1d7f1d7f1d"}])
    if kind < 0.6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = ["a", "b", "$in", "$gt", "$count", "from", "key", "as", "$eq", "$sum"]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))}


def test_cached_shape_equals_direct_shape_on_random_commands() -> None:
    """The cache key (masked command bytes) must never merge two different shapes."""
    rng = random.Random(5)
    cache = ShapeCache()
    for _ in range(3000):
        op = rng.choice(["find", "aggregate"])
        if op == "find":
            cmd = {"find": "c", "filter": _random_value(rng) or {}, "$db": "d"}
            if not isinstance(cmd["filter"], dict):
                cmd["filter"] = {"f": cmd["filter"]}
        else:
            cmd = {"aggregate": "c", "pipeline": [{"$match": {"a": _random_value(rng)}},
                                                  {rng.choice(["$count", "$group", "$unwind"]): _random_value(rng)}]}
        assert cache.get(op, cmd)[0] == ShapeCache.compute(op, cmd)[0], cmd


def _random_command(rng: random.Random) -> tuple[str, dict]:
    """A find / aggregate / distinct / count / update / getMore-origin command with random values everywhere
    (sort and hint directions ±1 or $meta: the server rejects any other)."""
    op = rng.choice(["find", "find", "aggregate", "distinct", "count", "update", "getMore", "findAndModify"])
    session = {"lsid": {"id": {"$uuid": f"{rng.getrandbits(64):016x}"}},
               "$clusterTime": {"clusterTime": {"$timestamp": {"t": rng.randrange(10**9), "i": rng.choice([0, 1, 2, 7])}},
                                "signature": {"keyId": rng.randrange(10**12)}}, "$db": "d"}
    if op == "aggregate":
        stage = rng.choice(["$count", "$group", "$unwind", "$sort", "$project", "$lookup", "$limit", "$facet"])
        spec = {"$sort": {"a": rng.choice([1, -1])}, "$project": {"a": rng.choice([0, 1, 2, True, False, "x", "$b"])},
                "$lookup": {"from": rng.choice(["x", "y", 'q"uote']), "localField": "a", "foreignField": "b", "as": "c"},
                "$limit": rng.choice([0, 1, 5, 2.5]), "$facet": {"f": [{"$sort": {"a": 1}}]} if rng.random() < .5 else
                {"f": [{"$match": {"a": _random_value(rng)}}]}}.get(stage, _random_value(rng))
        return op, {"aggregate": "c", "pipeline": [{"$match": {"a": _random_value(rng)}}, {stage: spec}],
                    "cursor": {}, **session}
    if op == "distinct":
        return op, {"distinct": "c", "key": rng.choice(["a", "b", 'q"uote']), "query": {"a": _random_value(rng)},
                    **session}
    if op == "update":
        return op, {"q": {"a": _random_value(rng)}, "u": {"$set": {"b": _random_value(rng)}},
                    "multi": rng.choice([True, False]), "upsert": rng.choice([True, False, 0, 1])}
    cmd: dict = {"find" if op != "findAndModify" else "findAndModify": "c",
                 "filter": {rng.choice(["a", "b", "lsid"]): _random_value(rng)}}
    for part, values in (("sort", [{"a": 1}, {"a": -1}, {"a": 1, "b": -1}, {"s": {"$meta": "textScore"}}]),
                         ("projection", [{"a": v} for v in (0, 1, 2, 0.5, 1.0, True, False, "x", "$y", -0.0)]),
                         ("hint", [{"a": 1}, {"a": -1}, "a_1"]), ("limit", [0, 1, 5, 2.5, -3]),
                         ("skip", [0, 3]), ("collation", [{"locale": "fr"}])):
        if rng.random() < 0.5:
            cmd[part] = rng.choice(values)
    if op == "findAndModify":
        cmd[rng.choice(["remove", "update"])] = rng.choice([True, 0, {"$inc": {"n": 1}}])
    if op == "getMore":
        cmd.update({"tailable": rng.choice([True, False]), "awaitData": rng.choice([True, False, 1, 0])})
    return op, {**cmd, **session}


def test_skeleton_shapes_equal_direct_shapes_on_random_raw_commands() -> None:
    """The skeleton (masked raw bytes of the shape fields) never merges two different shapes, blocking-sort
    flags or tailable-cursor flags — in blocks, with the verbatim cache, refined keys and escapes."""
    rng = random.Random(23)
    cache = SkeletonCache()
    for _ in range(60):
        block = [_random_command(rng) for _ in range(rng.randrange(1, 120))]
        ops = [op for op, _ in block]
        raws = [orjson.dumps(cmd) for _, cmd in block]
        raws += raws[: len(raws) // 3]  # some verbatim repeats
        ops += ops[: len(ops) // 3]
        for op, raw, got in zip(ops, raws, cache.get_many(ops, raws)):
            cmd = orjson.loads(raw)
            want = ShapeCache.compute(op, cmd)
            assert got is not None and (got.shape, got.blocking_sort) == want[:2], (op, cmd)
            assert got.tailable_await == bool(cmd.get("tailable") and cmd.get("awaitData")), cmd
