"""Traces (OpenTelemetry, the SDK's in-memory exporter): a request's trace goes on through
the outbox, so one booking is one trace from its request to its live publish, and one
order one trace from its request to its fulfilment; nothing is traced unless configured."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from apps.eventlog.models import Event
from apps.eventlog.relay import relay_batch
from apps.eventlog.sealing import audit_seal_and_follow
from apps.eventlog.services import event_emit
from apps.inventory import services as inventory
from apps.orders.models import Order
from apps.platform import tracing
from tests.eventsapp.events import declared
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

START = datetime(2027, 4, 5, 10, tzinfo=UTC)
# A caller's own trace (W3C example ids), for the test that continues it.
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def spans():
    """Tracing on for the test, spans kept in memory; off again afterwards."""
    exporter = InMemorySpanExporter()
    tracing.start(SimpleSpanProcessor(exporter))
    # Django's connection was opened before the psycopg instrumentation: a new one is
    # instrumented (so these tests commit, rather than run in a transaction of the test's).
    connection.close()
    yield exporter
    tracing.stop()
    connection.close()


def drain():
    for _ in range(50):
        if not relay_batch().claimed:
            return
    raise AssertionError("the relay never ran dry")


def book(client, *, headers=None):
    response = client.post(
        "/api/v1/allocate/",
        {
            "project": ProjectFactory().pk,
            "items": [
                {
                    "resource": ResourceFactory().pk,
                    "from": START.isoformat(),
                    "to": (START + timedelta(hours=2)).isoformat(),
                }
            ],
        },
        format="json",
        headers=headers or {},
    )
    assert response.status_code == 201, response.content
    return response


def recorded(response) -> Event:
    """The event the request recorded (the log keeps every test's events)."""
    return Event.objects.get(correlation_id=response["X-Request-ID"])


def trace_id_of(span) -> str:
    return f"{span.context.trace_id:032x}"


def in_trace(exporter, trace_id: str) -> list:
    return [span for span in exporter.get_finished_spans() if trace_id_of(span) == trace_id]


def request_span(exporter, path_part: str):
    (span,) = [
        span
        for span in exporter.get_finished_spans()
        if span.kind == SpanKind.SERVER and path_part in span.name
    ]
    return span


def test_one_booking_is_one_trace_from_the_request_to_the_live_publish(spans, client_as):
    response = book(client_as("Operator"))
    drain()
    audit_seal_and_follow()  # seals the event and publishes it to the live stream

    request = request_span(spans, "allocate")
    assert request.attributes["fusionops.request_id"] == response["X-Request-ID"]
    trace = in_trace(spans, trace_id_of(request))
    names = {span.name for span in trace}
    # The request, its queries, the event's insert, the relay's delivery, the live publish.
    assert {"POST api/v1/allocate/", "INSERT audit_event"} <= names
    assert "process projection.allocation_history" in names
    assert "publish fusionops.stream" in names
    assert {"SELECT", "INSERT"} <= {
        span.name for span in trace if span.attributes.get("db.system") == "postgresql"
    }
    assert "MGET" in names  # Redis: the token cache
    # Each continues from the span that recorded the event: the request's.
    event = recorded(response)
    assert event.traceparent.split("-")[1] == trace_id_of(request)
    by_name = {span.name: span for span in trace}
    delivery = by_name["process projection.allocation_history"]
    publish = by_name["publish fusionops.stream"]
    assert delivery.kind == SpanKind.CONSUMER and publish.kind == SpanKind.PRODUCER
    assert delivery.parent.span_id == publish.parent.span_id == request.context.span_id
    assert delivery.attributes["messaging.message.id"] == str(event.id)
    assert delivery.attributes["fusionops.delivery.attempt"] == 1
    assert publish.attributes["fusionops.position"] > 0
    # The writes of the delivery belong to it.
    assert any(span.parent and span.parent.span_id == delivery.context.span_id
               for span in trace if span.kind == SpanKind.CLIENT)  # fmt: skip


def test_a_caller_that_sends_its_trace_context_finds_the_booking_in_its_own_trace(spans, client_as):
    response = book(client_as("Operator"), headers={"traceparent": CALLER_TRACEPARENT})
    drain()
    event = recorded(response)
    assert event.traceparent.split("-")[1] == CALLER_TRACE
    assert "process projection.allocation_history" in {
        span.name for span in in_trace(spans, CALLER_TRACE)
    }


def test_one_order_is_one_trace_from_the_request_to_its_fulfilment(spans, client_as):
    item, warehouse = ItemFactory(unit_price=Decimal("3.00")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=10, actor=None)
    spans.clear()
    response = client_as("Operator").post(
        "/api/v1/orders/",
        {
            "customer_reference": "ACME",
            "lines": [{"item": item.pk, "location": warehouse.pk, "quantity": "2"}],
        },
        format="json",
        headers={"Idempotency-Key": "po-traced"},
    )
    assert response.status_code == 201, response.content
    drain()
    order = Order.objects.get()
    assert order.status == "fulfilled"

    trace_id = trace_id_of(request_span(spans, "orders"))
    placed = Event.objects.get(type="orders.order.placed", aggregate_id=str(order.pk))
    events = Event.objects.filter(correlation_id=placed.correlation_id)
    assert events.count() >= 4  # placed, reserved, paid, fulfilled
    assert {event.traceparent.split("-")[1] for event in events} == {trace_id}
    saga_steps = {
        span.attributes["messaging.destination.name"]
        for span in in_trace(spans, trace_id)
        if span.kind == SpanKind.CONSUMER
    }
    assert {
        "inventory.reserve_for_order",
        "orders.track_reservation",
        "payments.authorize",
        "orders.settle_payment",
    } <= saga_steps
    # Every step but the first continues from the step before it, never from a new root.
    roots = [span for span in in_trace(spans, trace_id) if span.parent is None]
    assert [span.kind for span in roots] == [SpanKind.SERVER]


def test_a_failing_subscriber_marks_its_delivery_span_as_an_error(spans):
    with transaction.atomic():
        event_emit(declared("failing.thing.happened"), aggregate_id="1", payload={}, actor=None)
    drain()
    failed = [
        span for span in spans.get_finished_spans() if span.name == "process testing.always_fails"
    ]
    assert failed and all(span.status.status_code == StatusCode.ERROR for span in failed)
    assert all(
        event.name == "exception"
        and event.attributes["exception.message"] == "cannot handle failing.thing.happened"
        for span in failed
        for event in span.events
    )


def test_the_workers_own_queries_start_no_traces(spans):
    audit_seal_and_follow()  # what earlier tests left to seal and publish
    spans.clear()
    relay_batch()  # nothing due: queries outside any request or delivery
    audit_seal_and_follow()
    assert spans.get_finished_spans() == ()


def test_events_recorded_without_a_request_start_their_trace_at_the_delivery(spans):
    with transaction.atomic():  # a command's change: no request, no trace to continue
        recorded = event_emit(
            declared("testing.thing.happened"), aggregate_id="1", payload={}, actor=None
        )
    assert Event.objects.get(id=recorded.id).traceparent == ""
    drain()
    (delivery,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.CONSUMER]
    assert delivery.name == "process testing.recorder" and delivery.parent is None
    # Its own writes are in its trace.
    assert any(
        span.parent and span.parent.span_id == delivery.context.span_id
        for span in spans.get_finished_spans()
    )


def test_nothing_is_traced_or_stored_unless_tracing_is_configured(client_as, settings):
    assert settings.TRACING_OTLP_ENDPOINT == ""
    assert not tracing.enabled()
    response = book(client_as("Operator"), headers={"traceparent": CALLER_TRACEPARENT})
    assert recorded(response).traceparent == ""
    assert not any("opentelemetry" in middleware for middleware in settings.MIDDLEWARE)
