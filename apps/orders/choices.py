from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    RESERVED = "reserved", _("reserved")
    PAID = "paid", _("paid")
    FULFILLED = "fulfilled", _("fulfilled")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


# The one place that says how an order's status may move.
TRANSITIONS = {
    OrderStatus.PLACED: {OrderStatus.RESERVED, OrderStatus.REJECTED, OrderStatus.CANCELLED},
    OrderStatus.RESERVED: {OrderStatus.PAID, OrderStatus.REJECTED, OrderStatus.CANCELLED},
    # Paid and fulfilled commit together (the stock leaves as the payment settles), so a
    # paid order is never left to cancel.
    OrderStatus.PAID: {OrderStatus.FULFILLED},
    OrderStatus.FULFILLED: set(),
    OrderStatus.REJECTED: set(),
    OrderStatus.CANCELLED: set(),
}
TERMINAL = {OrderStatus.FULFILLED, OrderStatus.REJECTED, OrderStatus.CANCELLED}


class PaymentStatus(models.TextChoices):
    AUTHORIZED = "authorized", _("authorized")
    DECLINED = "declined", _("declined")
    REFUNDED = "refunded", _("refunded")
