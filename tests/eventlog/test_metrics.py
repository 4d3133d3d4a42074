"""The backbone's metrics at /metrics."""

import re

import pytest
from django.db import transaction

from apps.eventlog.services import event_emit
from apps.eventlog.worker import RelayWorker
from tests.eventsapp.events import declared

pytestmark = pytest.mark.django_db


def test_appends_deliveries_lag_dead_letters_and_batch_times_are_exposed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_emit(
            declared("testing.metrics.counted"), aggregate_id="1", payload={}, actor=None,
        )  # fmt: skip
    worker = RelayWorker()
    worker.drain()
    worker.observe()
    body = client.get("/metrics").content.decode()
    assert re.search(r'events_appended_total\{type="testing.metrics.counted"\} [1-9]', body)
    assert re.search(r'deliveries_total\{outcome="done",subscriber="testing.recorder"\}', body)
    assert re.search(r"^outbox_lag_seconds \d", body, re.MULTILINE)
    assert re.search(r"^dead_letters \d", body, re.MULTILINE)
    assert "relay_batch_duration_seconds_bucket" in body
