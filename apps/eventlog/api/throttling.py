"""Quotas of what integrations append to the log (POST /api/v1/events/), per caller:
events per minute (EVENTS_INGEST_RATE) and bytes per day (EVENTS_INGEST_BYTES_PER_DAY).
Past either, 429 with Retry-After (the end of the window)."""

from django.conf import settings
from rest_framework import throttling

from apps.platform.api.throttling import FixedWindowMixin


class _PostsOnly:
    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class IngestRateThrottle(_PostsOnly, FixedWindowMixin, throttling.SimpleRateThrottle):
    scope = "ingest"

    def get_rate(self):
        return settings.EVENTS_INGEST_RATE


class IngestVolumeThrottle(_PostsOnly, FixedWindowMixin, throttling.SimpleRateThrottle):
    """Counts the bytes of the request bodies, not the requests."""

    scope = "ingest_bytes"

    def get_rate(self):
        return f"{settings.EVENTS_INGEST_BYTES_PER_DAY}/day"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        if self.exhausted(self.get_cache_key(request, view)):
            return False
        size = int(request.META.get("CONTENT_LENGTH") or 0) or len(request.body)
        return self.count(self.get_cache_key(request, view), amount=size)
