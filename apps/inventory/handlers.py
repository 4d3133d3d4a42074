"""Subscribers and periodic jobs of the inventory app."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from apps.audit.services import event_emit
from apps.events.periodic import periodic
from apps.events.registry import subscriber
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.services import (
    StockLine,
    reservations_exist,
    reservations_release_expired,
    stock_reserve,
)


@periodic(
    "inventory.release_expired_reservations",
    every_seconds=lambda: settings.INVENTORY_EXPIRY_SWEEP_SECONDS,
)
def release_expired_reservations() -> int:
    return reservations_release_expired()


@subscriber("inventory.reserve_for_order", event_types=["orders.order.placed"], alone=True)
def reserve_for_order(event) -> None:
    """Reserve every line of a placed order, all or nothing; a shortage (or a line that
    cannot be stocked) is answered with `inventory.reservation.failed`. A repeated event
    reserves nothing more."""
    order_id = event.payload["order_id"]
    reference = f"order:{order_id}"
    if reservations_exist(reference=reference):
        return
    lines = [
        StockLine(line["item_id"], line["location_id"], Decimal(line["quantity"]))
        for line in event.payload["lines"]
    ]
    try:
        stock_reserve(lines=lines, reference=reference, actor=None)
    except InsufficientStock as shortage:
        failure = {"reason": str(shortage.detail), "shortages": shortage.shortages}
    except ValidationError as invalid:
        failure = {"reason": " ".join(invalid.messages), "shortages": []}
    else:
        return
    event_emit(
        type="inventory.reservation.failed",
        aggregate_type="inventory.reservation",
        aggregate_id=reference,
        payload={"order_id": order_id, "reference": reference, **failure},
        actor=None,
    )
