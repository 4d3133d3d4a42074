"""Every change of stock: one transaction that locks the levels it touches (always in
(item, location) order, so concurrent movements queue instead of deadlocking), writes the
ledger, and records its events. Low stock is detected here, once per crossing.

Lock order, everywhere: reservations, then levels, then replenishments. A new service must
keep it, or it can deadlock with these."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.eventlog.contracts import EventType
from apps.eventlog.services import event_emit
from apps.inventory import events, metrics
from apps.inventory.choices import MovementKind, ReplenishmentStatus, ReservationStatus
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import (
    ZERO,
    Item,
    Location,
    Replenishment,
    Reservation,
    StockLevel,
    StockMovement,
)
from apps.platform.exceptions import Conflict, NotFound

MAX_QUANTITY = Decimal("99999999999.999")  # what numeric(14, 3) holds


def quantity_of(value, *, field: str = "quantity", signed: bool = False) -> Decimal:
    """A quantity with at most three decimals: positive, or (signed) non-zero."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Give a number.")]}) from None
    if not quantity.is_finite():
        raise ValidationError({field: [_("Give a number.")]})
    if abs(quantity) > MAX_QUANTITY:
        raise ValidationError({field: [_("The quantity is too large.")]})
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError({field: [_("Use at most three decimals.")]})
    if quantity == 0 or (quantity < 0 and not signed):
        message = _("Give a non-zero quantity.") if signed else _("Give a positive quantity.")
        raise ValidationError({field: [message]})
    return quantity.quantize(Decimal("0.001"))


@dataclass(frozen=True)
class StockLine:
    item_id: int
    location_id: int
    quantity: Decimal


def _check_active(item_ids, location_ids) -> None:
    items = dict(Item.objects.filter(pk__in=set(item_ids)).values_list("pk", "active"))
    locations = set(Location.objects.filter(pk__in=set(location_ids)).values_list("pk", flat=True))
    errors = {}
    for item_id in item_ids:
        if item_id not in items:
            errors["item"] = [_("There is no such item.")]
        elif not items[item_id]:
            errors["item"] = [_("The item is not active.")]
    if any(location_id not in locations for location_id in location_ids):
        errors["location"] = [_("There is no such location.")]
    if errors:
        raise ValidationError(errors)


def _lock_levels(pairs, *, create: bool) -> dict[tuple[int, int], StockLevel]:
    """The levels of (item, location) pairs, locked in a fixed order. With `create`,
    missing levels are made first (at zero), without racing a concurrent maker."""
    pairs = sorted(set(pairs))
    if create:
        StockLevel.objects.bulk_create(
            [StockLevel(item_id=i, location_id=loc) for i, loc in pairs], ignore_conflicts=True
        )
    condition = Q()
    for item_id, location_id in pairs:
        condition |= Q(item_id=item_id, location_id=location_id)
    levels = (
        StockLevel.objects.filter(condition)
        .select_for_update(of=("self",))
        .order_by("item_id", "location_id")
        .select_related("item")
    )
    return {(level.item_id, level.location_id): level for level in levels}


def stock_levels_lock(pairs) -> None:
    """Lock the existing levels of (item, location) pairs in the order every stock write
    locks them (for steps that take their locks up front: Subscriber.prelock)."""
    if pairs:
        _lock_levels(pairs, create=False)


def _move(
    level: StockLevel,
    kind: str,
    quantity: Decimal,
    *,
    on_hand: Decimal = ZERO,
    reserved: Decimal = ZERO,
    reference: str = "",
    reason: str = "",
    actor=None,
) -> StockMovement:
    if level.on_hand + on_hand > MAX_QUANTITY:
        raise ValidationError({"quantity": [_("The location cannot hold that much.")]})
    level.on_hand += on_hand
    level.reserved += reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    transaction.on_commit(metrics.stock_moves.labels(kind=kind).inc)
    return StockMovement.objects.create(
        item_id=level.item_id,
        location_id=level.location_id,
        kind=kind,
        quantity=quantity,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        on_hand_after=level.on_hand,
        reserved_after=level.reserved,
        reference=reference,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _level_id(level: StockLevel) -> str:
    return f"{level.item_id}:{level.location_id}"


def _emit(
    event_type: EventType, movement: StockMovement, level: StockLevel, actor, **extra
) -> None:
    event_emit(
        event_type,
        aggregate_id=_level_id(level),
        payload=events.movement_payload(movement, level, **extra),
        actor=actor,
    )


def _after_decrease(level: StockLevel, available_before: Decimal, actor) -> None:
    """Low stock, once per crossing: only when available stock falls from at or above the
    reorder point to below it (the level is locked, so before and after are exact). With
    auto-reorder, the same transaction opens a replenishment unless one is open."""
    point = level.reorder_point
    if point <= 0 or not (available_before >= point > level.available):
        return
    replenishment = None
    transaction.on_commit(metrics.low_stock_crossings.inc)
    if level.item.auto_reorder and level.reorder_qty > 0:
        replenishment = _replenishment_for(level, actor)
    event_emit(
        events.STOCK_LOW,
        aggregate_id=_level_id(level),
        payload=events.stock_low_payload(
            level, replenishment_id=replenishment.pk if replenishment else None
        ),
        actor=actor,
    )


def _replenishment_for(level: StockLevel, actor) -> Replenishment:
    """The level's open replenishment, opened now if there is none. (The level is locked,
    so no concurrent movement opens one meanwhile; the partial unique index is the
    guarantee.)"""
    open_ = (
        Replenishment.objects.select_for_update()
        .filter(
            item_id=level.item_id, location_id=level.location_id, status=ReplenishmentStatus.OPEN
        )
        .first()
    )
    if open_ is not None:
        return open_
    replenishment = Replenishment.objects.create(
        item_id=level.item_id, location_id=level.location_id, quantity=level.reorder_qty
    )
    event_emit(
        events.REPLENISHMENT_OPENED,
        aggregate_id=replenishment.pk,
        payload={
            "replenishment_id": replenishment.pk,
            "item_id": level.item_id,
            "location_id": level.location_id,
            "quantity": str(replenishment.quantity),
        },
        actor=actor,
    )
    return replenishment


def _shortage(level: StockLevel | None, line: StockLine) -> dict:
    return {
        "item": line.item_id,
        "location": line.location_id,
        "requested": str(line.quantity),
        "available": str(level.available if level else ZERO),
    }


def _refuse_shortages(shortages: list[dict]) -> None:
    if shortages:
        raise InsufficientStock(
            _("%(count)d line(s) ask for more than is available.") % {"count": len(shortages)},
            shortages=shortages,
        )


# --- Movements ---------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *, item_id: int, location_id: int, quantity, actor, reference: str = "", reason: str = ""
) -> StockMovement:
    """Goods arrive: on hand goes up."""
    quantity = quantity_of(quantity)
    _check_active([item_id], [location_id])
    level = _lock_levels([(item_id, location_id)], create=True)[item_id, location_id]
    movement = _move(
        level, MovementKind.RECEIPT, quantity, on_hand=quantity,
        reference=reference, reason=reason, actor=actor,
    )  # fmt: skip
    _emit(events.STOCK_RECEIVED, movement, level, actor)
    return movement


@transaction.atomic
def stock_issue(
    *, item_id: int, location_id: int, quantity, actor, reference: str = "", reason: str = ""
) -> StockMovement:
    """Goods leave: at most what is available (on hand and not reserved)."""
    quantity = quantity_of(quantity)
    line = StockLine(item_id, location_id, quantity)
    level = _lock_levels([(item_id, location_id)], create=False).get((item_id, location_id))
    if level is None or not level.item.active:
        _check_active([item_id], [location_id])  # an unknown or inactive one is a 400
    if level is None or level.available < quantity:
        _refuse_shortages([_shortage(level, line)])
    before = level.available
    movement = _move(
        level, MovementKind.ISSUE, quantity, on_hand=-quantity,
        reference=reference, reason=reason, actor=actor,
    )  # fmt: skip
    _emit(events.STOCK_ISSUED, movement, level, actor)
    _after_decrease(level, before, actor)
    return movement


@transaction.atomic
def stock_adjust(*, item_id: int, location_id: int, quantity, reason: str, actor) -> StockMovement:
    """Correct on hand by a signed quantity (a count found more or less), with a reason.
    Stock that is reserved cannot be adjusted away."""
    quantity = quantity_of(quantity, signed=True)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the stock is adjusted.")]})
    _check_active([item_id], [location_id])
    level = _lock_levels([(item_id, location_id)], create=True)[item_id, location_id]
    if level.available + quantity < 0:
        _refuse_shortages([_shortage(level, StockLine(item_id, location_id, -quantity))])
    before = level.available
    movement = _move(
        level, MovementKind.ADJUSTMENT, abs(quantity), on_hand=quantity, reason=reason, actor=actor
    )
    _emit(events.STOCK_ADJUSTED, movement, level, actor, delta=str(quantity))
    if quantity < 0:
        _after_decrease(level, before, actor)
    return movement


@transaction.atomic
def stock_transfer(
    *,
    item_id: int,
    source_id: int,
    destination_id: int,
    quantity,
    actor,
    reference: str = "",
    reason: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move stock between locations: both sides in one transaction, or neither."""
    quantity = quantity_of(quantity)
    if source_id == destination_id:
        raise ValidationError({"destination": [_("Transfer to another location.")]})
    _check_active([item_id], [source_id, destination_id])
    levels = _lock_levels([(item_id, source_id), (item_id, destination_id)], create=True)
    source, destination = levels[item_id, source_id], levels[item_id, destination_id]
    if source.available < quantity:
        _refuse_shortages([_shortage(source, StockLine(item_id, source_id, quantity))])
    before = source.available
    out = _move(
        source, MovementKind.TRANSFER_OUT, quantity, on_hand=-quantity,
        reference=reference, reason=reason, actor=actor,
    )  # fmt: skip
    into = _move(
        destination, MovementKind.TRANSFER_IN, quantity, on_hand=quantity,
        reference=reference, reason=reason, actor=actor,
    )  # fmt: skip
    _emit(
        events.STOCK_TRANSFERRED, out, source, actor,
        destination_id=destination_id, destination_on_hand=str(destination.on_hand),
    )  # fmt: skip
    _after_decrease(source, before, actor)
    return out, into


@transaction.atomic
def stock_reserve(
    *, lines: Sequence[StockLine], reference: str, actor, expires_at: datetime | None = None
) -> list[Reservation]:
    """Promise stock for several lines, all or nothing; InsufficientStock lists every
    short line. Reserved stock stays on hand but is no longer available."""
    if not lines:
        raise ValidationError({"lines": [_("Reserve at least one line.")]})
    if not reference:
        raise ValidationError({"reference": [_("Say what the stock is reserved for.")]})
    _validate_expiry(expires_at)
    lines = [
        StockLine(line.item_id, line.location_id, quantity_of(line.quantity)) for line in lines
    ]
    _check_active([line.item_id for line in lines], [line.location_id for line in lines])
    levels = _lock_levels([(line.item_id, line.location_id) for line in lines], create=False)
    wanted: dict[tuple[int, int], Decimal] = {}
    for line in lines:
        key = (line.item_id, line.location_id)
        wanted[key] = wanted.get(key, ZERO) + line.quantity
    _refuse_shortages(
        [
            _shortage(levels.get(key), StockLine(*key, total))
            for key, total in sorted(wanted.items())
            if key not in levels or levels[key].available < total
        ]
    )
    reservations = []
    for line in lines:
        level = levels[line.item_id, line.location_id]
        before = level.available
        movement = _move(
            level, MovementKind.RESERVATION, line.quantity, reserved=line.quantity,
            reference=reference, actor=actor,
        )  # fmt: skip
        reservations.append(
            Reservation.objects.create(
                item_id=line.item_id,
                location_id=line.location_id,
                quantity=line.quantity,
                reference=reference,
                expires_at=expires_at,
            )
        )
        _emit(events.STOCK_RESERVED, movement, level, actor, reservation_id=reservations[-1].pk)
        _after_decrease(level, before, actor)
    return reservations


# How a reservation is closed: the movement it makes, whether the goods leave, its event.
_CLOSINGS = {
    ReservationStatus.RELEASED: (MovementKind.RELEASE, False, events.STOCK_RELEASED),
    ReservationStatus.ISSUED: (MovementKind.ISSUE, True, events.STOCK_ISSUED),
}


def _close_reservations(
    reservations: list[Reservation], *, status: str, actor, reason: str = ""
) -> list[StockMovement]:
    """Close locked active reservations: released (the stock is available again) or
    issued (the reserved goods leave). One movement and event each."""
    if not reservations:
        return []
    kind, goods_leave, event_type = _CLOSINGS[status]
    levels = _lock_levels([(r.item_id, r.location_id) for r in reservations], create=False)
    now = timezone.now()
    movements = []
    for reservation in reservations:
        level = levels[reservation.item_id, reservation.location_id]
        movement = _move(
            level, kind, reservation.quantity,
            on_hand=-reservation.quantity if goods_leave else ZERO,
            reserved=-reservation.quantity, reference=reservation.reference, reason=reason,
            actor=actor,
        )  # fmt: skip
        reservation.status = status
        reservation.closed_at = now
        reservation.save(update_fields=["status", "closed_at"])
        _emit(event_type, movement, level, actor, reservation_id=reservation.pk)
        movements.append(movement)
    return movements


@transaction.atomic
def stock_issue_reserved(*, reference: str, actor) -> list[StockMovement]:
    """Issue exactly what `reference`'s active reservations hold (an order's goods leave):
    on hand and reserved both go down, and the reservations are marked issued. Issuing
    again issues nothing."""
    return _close_reservations(
        _active_reservations(reference=reference), status=ReservationStatus.ISSUED, actor=actor
    )


def reservations_exist(*, reference: str) -> bool:
    """Whether stock was ever reserved for `reference` (whatever became of it)."""
    return Reservation.objects.filter(reference=reference).exists()


def _validate_expiry(expires_at: datetime | None) -> None:
    if expires_at is None:
        return
    if timezone.is_naive(expires_at):
        raise ValidationError({"expires_at": [_("Give the time with its UTC offset.")]})
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("Give a time in the future.")]})


def _active_reservations(**filters) -> list[Reservation]:
    return list(
        Reservation.objects.select_for_update()
        .filter(status=ReservationStatus.ACTIVE, **filters)
        .order_by("item_id", "location_id", "pk")
    )


@transaction.atomic
def stock_release(*, reference: str, actor, reason: str = "released") -> int:
    """Release every active reservation made for `reference`; how many were released.
    Releasing again releases nothing."""
    released = _close_reservations(
        _active_reservations(reference=reference),
        status=ReservationStatus.RELEASED,
        actor=actor,
        reason=reason,
    )
    return len(released)


@transaction.atomic
def reservation_extend(*, reference: str, expires_at: datetime, actor) -> int:
    """Push back the expiry of `reference`'s active reservations, before they expire."""
    now = timezone.now()
    if expires_at is None:
        raise ValidationError({"expires_at": [_("Give the new expiry.")]})
    _validate_expiry(expires_at)
    reservations = _active_reservations(reference=reference)
    if not reservations:
        raise NotFound(_("There is no active reservation for that reference."))
    if any(r.expires_at is not None and r.expires_at <= now for r in reservations):
        raise Conflict(_("The reservation has expired; reserve again."))
    for reservation in reservations:
        reservation.expires_at = expires_at
        reservation.save(update_fields=["expires_at"])
    event_emit(
        events.RESERVATION_EXTENDED,
        aggregate_id=reference,
        payload={"reference": reference, "expires_at": expires_at.isoformat()},
        actor=actor,
    )
    return len(reservations)


def reservations_release_expired(*, batch: int = 200, batches: int = 10) -> int:
    """Release reservations past their expiry (the worker runs this), oldest expiry first,
    in at most `batches` batches per run so the relay is not held up; each batch is its own
    transaction and skips rows another worker holds."""
    released = 0
    for _batch in range(batches):
        with transaction.atomic():
            due = list(
                Reservation.objects.select_for_update(skip_locked=True)
                .filter(status=ReservationStatus.ACTIVE, expires_at__lte=timezone.now())
                .order_by("expires_at", "pk")[:batch]
            )
            released += len(
                _close_reservations(
                    due, status=ReservationStatus.RELEASED, actor=None, reason="expired"
                )
            )
        if len(due) < batch:
            break
    return released


# --- Thresholds and replenishment --------------------------------------------------------


@transaction.atomic
def stock_thresholds_set(
    *, item_id: int, location_id: int, reorder_point, reorder_qty, actor
) -> StockLevel:
    """Set a level's reorder point and quantity (making the level at zero if needed)."""
    errors = {}
    values = {}
    for field, value in (("reorder_point", reorder_point), ("reorder_qty", reorder_qty)):
        try:
            values[field] = ZERO if Decimal(str(value)) == 0 else quantity_of(value, field=field)
        except (ValidationError, InvalidOperation) as error:
            errors.update(getattr(error, "message_dict", {field: [_("Give a number.")]}))
    if errors:
        raise ValidationError(errors)
    _check_active([item_id], [location_id])
    level = _lock_levels([(item_id, location_id)], create=True)[item_id, location_id]
    level.reorder_point, level.reorder_qty = values["reorder_point"], values["reorder_qty"]
    level.save(update_fields=["reorder_point", "reorder_qty", "updated_at"])
    event_emit(
        events.THRESHOLDS_SET,
        aggregate_id=_level_id(level),
        payload={
            "item_id": item_id,
            "location_id": location_id,
            "reorder_point": str(level.reorder_point),
            "reorder_qty": str(level.reorder_qty),
        },
        actor=actor,
    )
    return level


def _open_replenishment(replenishment_id: int) -> Replenishment:
    """The replenishment, locked after its level (the order movements lock them in), and
    still open."""
    found = Replenishment.objects.filter(pk=replenishment_id).values("item_id", "location_id")
    if not found:
        raise NotFound(_("There is no such replenishment."))
    _lock_levels([(found[0]["item_id"], found[0]["location_id"])], create=True)
    replenishment = Replenishment.objects.select_for_update().get(pk=replenishment_id)
    if replenishment.status != ReplenishmentStatus.OPEN:
        raise Conflict(
            _("The replenishment is already %(status)s.") % {"status": replenishment.status}
        )
    return replenishment


@transaction.atomic
def replenishment_receive(*, replenishment_id: int, actor, quantity=None) -> StockMovement:
    """Book the goods of an open replenishment (its quantity unless told otherwise) and
    close it."""
    replenishment = _open_replenishment(replenishment_id)
    received = replenishment.quantity if quantity is None else quantity_of(quantity)
    movement = stock_receive(
        item_id=replenishment.item_id,
        location_id=replenishment.location_id,
        quantity=received,
        reference=f"replenishment:{replenishment.pk}",
        actor=actor,
    )
    replenishment.status = ReplenishmentStatus.RECEIVED
    replenishment.closed_at = timezone.now()
    replenishment.save(update_fields=["status", "closed_at"])
    level = StockLevel.objects.select_related("item").get(
        item_id=replenishment.item_id, location_id=replenishment.location_id
    )
    _emit(events.STOCK_REPLENISHED, movement, level, actor, replenishment_id=replenishment.pk)
    return movement


@transaction.atomic
def replenishment_cancel(*, replenishment_id: int, actor, reason: str = "") -> Replenishment:
    replenishment = _open_replenishment(replenishment_id)
    replenishment.status = ReplenishmentStatus.CANCELLED
    replenishment.closed_at = timezone.now()
    replenishment.save(update_fields=["status", "closed_at"])
    event_emit(
        events.REPLENISHMENT_CANCELLED,
        aggregate_id=replenishment.pk,
        payload={"replenishment_id": replenishment.pk, "reason": reason},
        actor=actor,
    )
    return replenishment
