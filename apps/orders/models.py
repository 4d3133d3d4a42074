from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.inventory.models import QUANTITY, Item, Location
from apps.orders.choices import OrderStatus, PaymentStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class Order(models.Model):
    """A customer's order: its lines are reserved, paid and issued by the saga."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer_reference = models.CharField(_("customer reference"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount = models.DecimalField(_("discount"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    pricing_rule = models.JSONField(_("pricing rule applied"), default=dict, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was rejected or cancelled.")
    )
    correlation_id = models.CharField(_("correlation id"), max_length=128, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        # Without it (an integration) a caller sees the orders it placed, and no more.
        permissions = [("view_every_order", _("Can see every caller's orders"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="orders_order_status"
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, discount__gte=0, total__gte=0),
                name="orders_order_amounts",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="orders_status_idx")]

    def __str__(self):
        return self.number

    @property
    def reservation_reference(self) -> str:
        return self.reservation_reference_of(self.pk)

    @staticmethod
    def reservation_reference_of(order_id: int) -> str:
        """What the stock reserved for an order is reserved for."""
        return f"order:{order_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    line_total = models.DecimalField(_("line total"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_line_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.item_id}"


class Payment(models.Model):
    """The authorization of an order's total with the (simulated) provider: one per order,
    so a repeated step can never charge twice."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payment"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices)
    provider_reference = models.CharField(_("provider reference"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="orders_payment_status"
            ),
        ]

    def __str__(self):
        return f"{self.order_id} {self.amount} ({self.status})"
