"""Rate limits as fixed-window counters in Redis.

DRF's stock throttles keep every request's timestamp of the window in one cache value that
is read and rewritten on each request: at 1,200 requests a minute that is a list of 1,200
floats per call. A counter per window costs one round trip at any rate.
"""

import math

from django.core.cache import cache
from django_redis import get_redis_connection
from rest_framework import throttling


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        window_key = cache.make_and_validate_key(f"{key}:{window}")
        # INCR creates the counter atomically; EXPIRE NX gives it a lifetime only once.
        pipeline = get_redis_connection("default").pipeline(transaction=False)
        pipeline.incr(window_key)
        pipeline.expire(window_key, self.duration + 1, nx=True)
        count, _expiry_set = pipeline.execute()
        return count <= self.num_requests

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
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
