import json
import logging

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, issue_token


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached values live in Redis; each test starts clean. Only this
    run's keys are deleted (the prefix is per process): Redis may be shared."""
    from django.core.cache import cache

    cache.delete_pattern("*")
    yield


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_as():
    """client_as("Viewer", ...) → an API client authenticated with a bearer token of a new
    user holding those roles (none: a user without any role)."""

    def make(*roles):
        user = UserFactory(roles=list(roles))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
        client.user = user
        return client

    return make


@pytest.fixture
def log_lines():
    """Log records as the portal's configured formatter writes them: JSON objects."""
    root = logging.getLogger()
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = ListHandler()
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


@pytest.fixture
def one_window(monkeypatch):
    """All requests of the test fall in one rate-limit window, however slow they are."""
    from apps.platform.api.throttling import FixedWindowMixin

    monkeypatch.setattr(FixedWindowMixin, "timer", lambda self: 1_700_000_010.0, raising=False)
