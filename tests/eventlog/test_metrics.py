"""The backbone's metrics."""

import re

import pytest
from django.db import transaction
from django.utils import timezone
from prometheus_client import REGISTRY, generate_latest

from apps.eventlog.services import event_emit
from apps.eventlog.worker import RelayWorker
from tests.eventsapp.events import declared

pytestmark = pytest.mark.django_db


def test_appends_deliveries_lag_dead_letters_and_batch_times_are_exposed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_emit(
            declared("testing.metrics.counted"), aggregate_id="1", payload={}, actor=None,
        )  # fmt: skip
    worker = RelayWorker()
    worker.drain()
    worker.observe()
    body = generate_latest(REGISTRY).decode()
    assert re.search(
        r'fusionops_events_appended_total\{type="testing.metrics.counted"\} [1-9]', body
    )
    assert re.search(
        r'fusionops_deliveries_total\{outcome="done",subscriber="testing.recorder"\}', body
    )
    assert re.search(r"^fusionops_outbox_lag_seconds \d", body, re.MULTILINE)
    assert re.search(r"^fusionops_dead_letters \d", body, re.MULTILINE)
    assert "fusionops_relay_batch_duration_seconds_bucket" in body


def test_event_types_an_integration_chose_are_counted_as_external(
    client_as, django_capture_on_commit_callbacks
):
    def appended(type):
        return REGISTRY.get_sample_value("fusionops_events_appended_total", {"type": type}) or 0

    before = appended("external")
    integration = client_as("Integration")
    body = {
        "type": "erp.invoice.paid", "aggregate_type": "erp.invoice", "aggregate_id": "INV-7",
        "occurred_at": timezone.now().isoformat(), "payload": {"amount": "1.00"},
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = integration.post("/api/v1/events/", body, format="json")
    assert response.status_code == 201, response.content
    assert appended("external") == before + 1
    assert appended("erp.invoice.paid") == 0, "a caller's type is never a label"


def test_the_partitions_ready_ahead_are_a_gauge_that_falls_as_months_pass(settings):
    from datetime import date

    from apps.eventlog.selectors import audit_partition_months_ahead

    RelayWorker().maintain()
    ahead = REGISTRY.get_sample_value("fusionops_audit_partitions_months_ahead")
    assert ahead >= settings.AUDIT_PARTITION_MONTHS
    assert audit_partition_months_ahead() == ahead
    assert audit_partition_months_ahead(today=date(2199, 1, 1)) == 0
