"""The saga with real worker processes: end to end, and under chaos with two workers."""

from decimal import Decimal

import pytest
from django.db.models import Count

from apps.inventory import selectors as stock_selectors
from apps.inventory import services as inventory
from apps.inventory.models import StockLevel
from apps.orders import services
from apps.orders.choices import TERMINAL
from apps.orders.models import Order, Payment
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.processes import portal_env, start_workers, stop, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_order_is_fulfilled_by_a_running_worker():
    item, warehouse = ItemFactory(unit_price=Decimal("5.00")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=10, actor=None)
    workers = start_workers(1, portal_env())
    try:
        order = services.order_place(
            customer_reference="ACME",
            lines=[services.LineRequest(item.pk, warehouse.pk, Decimal(3))],
            actor=None,
        )
        wait_until(lambda: Order.objects.get(pk=order.pk).status in TERMINAL, 60)
    finally:
        stop(workers)
    order.refresh_from_db()
    assert order.status == "fulfilled"
    level = StockLevel.objects.get(item=item)
    assert (level.on_hand, level.reserved) == (7, 0)
    assert Payment.objects.filter(order=order, status="authorized").count() == 1


def test_two_hundred_orders_under_chaos_all_end_and_none_is_charged_twice():
    items = ItemFactory.create_batch(5, unit_price=Decimal("1.00"))
    warehouse = WarehouseFactory()
    for item in items:
        inventory.stock_receive(
            item_id=item.pk, location_id=warehouse.pk, quantity=1000, actor=None
        )
    env = portal_env(
        FUSIONOPS_CHAOS_FAILURE_RATE="0.2",
        EVENTS_MAX_ATTEMPTS="20",  # 0.2 ** 20: chaos never exhausts a delivery here
        EVENTS_BACKOFF_BASE_SECONDS="0.01",
        EVENTS_BACKOFF_FACTOR="1.5",
        PAYMENTS_DECLINE_RATE="0.1",  # some orders are compensated
    )
    workers = start_workers(2, env)
    try:
        orders = [
            services.order_place(
                customer_reference=f"C{n}",
                lines=[
                    services.LineRequest(items[n % 5].pk, warehouse.pk, Decimal(1)),
                    services.LineRequest(items[(n + 1) % 5].pk, warehouse.pk, Decimal(2)),
                ],
                actor=None,
            ).pk
            for n in range(200)
        ]
        wait_until(
            lambda: not Order.objects.filter(pk__in=orders).exclude(status__in=TERMINAL).exists(),
            240,
        )
    finally:
        stop(workers)
    statuses = dict(
        Order.objects.filter(pk__in=orders).values_list("status").annotate(n=Count("id"))
    )
    assert set(statuses) <= set(TERMINAL), statuses
    assert statuses.get("fulfilled", 0) > 0 and statuses.get("rejected", 0) > 0
    assert not Payment.objects.values("order").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert (
        Payment.objects.filter(order_id__in=orders, status="authorized").count()
        == statuses["fulfilled"]
    )
    assert stock_selectors.ledger_differences() == []
    assert not StockLevel.objects.filter(reserved__gt=0, item__in=items).exists()
