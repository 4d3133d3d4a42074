"""Rate limits as fixed-window counters in Redis.

DRF's stock throttles keep every request's timestamp of the window in one cache value that
is read and rewritten on each request: at 1,200 requests a minute that is a list of 1,200
floats per call. A counter per window (one atomic INCR) costs the same at any rate.
"""

import math

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
        window_key = f"{key}:{window}"
        # incr() is atomic across processes; the window's first request creates the counter
        # with its expiry (add() lets exactly one of several first requests do so).
        try:
            count = self.cache.incr(window_key)
        except ValueError:
            if self.cache.add(window_key, 1, self.duration + 1):
                count = 1
            else:
                count = self.cache.incr(window_key)
        self.window_ends_at = (window + 1) * self.duration
        return count <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.window_ends_at - self.now))


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass
