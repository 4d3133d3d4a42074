"""Rate limits as fixed-window counters in Redis.

DRF's stock throttles keep every request's timestamp of the window in one cache value that
is read and rewritten on each request: at 1,200 requests a minute that is a list of 1,200
floats per call. A counter per window costs one round trip at any rate.

While Redis is unreachable the limits fail open: requests are let through uncounted (and
`fusionops_degraded_requests_total{dependency="throttle"}` counts them), since refusing
every caller would turn a cache outage into an API outage.

The user's limit is counted in the round trip that authenticates a token
(`counted_with_authentication`); the throttle then only compares.
"""

import math

import structlog
from django.core.cache import cache
from django_redis import get_redis_connection
from redis import RedisError
from rest_framework import throttling

from apps.platform.cache import WindowCounter, cache_get_many_and_count
from apps.platform.unavailable import degraded_requests

logger = structlog.get_logger("fusionops.api")

# Where a request keeps the counts taken before its throttles run, by throttle scope.
_PRECOUNTED = "_fixed_window_counts"


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        precounted = getattr(request, _PRECOUNTED, {}).get(self.scope)
        if precounted is not None:
            self.now, self.window_ends_at, count = precounted
            return self._within(count)
        key = self.get_cache_key(request, view)
        return True if key is None else self.count(key)

    def _window_key(self, key: str) -> str:
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return cache.make_and_validate_key(f"{key}:{window}")

    def counter(self, key: str, amount: int = 1) -> WindowCounter:
        """This window's counter for `key` (the throttle's cache key)."""
        return WindowCounter(self._window_key(key), amount, self.duration + 1)

    def count(self, key: str, amount: int = 1) -> bool:
        """Count `amount` more in this window; whether that is still within the rate."""
        _found, counts = cache_get_many_and_count([], [self.counter(key, amount)])
        return self._within(None if counts is None else counts[0])

    def precounted(self, request, count: int | None) -> None:
        """Keep `count`, taken with this throttle's counter(), for allow_request."""
        counts = getattr(request, _PRECOUNTED, None)
        if counts is None:
            counts = {}
            setattr(request, _PRECOUNTED, counts)
        counts[self.scope] = (self.now, self.window_ends_at, count)

    def _within(self, count: int | None) -> bool:
        if count is None:  # Redis is unreachable: fail open
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
    def user_counter(self, user_id: int) -> WindowCounter:
        """The counter get_cache_key would name once the user is authenticated."""
        return self.counter(self.cache_format % {"scope": self.scope, "ident": user_id})

    @classmethod
    def counted_with_authentication(cls, request) -> "UserRateThrottle | None":
        """The user throttle the view of `request` runs, which authentication may count for
        in its own round trip (handing the count back through `precounted`)."""
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is None:
            return None
        for throttle in view.get_throttles():
            if isinstance(throttle, cls) and throttle.rate is not None:
                return throttle
        return None


class AuthFailureThrottle(FixedWindowMixin, throttling.SimpleRateThrottle):
    """Counts failed authentications per client address; past the rate they get 429."""

    scope = "auth_failure"

    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))

    def key_for(self, address: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": address}
