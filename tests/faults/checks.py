"""What must hold after a fault, whatever the fault was."""

from django.core.management import call_command
from django.db import connection

from apps.eventlog.choices import DeliveryStatus
from apps.eventlog.models import Delivery
from apps.inventory.models import StockLevel, StockMovement
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.resources.choices import AllocationStatus
from apps.resources.models import Allocation
from tests.faults.load import LiveFollower, SteadyLoad
from tests.processes import wait_until

SETTLED_ORDER_STATUSES = {OrderStatus.FULFILLED, OrderStatus.REJECTED, OrderStatus.CANCELLED}


def applications(operation) -> int:
    """How many times the database holds the operation's effect."""
    key = operation.body["note"] if "booking" in operation.kind else operation.key
    if operation.kind in ("booking", "conflicting-booking"):
        return Allocation.objects.filter(note=key, status=AllocationStatus.BOOKED).count()
    if operation.kind == "stock-issue":
        return StockMovement.objects.filter(reference=key).count()
    return Order.objects.filter(customer_reference=key).count()


def overlapping_bookings() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM resources_allocation a JOIN resources_allocation b "
            "ON a.resource_id = b.resource_id AND a.id < b.id AND a.period && b.period "
            "WHERE a.status = %s AND b.status = %s",
            [AllocationStatus.BOOKED, AllocationStatus.BOOKED],
        )
        return cursor.fetchone()[0]


def outbox_settled() -> bool:
    return not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def orders_settled() -> bool:
    return not Order.objects.exclude(status__in=SETTLED_ORDER_STATUSES).exists()


def assert_nothing_lost(load: SteadyLoad, followers: list[LiveFollower] = ()) -> dict:
    """Every promise of the portal after `load` ran through a fault; returns the table
    for the report (requests sent, 2xx, 503, 500, lost). The live `followers` listen on
    until they are checked, and are stopped then."""
    try:
        return _nothing_lost(load, followers)
    finally:
        for follower in followers:
            follower.stop()


def _nothing_lost(load: SteadyLoad, followers) -> dict:
    table = load.table()
    assert table["500"] == 0, f"server errors: {load.statuses()} (logs: var/faults/)"
    assert set(load.reads) <= {200, 503}, f"reads refused: {load.reads}"
    every_503 = [after for op in load.operations for after in op.retry_after]
    assert all(after.isdigit() for after in every_503), "a 503 without Retry-After"

    lost, twice = [], []
    for operation in load.operations:
        applied = applications(operation)
        if operation.kind == "conflicting-booking":
            assert operation.final in (409, None), (operation.statuses, operation.answer)
            continue
        if operation.final is not None and 200 <= operation.final < 300:
            (lost if applied == 0 else twice if applied > 1 else []).append(operation)
        else:
            # Never answered: applied at most once (the client may still retry its key).
            assert operation.final is None, (operation.kind, operation.statuses, operation.answer)
            if applied > 1:
                twice.append(operation)
    assert not lost, [(op.kind, op.statuses) for op in lost]
    assert not twice, [(op.kind, op.statuses) for op in twice]
    table["lost"] = len(lost)

    # Everything accepted is relayed: the saga settles every order, nothing dead-letters.
    assert wait_until(outbox_settled, 120), "deliveries still pending after recovery"
    assert wait_until(orders_settled, 60), list(
        Order.objects.exclude(status__in=SETTLED_ORDER_STATUSES).values_list("id", "status")
    )
    assert not Delivery.objects.filter(status=DeliveryStatus.DEAD).exists()
    assert overlapping_bookings() == 0
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    call_command("verify_audit", verbosity=0)
    call_command("check_stock_ledger", verbosity=0)

    booked = set(
        Allocation.objects.filter(note__in=[op.key for op in load.booked()]).values_list(
            "id", flat=True
        )
    )
    # The live clients catch up: every booking once, in log order, none missed. They have
    # listened until now: the last bookings' messages may have been on their way.
    for follower in followers:
        assert wait_until(lambda f=follower: _booked_seen(f) >= booked, 60), (
            len(booked - _booked_seen(follower)), follower.reconnects, follower.resyncs
        )  # fmt: skip
        positions = [message["position"] for message in list(follower.messages)]
        assert positions == sorted(set(positions)), "a message twice or out of order"
    return table


def _booked_seen(follower: LiveFollower) -> set[int]:
    return {
        message["data"]["allocation_id"]
        for message in list(follower.messages)
        if message["type"] == "allocationCreated"
    }
