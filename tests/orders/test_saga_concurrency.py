"""Saga steps of many orders share a transaction; two workers' transactions over the same
stock levels queue behind each other instead of deadlocking."""

import contextlib
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from apps.eventlog.models import Delivery
from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.inventory.models import StockLevel
from apps.orders import services
from apps.orders.models import Order
from apps.orders.services import LineRequest
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORDERS_PER_WORKER = 20


def deadlocks_detected() -> int:
    """PostgreSQL's count of deadlocks it broke in this database (a backend reports its
    own when its session ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_two_workers_reserving_over_the_same_levels_in_opposite_orders_never_deadlock(
    settings, monkeypatch
):
    settings.EVENTS_RELAY_TRANSACTION_SIZE = ORDERS_PER_WORKER
    first, second = ItemFactory.create_batch(2, unit_price=Decimal("1.00"))
    warehouse = WarehouseFactory()
    for item in (first, second):
        inventory.stock_receive(
            item_id=item.pk, location_id=warehouse.pk, quantity=1000, actor=None
        )
    # The first worker's claim alternates first, second, ...; the second's second, first,
    # ...: run step by step, each would hold one level the other wants next.
    for n in range(2 * ORDERS_PER_WORKER):
        item = (first, second)[(n + n // ORDERS_PER_WORKER) % 2]
        services.order_place(
            customer_reference=f"C{n}", lines=[LineRequest(item.pk, warehouse.pk, Decimal(1))],
            actor=None,
        )  # fmt: skip
    # Each worker, after its first step, waits for the other's first step: step by step,
    # both would now hold one level each. Taken up front, the second worker's locks wait
    # for the first's commit instead, and this wait gives up.
    first_steps = threading.Barrier(2, timeout=3)
    reserve = services.order_reserve_stock
    stepped = threading.local()

    def reserve_then_wait(**kwargs):
        reserve(**kwargs)
        if not getattr(stepped, "once", False):
            stepped.once = True
            with contextlib.suppress(threading.BrokenBarrierError):
                first_steps.wait()

    monkeypatch.setattr(services, "order_reserve_stock", reserve_then_wait)
    failures = []
    both_claimed = threading.Barrier(2)
    deadlocks_before = deadlocks_detected()

    def worker():
        try:
            both_claimed.wait()
            while (result := relay_batch(batch_size=ORDERS_PER_WORKER)).claimed:
                failures.extend(error for _delivery, error in result.failures)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    time.sleep(0.5)  # the workers' sessions have ended: their statistics are reported
    # A deadlock PostgreSQL broke would be hidden by the careful rerun: count them.
    assert deadlocks_detected() == deadlocks_before
    assert failures == []
    assert not Delivery.objects.exclude(status="done").exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"fulfilled"}
    for item in (first, second):
        level = StockLevel.objects.get(item=item)
        assert (level.on_hand, level.reserved) == (1000 - ORDERS_PER_WORKER, 0)
