"""The events of the inventory app: its catalogue (items, locations), stock movements,
reservations, thresholds and replenishments, with their public contracts."""

from decimal import Decimal

from pydantic import AwareDatetime, Field

from apps.core.catalogue import declare_catalogue_events
from apps.eventlog.contracts import Live, PublicPayload
from apps.eventlog.registry import registry
from apps.inventory.choices import LocationKind, MovementKind
from apps.inventory.models import Item, Location, StockLevel, StockMovement

# --- The catalogue ------------------------------------------------------------------------


class ItemRecord(PublicPayload):
    id: int
    sku: str
    name: str
    unit: str
    unit_price: Decimal
    active: bool
    auto_reorder: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


class LocationRecord(PublicPayload):
    id: int
    code: str
    name: str
    kind: LocationKind
    parent_id: int | None = Field(description="The warehouse a bin belongs to.")


ITEM_EVENTS = declare_catalogue_events(
    Item,
    record=ItemRecord,
    example={
        "id": 5, "sku": "BOLT-M8", "name": "Hex bolt M8x40", "unit": "pcs",
        "unit_price": "0.12", "active": True, "auto_reorder": True,
        "created_at": "2026-11-30T08:00:00Z", "updated_at": "2026-11-30T08:00:00Z",
    },
)  # fmt: skip
LOCATION_EVENTS = declare_catalogue_events(
    Location,
    record=LocationRecord,
    example={
        "id": 2, "code": "WH-HAM", "name": "Hamburg warehouse", "kind": "warehouse",
        "parent_id": None,
    },
)  # fmt: skip


# --- Stock movements --------------------------------------------------------------------


class StockMovementV1(PublicPayload):
    """One movement of the ledger and the stock level it left behind."""

    movement_id: int
    item_id: int
    sku: str
    location_id: int
    kind: MovementKind
    quantity: Decimal
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    reference: str
    reason: str


class StockIssuedV1(StockMovementV1):
    reservation_id: int | None = Field(
        default=None, description="The reservation issued, when reserved stock left."
    )


class StockAdjustedV1(StockMovementV1):
    delta: Decimal = Field(description="The signed change of stock on hand.")


class StockTransferredV1(StockMovementV1):
    destination_id: int
    destination_on_hand: Decimal


class StockReservationMovedV1(StockMovementV1):
    reservation_id: int


class StockReplenishedV1(StockMovementV1):
    replenishment_id: int


def movement_payload(movement: StockMovement, level: StockLevel, **extra) -> dict:
    return {
        "movement_id": movement.pk,
        "item_id": level.item_id,
        "sku": level.item.sku,
        "location_id": level.location_id,
        "kind": movement.kind,
        "quantity": str(movement.quantity),
        "on_hand": str(level.on_hand),
        "reserved": str(level.reserved),
        "available": str(level.available),
        "reference": movement.reference,
        "reason": movement.reason,
        **extra,
    }


_MOVEMENT = {
    "movement_id": 311, "item_id": 5, "sku": "BOLT-M8", "location_id": 2, "kind": "receipt",
    "quantity": "500.000", "on_hand": "1700.000", "reserved": "0.000",
    "available": "1700.000", "reference": "PO-4711", "reason": "",
}  # fmt: skip
_LEVEL = "inventory.stock_level"

STOCK_RECEIVED = registry.declare(
    "inventory.stock.received",
    aggregate_type=_LEVEL,
    description="Goods arrived at a location.",
    public=StockMovementV1,
    example=_MOVEMENT,
)
STOCK_ISSUED = registry.declare(
    "inventory.stock.issued",
    aggregate_type=_LEVEL,
    description="Goods left a location (reserved ones name their reservation).",
    public=StockIssuedV1,
    example={**_MOVEMENT, "kind": "issue", "on_hand": "1200.000", "available": "1200.000"},
)
STOCK_ADJUSTED = registry.declare(
    "inventory.stock.adjusted",
    aggregate_type=_LEVEL,
    description="Stock on hand was corrected by a count, with a reason.",
    public=StockAdjustedV1,
    example={**_MOVEMENT, "kind": "adjustment", "delta": "-3.000", "reason": "Count"},
)
STOCK_TRANSFERRED = registry.declare(
    "inventory.stock.transferred",
    aggregate_type=_LEVEL,
    description="Stock moved from one location (the level named) to another.",
    public=StockTransferredV1,
    example={
        **_MOVEMENT, "kind": "transfer_out", "destination_id": 3,
        "destination_on_hand": "680.000",
    },
)  # fmt: skip
STOCK_RESERVED = registry.declare(
    "inventory.stock.reserved",
    aggregate_type=_LEVEL,
    description="Stock was promised: still on hand, no longer available.",
    public=StockReservationMovedV1,
    example={**_MOVEMENT, "kind": "reservation", "reservation_id": 12, "reference": "order:9"},
)
STOCK_RELEASED = registry.declare(
    "inventory.stock.released",
    aggregate_type=_LEVEL,
    description="A reservation was given back: the stock is available again.",
    public=StockReservationMovedV1,
    example={**_MOVEMENT, "kind": "release", "reservation_id": 12, "reference": "order:9"},
)
STOCK_REPLENISHED = registry.declare(
    "inventory.stock.replenished",
    aggregate_type=_LEVEL,
    description="The goods of a replenishment arrived.",
    public=StockReplenishedV1,
    live=Live("stockReplenished", topics=("inventory",), alias="StockReplenished"),
    example={**_MOVEMENT, "replenishment_id": 4, "reference": "replenishment:4"},
)


class StockLowV1(PublicPayload):
    """Available stock fell below the reorder point."""

    item_id: int
    sku: str
    location_id: int
    available: Decimal
    reorder_point: Decimal
    replenishment_id: int | None = Field(
        description="The replenishment opened for it, with auto-reorder."
    )


def stock_low_payload(level: StockLevel, *, replenishment_id: int | None) -> dict:
    return {
        "item_id": level.item_id,
        "sku": level.item.sku,
        "location_id": level.location_id,
        "available": str(level.available),
        "reorder_point": str(level.reorder_point),
        "replenishment_id": replenishment_id,
    }


STOCK_LOW = registry.declare(
    "inventory.stock.low",
    aggregate_type=_LEVEL,
    description="Available stock fell below the reorder point (once per crossing).",
    public=StockLowV1,
    live=Live("stockLow", topics=("inventory",), alias="lowStock"),
    example={
        "item_id": 5, "sku": "BOLT-M8", "location_id": 3, "available": "180.000",
        "reorder_point": "200.000", "replenishment_id": 4,
    },
)  # fmt: skip


class ThresholdsSetV1(PublicPayload):
    item_id: int
    location_id: int
    reorder_point: Decimal
    reorder_qty: Decimal


THRESHOLDS_SET = registry.declare(
    "inventory.thresholds.set",
    aggregate_type=_LEVEL,
    description="A stock level's reorder point and quantity were set.",
    public=ThresholdsSetV1,
    example={"item_id": 5, "location_id": 3, "reorder_point": "200.000", "reorder_qty": "1000"},
)


# --- Reservations -----------------------------------------------------------------------


class ReservationExtendedV1(PublicPayload):
    reference: str
    expires_at: AwareDatetime


class Shortage(PublicPayload):
    item: int
    location: int
    requested: Decimal
    available: Decimal


class ReservationFailedV1(PublicPayload):
    """Stock for an order could not be reserved: every short line is listed."""

    order_id: int
    reference: str
    reason: str
    shortages: list[Shortage]


RESERVATION_EXTENDED = registry.declare(
    "inventory.reservation.extended",
    aggregate_type="inventory.reservation",
    description="The reservations made for a reference expire later.",
    public=ReservationExtendedV1,
    example={"reference": "cart:81", "expires_at": "2026-12-01T18:00:00+00:00"},
)
RESERVATION_FAILED = registry.declare(
    "inventory.reservation.failed",
    aggregate_type="inventory.reservation",
    description="An order's lines could not be reserved.",
    public=ReservationFailedV1,
    example={
        "order_id": 9, "reference": "order:9",
        "reason": "1 line(s) ask for more than is available.",
        "shortages": [{"item": 5, "location": 3, "requested": "500", "available": "180.000"}],
    },
)  # fmt: skip


# --- Replenishments ---------------------------------------------------------------------


class ReplenishmentOpenedV1(PublicPayload):
    replenishment_id: int
    item_id: int
    location_id: int
    quantity: Decimal


class ReplenishmentCancelledV1(PublicPayload):
    replenishment_id: int
    reason: str


REPLENISHMENT_OPENED = registry.declare(
    "inventory.replenishment.opened",
    aggregate_type="inventory.replenishment",
    description="A replenishment was opened for a stock level below its reorder point.",
    public=ReplenishmentOpenedV1,
    example={"replenishment_id": 4, "item_id": 5, "location_id": 3, "quantity": "1000.000"},
)
REPLENISHMENT_CANCELLED = registry.declare(
    "inventory.replenishment.cancelled",
    aggregate_type="inventory.replenishment",
    description="An open replenishment was cancelled.",
    public=ReplenishmentCancelledV1,
    example={"replenishment_id": 4, "reason": "Ordered elsewhere"},
)
