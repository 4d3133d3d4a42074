"""Cache reads and rate-limit counters in one round trip to Redis.

An API request reads its token, its user's permission set and whether the token's use was
recorded lately, and counts itself in its user's rate-limit window: one pipeline carries
them all. While Redis is unreachable nothing is found (callers fall back to the database)
and no count comes back (rate limits fail open, see apps.platform.api.throttling)."""

from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from django.core.cache import cache
from django_redis import get_redis_connection
from redis import RedisError

logger = structlog.get_logger("fusionops.cache")


@dataclass(frozen=True)
class WindowCounter:
    """A fixed-window counter: `key` (made by the cache, prefix and version included) goes
    up by `amount` and lives `ttl` seconds from its first count."""

    key: str
    amount: int
    ttl: int


def cache_get_many_and_count(
    keys: Sequence[str], counters: Sequence[WindowCounter]
) -> tuple[dict, list[int] | None]:
    """The cached values of `keys` (as `cache.get_many`) and the counters' new values, in
    one round trip; ({}, None) while Redis is unreachable."""
    made = [cache.make_and_validate_key(key) for key in keys]
    pipeline = get_redis_connection("default").pipeline(transaction=False)
    if made:
        pipeline.mget(made)
    for counter in counters:
        # INCRBY creates the counter atomically; EXPIRE NX gives it a lifetime only once.
        pipeline.incrby(counter.key, counter.amount)
        pipeline.expire(counter.key, counter.ttl, nx=True)
    try:
        results = pipeline.execute()
    except RedisError:
        logger.warning("cache.unavailable", exc_info=True)
        return {}, None
    values = results.pop(0) if made else []
    found = {
        key: cache.client.decode(value)
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }
    return found, results[::2]
