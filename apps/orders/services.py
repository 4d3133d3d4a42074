"""Orders: placing them, moving their status (only along TRANSITIONS), and the saga steps
the subscribers in handlers.py run. Every step locks the order first, then (through the
inventory services) reservations and levels, so steps of one order never interleave, and
each is idempotent: a step that finds its work done, or the order past it, does nothing.
"""

import hashlib
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.selectors import system_setting_value
from apps.eventlog.services import event_emit
from apps.inventory import services as inventory
from apps.inventory.choices import ReservationStatus
from apps.inventory.events import RESERVATION_FAILED
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import Item, Location, Reservation
from apps.inventory.services import quantity_of
from apps.orders import metrics
from apps.orders.choices import TERMINAL, TRANSITIONS, OrderStatus, PaymentStatus
from apps.orders.events import (
    ORDER_STATUS_EVENTS,
    PAYMENT_AUTHORIZED,
    PAYMENT_DECLINED,
    PAYMENT_REFUNDED,
    order_status_payload,
    payment_payload,
)
from apps.orders.models import Order, OrderLine, Payment
from apps.platform.context import correlated
from apps.platform.exceptions import Conflict, NotFound

# The pricing rule is a system setting, e.g. {"discount_percent": 5, "above_total": "1000"}.
PRICING_SETTING = "orders.pricing"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what numeric(14, 2) holds


class InvalidTransition(Conflict):
    problem_type = "invalid-order-transition"
    title = gettext_lazy("The order cannot move to that status.")


@dataclass(frozen=True)
class LineRequest:
    item_id: int
    location_id: int
    quantity: Decimal


def _pricing(subtotal: Decimal) -> tuple[Decimal, dict]:
    """The discount the configured rule gives, and the rule as applied (recorded)."""
    rule = system_setting_value(PRICING_SETTING, default=None)
    if not isinstance(rule, dict):
        return Decimal("0.00"), {}
    try:
        percent = Decimal(str(rule.get("discount_percent", 0)))
        threshold = Decimal(str(rule.get("above_total", 0)))
    except ArithmeticError:
        return Decimal("0.00"), {}
    if not (percent.is_finite() and threshold.is_finite()):
        return Decimal("0.00"), {}
    if not (0 < percent <= 100) or subtotal <= threshold:
        return Decimal("0.00"), {}
    discount = (subtotal * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return discount, {"discount_percent": str(percent), "above_total": str(threshold)}


def _emit_status(order: Order, actor, **extra) -> None:
    event_emit(
        ORDER_STATUS_EVENTS[order.status],
        aggregate_id=order.pk,
        payload=order_status_payload(order, **extra),
        actor=actor,
    )


@transaction.atomic
def order_place(*, customer_reference: str, lines: Sequence[LineRequest], actor) -> Order:
    """Take an order: price its lines from the items, apply the pricing rule, and emit
    `orders.order.placed`, which starts the saga. Its correlation id is the request's."""
    errors = {}
    if not (customer_reference or "").strip():
        errors["customer_reference"] = [_("Say whose order this is.")]
    if not lines:
        errors["lines"] = [_("Order at least one line.")]
    elif len(lines) > settings.ORDERS_MAX_LINES:
        errors["lines"] = [
            _("An order has at most %(n)d lines.") % {"n": settings.ORDERS_MAX_LINES}
        ]
    if errors:
        raise ValidationError(errors)
    quantities = [
        quantity_of(line.quantity, field=f"lines.{i}.quantity") for i, line in enumerate(lines)
    ]
    items = Item.objects.in_bulk({line.item_id for line in lines})
    locations = Location.objects.in_bulk({line.location_id for line in lines})
    for index, line in enumerate(lines):
        item = items.get(line.item_id)
        if item is None or not item.active:
            errors[f"lines.{index}.item"] = [_("There is no such active item.")]
        if line.location_id not in locations:
            errors[f"lines.{index}.location"] = [_("There is no such location.")]
    if errors:
        raise ValidationError(errors)
    priced = [
        (line, quantity, items[line.item_id].unit_price,
         (quantity * items[line.item_id].unit_price).quantize(CENT, rounding=ROUND_HALF_UP))
        for line, quantity in zip(lines, quantities, strict=True)
    ]  # fmt: skip
    subtotal = sum((total for *_rest, total in priced), Decimal("0.00"))
    if subtotal > MAX_AMOUNT:
        raise ValidationError({"lines": [_("The order's total is larger than the portal keeps.")]})
    discount, rule = _pricing(subtotal)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number')")
        number = f"SO-{cursor.fetchone()[0]:07d}"
    # Each order has an id of its own for its events (a client may reuse request ids).
    correlation = uuid.uuid4().hex
    order = Order.objects.create(
        number=number,
        customer_reference=customer_reference.strip(),
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        pricing_rule=rule,
        correlation_id=correlation,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order, item_id=line.item_id, location_id=line.location_id,
                quantity=quantity, unit_price=price, line_total=total,
            )
            for line, quantity, price, total in priced
        ]
    )  # fmt: skip
    with correlated(correlation):
        _emit_status(
            order,
            actor,
            lines=[
                {"item_id": line.item_id, "location_id": line.location_id, "quantity": str(q)}
                for line, q, _price, _total in priced
            ],
        )
    return order


def _locked(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("There is no such order."))
    return order


def _move(order: Order, status: str, actor, *, reason: str = "") -> bool:
    """Move a locked order to `status` if TRANSITIONS allow; True if it moved. Already
    there: nothing happens (a repeated step)."""
    if order.status == status:
        return False
    if status not in TRANSITIONS[order.status]:
        raise InvalidTransition(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": order.status, "new": status}
        )
    order.status = status
    if reason:
        order.reason = reason
    order.save(update_fields=["status", "reason", "updated_at"])
    _emit_status(order, actor)
    if status in TERMINAL:
        transaction.on_commit(metrics.orders_finished.labels(outcome=status).inc)
    return True


@transaction.atomic
def order_cancel(*, order_id: int, actor, reason: str = "") -> Order:
    """Cancel an order before fulfilment: release what was reserved, refund what was
    authorized. Cancelling a cancelled order changes nothing."""
    order = _locked(order_id)
    if order.status == OrderStatus.CANCELLED:
        return order
    with correlated(order.correlation_id):  # the cancellation is part of the order's story
        _move(order, OrderStatus.CANCELLED, actor, reason=reason or _("Cancelled"))
        inventory.stock_release(
            reference=order.reservation_reference, actor=actor, reason="order cancelled"
        )
        _refund(order, actor)
    return order


def _refund(order: Order, actor) -> None:
    payment = Payment.objects.select_for_update().filter(order=order).first()
    if payment is None or payment.status != PaymentStatus.AUTHORIZED:
        return
    payment.status = PaymentStatus.REFUNDED
    payment.save(update_fields=["status", "updated_at"])
    event_emit(
        PAYMENT_REFUNDED,
        aggregate_id=payment.pk,
        payload={"order_id": order.pk, "amount": str(payment.amount)},
        actor=actor,
    )


# --- Saga steps (run by the subscribers in handlers.py) ----------------------------------


def saga_locks_take(*, order_ids, paid_order_ids=(), lines=()) -> None:
    """Lock, before a transaction's saga steps run, what they will lock, in the order each
    step and order_cancel take it: the orders by id, then the stock levels by item and
    location (those of `lines` to reserve, and those the active reservations of
    `paid_order_ids` hold, to issue or release)."""
    orders = Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk")
    list(orders.values_list("pk", flat=True))
    pairs = {(line.item_id, line.location_id) for line in lines}
    if paid_order_ids:
        pairs |= set(
            Reservation.objects.filter(
                reference__in=[Order.reservation_reference_of(pk) for pk in set(paid_order_ids)],
                status=ReservationStatus.ACTIVE,
            ).values_list("item_id", "location_id")
        )
    inventory.stock_levels_lock(pairs)


@transaction.atomic
def order_reserve_stock(*, order_id: int, lines: Sequence[inventory.StockLine]) -> None:
    """Inventory's step: reserve every line of a placed order, all or nothing, or answer
    `inventory.reservation.failed`. An order that is no longer placed, or was reserved
    for already, gets nothing (a replayed event, a cancel that came first)."""
    order = _locked(order_id)
    reference = order.reservation_reference
    if order.status != OrderStatus.PLACED or inventory.reservations_exist(reference=reference):
        return
    try:
        inventory.stock_reserve(lines=lines, reference=reference, actor=None)
        return
    except InsufficientStock as shortage:
        failure = {"reason": str(shortage.detail), "shortages": shortage.shortages}
    except ValidationError as invalid:
        failure = {"reason": " ".join(invalid.messages), "shortages": []}
    event_emit(
        RESERVATION_FAILED,
        aggregate_id=reference,
        payload={"order_id": order_id, "reference": reference, **failure},
        actor=None,
    )


@transaction.atomic
def reservation_confirmed(*, order_id: int) -> None:
    """Inventory reserved the order's lines: on to payment. If the order was cancelled or
    rejected meanwhile, the reservation is given back instead."""
    order = _locked(order_id)
    if order.status == OrderStatus.PLACED:
        _move(order, OrderStatus.RESERVED, None)
    elif order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        inventory.stock_release(
            reference=order.reservation_reference, actor=None, reason="order closed"
        )


@transaction.atomic
def reservation_failed(*, order_id: int, reason: str) -> None:
    order = _locked(order_id)
    if order.status == OrderStatus.PLACED:
        _move(order, OrderStatus.REJECTED, None, reason=reason)


def _provider_decision(order: Order) -> tuple[bool, str]:
    """The simulated provider: declines above the amount limit, and a configured share of
    the rest (decided by the order, so asking again gives the same answer)."""
    if order.total > Decimal(str(settings.PAYMENTS_AMOUNT_LIMIT)):
        return False, _("The amount is above the provider's limit.")
    draw = random.Random(int(hashlib.sha256(order.number.encode()).hexdigest(), 16)).random()  # noqa: S311
    if draw < settings.PAYMENTS_DECLINE_RATE:
        return False, _("The provider declined the payment.")
    return True, ""


@transaction.atomic
def payment_authorize(*, order_id: int) -> None:
    """Authorize the total of a reserved order, once: the payment is unique per order."""
    order = _locked(order_id)
    if order.status != OrderStatus.RESERVED or Payment.objects.filter(order=order).exists():
        return
    approved, reason = _provider_decision(order)
    payment = Payment.objects.create(
        order=order,
        amount=order.total,
        status=PaymentStatus.AUTHORIZED if approved else PaymentStatus.DECLINED,
        provider_reference=f"sim_{uuid.uuid4().hex[:16]}" if approved else "",
        reason=reason,
    )
    event_emit(
        PAYMENT_AUTHORIZED if approved else PAYMENT_DECLINED,
        aggregate_id=payment.pk,
        payload=payment_payload(payment, reason=reason),
        actor=None,
    )


@transaction.atomic
def payment_authorized(*, order_id: int) -> None:
    """Paid: issue the reserved stock and fulfil the order. An order cancelled meanwhile
    has already refunded the payment and released the stock."""
    order = _locked(order_id)
    if order.status != OrderStatus.RESERVED:
        return
    _move(order, OrderStatus.PAID, None)
    inventory.stock_issue_reserved(reference=order.reservation_reference, actor=None)
    _move(order, OrderStatus.FULFILLED, None)


@transaction.atomic
def payment_declined(*, order_id: int, reason: str) -> None:
    """Compensate: give the reservation back and reject the order with the reason."""
    order = _locked(order_id)
    if order.status != OrderStatus.RESERVED:
        return
    inventory.stock_release(
        reference=order.reservation_reference, actor=None, reason="payment declined"
    )
    _move(order, OrderStatus.REJECTED, None, reason=reason)
