"""The shape cache: a cached shape always equals the shape computed directly."""

from __future__ import annotations

import random

from analysis.querycost.shapecache import ShapeCache


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
