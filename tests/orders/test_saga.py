"""The order saga over the event backbone: fulfilled, rejected, cancelled, and never twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.eventlog.models import Delivery, ProcessedMarker
from apps.eventlog.relay import relay_batch
from apps.inventory import selectors as stock_selectors
from apps.inventory import services as inventory
from apps.inventory.models import StockLevel, StockMovement
from apps.orders import services
from apps.orders.models import Order, Payment
from apps.orders.services import LineRequest
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def drain():
    for _ in range(50):
        if not relay_batch().claimed:
            return
    raise AssertionError("the relay never ran dry")


@pytest.fixture
def shelf():
    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=10, actor=None)
    return item, warehouse


def place(item, warehouse, quantity="4"):
    return services.order_place(
        customer_reference="ACME-1",
        lines=[LineRequest(item.pk, warehouse.pk, Decimal(quantity))],
        actor=None,
    )


def stock(item):
    level = StockLevel.objects.get(item=item)
    return level.on_hand, level.reserved


def test_an_order_is_reserved_paid_and_fulfilled(shelf):
    item, warehouse = shelf
    order = place(item, warehouse)
    assert (order.status, order.total) == ("placed", Decimal("10.00"))
    drain()
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert stock(item) == (Decimal("6.000"), Decimal("0.000"))
    assert Payment.objects.filter(order=order, status="authorized").count() == 1
    assert stock_selectors.ledger_differences() == []


def test_a_declined_payment_rejects_the_order_and_gives_the_stock_back(shelf, settings):
    settings.PAYMENTS_DECLINE_RATE = 1.0
    item, warehouse = shelf
    order = place(item, warehouse)
    drain()
    order.refresh_from_db()
    assert order.status == "rejected" and "declined" in order.reason
    assert stock(item) == (Decimal("10.000"), Decimal("0.000"))
    assert Payment.objects.get(order=order).status == "declined"


def test_an_order_beyond_the_stock_is_rejected_with_the_shortage(shelf):
    item, warehouse = shelf
    order = place(item, warehouse, quantity="11")
    drain()
    order.refresh_from_db()
    assert order.status == "rejected" and order.reason
    assert not Payment.objects.filter(order=order).exists()
    assert stock(item) == (Decimal("10.000"), Decimal("0.000"))


def test_cancelling_before_the_saga_reaches_it_releases_what_it_reserves(shelf):
    item, warehouse = shelf
    order = place(item, warehouse)
    services.order_cancel(order_id=order.pk, actor=None, reason="customer called")
    drain()
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock(item) == (Decimal("10.000"), Decimal("0.000"))
    assert not Payment.objects.filter(order=order).exists()


def test_cancelling_a_paid_order_refunds_and_releases(shelf):
    item, warehouse = shelf
    order = place(item, warehouse)
    # Run the saga up to the authorization, but not its settlement.
    for _ in range(10):
        relay_batch()
        if Payment.objects.filter(order=order).exists():
            break
    Delivery.objects.filter(subscriber="orders.settle_payment").update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    services.order_cancel(order_id=order.pk, actor=None)
    assert Payment.objects.get(order=order).status == "refunded"
    assert stock(item) == (Decimal("10.000"), Decimal("0.000"))
    Delivery.objects.filter(subscriber="orders.settle_payment").update(
        next_attempt_at=timezone.now()
    )
    drain()
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock(item) == (Decimal("10.000"), Decimal("0.000"))


def test_every_saga_event_delivered_twice_changes_nothing_the_second_time(shelf):
    item, warehouse = shelf
    order = place(item, warehouse)
    drain()
    before = (stock(item), StockMovement.objects.count(), Payment.objects.count())
    saga = Delivery.objects.filter(event_id__in=_events_of(order))
    ProcessedMarker.objects.filter(event_id__in=_events_of(order)).delete()
    saga.update(status="pending", next_attempt_at=timezone.now(), attempts=0)
    drain()
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert (stock(item), StockMovement.objects.count(), Payment.objects.count()) == before


def _events_of(order: Order):
    from apps.eventlog.models import Event

    return list(
        Event.objects.filter(correlation_id=order.correlation_id).values_list("id", flat=True)
    )


def test_the_pricing_rule_is_applied_and_recorded(shelf):
    from apps.core.services import system_setting_set

    system_setting_set(
        key="orders.pricing", value={"discount_percent": 10, "above_total": "5"}, actor=None
    )
    item, warehouse = shelf
    order = place(item, warehouse)
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("10.00"),
        Decimal("1.00"),
        Decimal("9.00"),
    )
    assert order.pricing_rule == {"discount_percent": "10", "above_total": "5"}


def test_status_moves_only_along_the_allowed_transitions(shelf):
    item, warehouse = shelf
    order = place(item, warehouse)
    drain()
    with pytest.raises(services.InvalidTransition):
        services.order_cancel(order_id=order.pk, actor=None)


def test_a_replayed_placement_after_a_rejection_reserves_nothing(shelf):
    from apps.eventlog.models import Event
    from apps.orders.handlers import reserve_for_order

    item, warehouse = shelf
    order = place(item, warehouse, quantity="11")
    drain()
    order.refresh_from_db()
    assert order.status == "rejected"
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
    reserve_for_order(Event.objects.get(type="orders.order.placed", aggregate_id=str(order.pk)))
    assert stock(item) == (Decimal("15.000"), Decimal("0.000"))


def test_unknown_locations_and_oversized_totals_are_refused(shelf):
    from django.core.exceptions import ValidationError

    item, warehouse = shelf
    with pytest.raises(ValidationError) as refused:
        services.order_place(
            customer_reference="X", lines=[LineRequest(item.pk, 999999, Decimal(1))], actor=None
        )
    assert "lines.0.location" in refused.value.message_dict
    expensive = ItemFactory(unit_price=Decimal("9999999999.00"))
    with pytest.raises(ValidationError):
        services.order_place(
            customer_reference="X",
            lines=[LineRequest(expensive.pk, warehouse.pk, Decimal("99999999"))],
            actor=None,
        )
    assert not Order.objects.filter(customer_reference="X").exists()
