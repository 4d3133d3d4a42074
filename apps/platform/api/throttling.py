"""Rate limits as fixed-window counters in Redis.

DRF's stock throttles keep every request's timestamp of the window in one cache value that
is read and rewritten on each request: at 1,200 requests a minute that is a list of 1,200
floats per call. A counter per window costs one round trip at any rate.

While Redis is unreachable the limits fail open: requests are let through uncounted (and
`fusionops_degraded_requests_total{dependency="throttle"}` counts them), since refusing
every caller would turn a cache outage into an API outage.
"""

import math

import structlog
from django.core.cache import cache
from django_redis import get_redis_connection
from redis import RedisError
from rest_framework import throttling

from apps.platform.unavailable import degraded_requests

logger = structlog.get_logger("fusionops.api")


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        return True if key is None else self.count(key)

    def _window_key(self, key: str) -> str:
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return cache.make_and_validate_key(f"{key}:{window}")

    def count(self, key: str, amount: int = 1) -> bool:
        """Count `amount` more in this window; whether that is still within the rate."""
        window_key = self._window_key(key)
        # INCRBY creates the counter atomically; EXPIRE NX gives it a lifetime only once.
        pipeline = get_redis_connection("default").pipeline(transaction=False)
        pipeline.incrby(window_key, amount)
        pipeline.expire(window_key, self.duration + 1, nx=True)
        try:
            count, _expiry_set = pipeline.execute()
        except RedisError:
            self._unavailable()
            return True
        return count <= self.num_requests

    def exhausted(self, key: str) -> bool:
        """Whether this window's count is used up already (without counting)."""
        if self.rate is None:
            return False
        try:
            count = get_redis_connection("default").get(self._window_key(key))
        except RedisError:
            self._unavailable()
            return False
        return count is not None and int(count) >= self.num_requests

    def _unavailable(self) -> None:
        degraded_requests.labels("throttle").inc()
        logger.warning("api.throttle_unavailable", scope=self.scope)

    def wait(self):
        return max(1, math.ceil(self.window_ends_at - self.now))


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass


class AuthFailureThrottle(FixedWindowMixin, throttling.SimpleRateThrottle):
    """Counts failed authentications per client address; past the rate they get 429."""

    scope = "auth_failure"

    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))

    def key_for(self, address: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": address}
